"""The promise `make run` shows, through the storefront: a purchase produces a rendered,
encrypted, sent email in the development capture backend (tasks eager, no broker)."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from attachments.api import generated_password
from inbox.models import CapturedEmail
from messaging.models import Message
from shop.models import Order
from tests.factories import CHECKOUT_DETAILS, OrderConfirmationFactory, ProductFactory
from tests.messaging.helpers import message_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_purchase_sends_an_encrypted_confirmation_through_the_capture_backend(client, settings):
    settings.EMAIL_BACKEND = "inbox.backends.CaptureEmailBackend"
    OrderConfirmationFactory()
    product = ProductFactory(name="Ullfilt Åre")
    client.post(reverse("shop:product", args=[product.slug]), {"quantity": 1})
    client.post(reverse("shop:checkout"), CHECKOUT_DETAILS)
    key = client.get(reverse("shop:payment")).context["form"].initial["checkout_key"]
    response = client.post(
        reverse("shop:payment"),
        {
            "checkout_key": key,
            "card_number": "4242 4242 4242 4242",
            "expiry": "12/30",
            "cvc": "123",
        },
    )

    order = Order.objects.get()
    assert response.url == reverse("shop:confirmation", args=[order.number])
    password = generated_password(order.token)
    assert password in client.get(response.url).content.decode()

    message = message_of(order)
    assert message.status == Message.Status.SENT
    captured = CapturedEmail.objects.get()
    assert captured.message_id == message.esp_message_id
    assert captured.to == ["asa@example.com"]
    assert password not in captured.text_body
    assert password not in captured.html_body
    [attachment] = captured.attachments.all()
    reader = PdfReader(io.BytesIO(bytes(attachment.content)))
    assert reader.is_encrypted
    assert reader.decrypt(password)
    assert "Ullfilt Åre" in reader.pages[0].extract_text()

"""One amount format (shop.money.format_amount) on the site, in the email and in the PDF."""

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from attachments.api import generated_password
from demo.emails import seed_message_templates
from shop.documents import order_context
from shop.models import OrderLine
from shop.money import format_amount
from tests.factories import OrderFactory
from tests.messaging.helpers import complete

from .test_views import add_to_cart


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("1387"), "1,387.00"),
        (Decimal("1234567.5"), "1,234,567.50"),
        (Decimal("999.99"), "999.99"),
        (Decimal("0"), "0.00"),
        (Decimal("2.005"), "2.01"),  # half up, as the VAT is rounded
        (7, "7.00"),
    ],
)
def test_amounts_have_two_decimals_and_thousands_separators(amount, text):
    assert format_amount(amount) == text


def test_another_language_gets_its_own_separators():
    assert format_amount(Decimal("1387"), language="sv") == "1\xa0387,00"


@pytest.mark.django_db
def test_cart_checkout_and_payment_pages_group_thousands(client, blanket):
    add_to_cart(client, blanket, quantity=2)  # 2 × 945.00

    cart = client.get(reverse("shop:cart")).content.decode()
    assert "1,890.00 SEK" in cart
    assert "1890.00" not in cart
    product = client.get(reverse("shop:product", args=[blanket.slug])).content.decode()
    assert 'data-thousands=","' in product  # the script recomputing the price writes the same
    assert 'data-decimal="."' in product


@pytest.mark.django_db(transaction=True)
def test_email_and_pdf_write_amounts_as_the_site_does(mailoutbox):
    seed_message_templates()
    order = OrderFactory(lines=0, subtotal=Decimal("2774.00"), total=Decimal("2774.00"))
    OrderLine.objects.create(
        order=order,
        product_name="Ullfilt Åre",
        unit_price=Decimal("1387.00"),
        quantity=2,
        line_total=Decimal("2774.00"),
    )

    complete(order)

    email = mailoutbox[0]
    html = email.alternatives[0][0]
    for body in (email.body, html):
        assert "2,774.00 SEK" in body
        assert "2774.00" not in body
    _, content, _ = email.attachments[0]
    reader = PdfReader(io.BytesIO(content))
    assert reader.decrypt(generated_password(order.token))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "1,387.00" in text  # the unit price
    assert re.search(r"Total paid\s*2,774\.00 SEK", text), text
    assert re.search(r"of which VAT 25%\s*554\.80 SEK", text), text
    assert "2774.00" not in text


@pytest.mark.django_db
def test_staff_templates_get_each_amount_as_a_number_and_as_text():
    order = OrderFactory(lines=0, subtotal=Decimal("12500.00"), total=Decimal("12500.00"))

    context = order_context(order)["order"]

    assert context["total"] == Decimal("12500.00")  # still a number for comparisons
    assert context["total_formatted"] == "12,500.00"
    assert context["vat_formatted"] == "2,500.00"

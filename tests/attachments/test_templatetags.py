"""The document password on the checkout confirmation page."""

from django.template import Context, Template
from django.urls import reverse

from attachments.documents import generated_password
from shop.views import PLACED_ORDERS_SESSION_KEY
from tests.factories import OrderFactory


def test_confirmation_page_shows_the_document_password(client, db):
    order = OrderFactory()
    session = client.session
    session[PLACED_ORDERS_SESSION_KEY] = [order.pk]
    session.save()

    response = client.get(reverse("shop:confirmation", args=[order.number]))

    assert response.status_code == 200
    content = response.content.decode()
    password = generated_password(order.token)
    assert 'data-testid="document-password"' in content
    assert f">{password}</code>" in content
    assert "Keep this password" in content
    assert "not</strong> in the email" in content


def test_tag_takes_anything_with_a_token():
    class Order:
        token = "a-token"

    html = Template("{% load documents %}{% document_password order %}").render(
        Context({"order": Order()})
    )

    assert generated_password("a-token") in html

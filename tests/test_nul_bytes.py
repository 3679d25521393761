"""A NUL byte in a request is never a 500: PostgreSQL refuses NUL in text (SQLite takes it), so
one reaching a query or a row would be a server error. Run on PostgreSQL in CI.

The middleware (config/nul_bytes.py) replaces it with U+FFFD; the webhook's JSON is checked in
tests/messaging/test_webhooks.py, command arguments in the commands' own tests."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.factories import CHECKOUT_DETAILS, OrderFactory, TextOptionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "changelist", ["admin:shop_order_changelist", "admin:messaging_message_changelist"]
)
def test_a_nul_byte_in_an_admin_filter_finds_nothing_instead_of_failing(admin_client, changelist):
    order = OrderFactory()
    admin_client.raise_request_exception = False

    response = admin_client.get(reverse(changelist), {"status__exact": "paid\x00"})

    assert response.status_code == 200
    assert order.number not in response.content.decode()


def test_a_failed_admin_login_with_a_nul_byte_in_its_user_agent_is_counted(client, settings):
    settings.AXES_ENABLED = True
    client.raise_request_exception = False

    response = client.post(
        reverse("admin:login"),
        {"username": "anna", "password": "guess"},
        HTTP_USER_AGENT="Mozilla\x00/5.0",
    )

    assert response.status_code == 200  # the login form again, with its error
    assert AccessAttempt.objects.get().user_agent == "Mozilla\ufffd/5.0"


def test_a_nul_byte_in_a_storefront_form_is_a_form_error(client):
    client.raise_request_exception = False
    option = TextOptionFactory(product__name="Mugg")
    client.post(
        reverse("shop:product", args=[option.product.slug]),
        {f"option_{option.pk}": "ok", "quantity": 1},
    )

    page = client.post(reverse("shop:checkout"), CHECKOUT_DETAILS | {"email": "a\x00@example.se"})

    assert page.status_code == 200
    assert "Enter a valid email address." in page.content.decode()


def test_a_nul_byte_at_the_end_of_a_checkout_email_is_a_form_error(client):
    # Replaced by U+FFFD, it reads as a letter of an international domain name to Django's
    # EmailValidator: the order was paid and its confirmation failed ("not valid for the ESP").
    client.raise_request_exception = False
    option = TextOptionFactory(product__name="Mugg")
    client.post(
        reverse("shop:product", args=[option.product.slug]),
        {f"option_{option.pk}": "ok", "quantity": 1},
    )

    page = client.post(
        reverse("shop:checkout"), CHECKOUT_DETAILS | {"email": "asa@example.com\x00"}
    )

    assert page.status_code == 200
    assert "Enter a valid email address." in page.content.decode()

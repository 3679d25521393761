"""One amount format (shop.money.format_amount) on the site and in the staff-template context
(the demo email and PDF print it: tests/messaging/test_demo_email.py)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from shop.documents import order_context
from shop.money import format_amount
from tests.factories import OrderFactory

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
    assert "SEK 1,890.00" in cart
    assert "1890.00" not in cart
    product = client.get(reverse("shop:product", args=[blanket.slug])).content.decode()
    assert 'data-thousands=","' in product  # the script recomputing the price writes the same
    assert 'data-decimal="."' in product


@pytest.mark.django_db
def test_staff_templates_get_each_amount_as_a_number_and_as_text():
    order = OrderFactory(lines=0, subtotal=Decimal("12500.00"), total=Decimal("12500.00"))

    context = order_context(order)["order"]

    assert context["total"] == Decimal("12500.00")  # still a number for comparisons
    assert context["total_formatted"] == "12,500.00"
    assert context["vat_formatted"] == "2,500.00"

"""The order PDF is a complete receipt: VAT, seller, payment method, units; no full card kept."""

import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from attachments.api import build_attachment
from attachments.passwords import generated_password
from shop.documents import order_context, vat_included
from shop.models import Order
from tests.factories import ReceiptFactory

from .conftest import CUSTOMER
from .test_views import add_to_cart, pay

pytestmark = pytest.mark.django_db(transaction=True)

CARD = "4242 4242 4242 4242"


@pytest.mark.parametrize(
    ("total", "rate", "vat"),
    [
        ("1000.00", "25", "200.00"),
        ("99.99", "25", "20.00"),  # 19.998 rounds to öre
        ("4575.00", "25", "915.00"),
        ("106.00", "6", "6.00"),
        ("100.00", "12", "10.71"),  # 10.714…
        ("0.02", "25", "0.00"),
    ],
)
def test_vat_included_in_a_total_is_rounded_to_ore(total, rate, vat):
    assert vat_included(Decimal(total), Decimal(rate)) == Decimal(vat)


def test_vat_rate_comes_from_settings(settings):
    settings.SHOP_VAT_RATE = Decimal("12")

    assert vat_included(Decimal("112.00")) == Decimal("12.00")


def place_two_lines(client, blanket) -> Order:
    """Five units on two lines (2 at 945.00 and 3 at 895.00: 4,575.00), paid with the test card."""
    add_to_cart(client, blanket, quantity=2, colour="Rödbrun")
    add_to_cart(client, blanket, quantity=3, colour="Skogsgrön", engraving=None)
    client.post(reverse("shop:checkout"), CUSTOMER)
    key = client.get(reverse("shop:payment")).context["form"].initial["checkout_key"]
    pay(client, key, CARD)
    return Order.objects.get()


def test_the_order_keeps_the_cards_last_four_digits(client, blanket):
    order = place_two_lines(client, blanket)

    assert order.card_last4 == "4242"
    context = order_context(order)["order"]
    assert context["payment_method"] == "Card •••• 4242"
    assert (context["line_count"], context["unit_count"]) == (2, 5)
    assert (context["total"], context["vat"]) == (Decimal("4575.00"), Decimal("915.00"))


def test_the_decrypted_pdf_is_a_complete_receipt(client, blanket, settings):
    settings.SHOP_LEGAL_NAME = "Nordiska Varor Östersund AB"
    settings.SHOP_ORG_NUMBER = "556677-8899"
    settings.SHOP_VAT_NUMBER = "SE556677889901"
    order = place_two_lines(client, blanket)
    password = generated_password(order.token)

    document = build_attachment(ReceiptFactory(), order_context(order), password)

    reader = PdfReader(io.BytesIO(document.content))
    assert reader.decrypt(password)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert re.search(r"VAT\s*25%\s*915\.00 SEK", text), text
    assert "Nordiska Varor Östersund AB" in text
    assert "556677-8899" in text
    assert "SE556677889901" in text
    assert "Card •••• 4242" in text  # DejaVu Sans draws the bullet
    assert re.search(r"\b5 units\b", text), text
    assert re.search(r"Paid 4,575\.00 SEK", text), text


def test_the_full_card_number_is_nowhere_in_the_database(client, blanket):
    place_two_lines(client, blanket)

    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the schema
            dump = repr(cursor.fetchall())
            for form in ("4242424242424242", CARD, "4242-4242-4242-4242"):
                assert form not in dump, table

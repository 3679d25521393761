"""A person buys a customised product, clicking from the home page to the confirmation."""

import pytest

from demo.catalog import seed_catalog
from shop.models import Order

from .conftest import fill_card, fill_contact_and_address

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_buy_customised_product(live_server, page):
    seed_catalog()

    page.goto(live_server.url)
    page.get_by_role("link", name="Engraved Cutting Board").click()
    page.get_by_label("Wood").select_option(label="Oak (+SEK 120.00)")
    page.get_by_label("Engraving").fill("För Åsa & Björn")
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()

    assert page.get_by_test_id("cart-total").inner_text() == "SEK 1,138.00"
    page.get_by_role("link", name="Checkout").click()
    fill_contact_and_address(page)
    page.get_by_role("button", name="Continue to payment").click()

    fill_card(page, "4000 0000 0000 0002")
    page.get_by_role("button", name="Pay SEK 1,138.00").click()
    assert "Your card was declined" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Card number").input_value() == ""

    fill_card(page)
    page.get_by_role("button", name="Pay SEK 1,138.00").click()

    number = page.get_by_test_id("order-number").inner_text()
    order = Order.objects.get()
    assert number == order.number
    assert page.get_by_text("Engraving: För Åsa & Björn").is_visible()
    assert order.lines.get().options == [
        {"name": "Wood", "value": "Oak"},
        {"name": "Engraving", "value": "För Åsa & Björn"},
    ]

"""A person buys a customised product, clicking from the home page to the confirmation."""

import pytest

from shop.demo import seed_catalog
from shop.models import Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_buy_customised_product(live_server, page):
    seed_catalog()

    page.goto(live_server.url)
    page.get_by_role("link", name="Engraved Cutting Board").click()
    page.get_by_label("Wood").select_option(label="Ek (+120.00)")
    page.get_by_label("Engraving").fill("För Åsa & Björn")
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()

    assert page.get_by_test_id("cart-total").inner_text() == "1138.00 SEK"
    page.get_by_role("link", name="Checkout").click()
    page.get_by_label("Email").fill("asa@example.com")
    page.get_by_label("First name").fill("Åsa")
    page.get_by_label("Last name").fill("Öberg")
    page.get_by_label("Address", exact=True).fill("Storgatan 12")
    page.get_by_label("Postal code").fill("831 30")
    page.get_by_label("City").fill("Östersund")
    page.get_by_role("button", name="Continue to payment").click()

    page.get_by_label("Card number").fill("4000 0000 0000 0002")
    page.get_by_label("Expiry (MM/YY)").fill("12/30")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name="Pay 1138.00 SEK").click()
    assert page.get_by_text("Your card was declined").is_visible()

    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry (MM/YY)").fill("12/30")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name="Pay 1138.00 SEK").click()

    number = page.get_by_test_id("order-number").inner_text()
    order = Order.objects.get()
    assert number == order.number
    assert page.get_by_text("Engraving: För Åsa & Björn").is_visible()
    assert order.lines.get().options == [
        {"name": "Wood", "value": "Ek"},
        {"name": "Engraving", "value": "För Åsa & Björn"},
    ]

"""The checkout forms as a customer meets them: errors, pairs, steps, country, payment.

With UX_SHOTS set to a folder, screenshots of the checkout, payment, cart and confirmation at
1280 and 390 px are saved there.
"""

import pytest

from demo.catalog import seed_catalog
from demo.emails import seed_message_templates
from shop.models import Order

from .conftest import fill_card, fill_contact_and_address, shoot
from .test_accessibility import serious_violations
from .test_phones import overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DECLINED = "4000 0000 0000 0002"
WIDTHS = [(1280, 900), (390, 844)]


def same_line(page, first: str, second: str) -> bool:
    """Whether two fields sit side by side (same top, the first left of the second)."""
    a = page.locator(f"#id_{first}").bounding_box()
    b = page.locator(f"#id_{second}").bounding_box()
    return abs(a["y"] - b["y"]) < 1 and a["x"] + a["width"] <= b["x"]


def current_step(page) -> str:
    return page.locator('.steps [aria-current="step"]').inner_text()


def test_checkout_and_payment_forms(live_server, page):
    seed_catalog()
    seed_message_templates()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url)
    page.get_by_role("link", name="Ullfilt Åre").click()
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    assert current_step(page) == "Cart"
    cart_url = page.url
    page.get_by_role("link", name="Checkout").click()
    assert current_step(page) == "Details"
    checkout_url = page.url

    # Sent empty: one alert listing every missing field, focused, each item a link to its field.
    page.get_by_role("button", name="Continue to payment").click()
    summary = page.get_by_role("alert")
    assert summary.count() == 1
    assert summary.evaluate("element => element === document.activeElement")
    links = summary.get_by_role("link")
    assert links.all_inner_texts() == [
        "First name: This field is required.",
        "Last name: This field is required.",
        "Email: This field is required.",
        "Address: This field is required.",
        "Postal code: This field is required.",
        "City: This field is required.",
    ]
    summary.get_by_role("link", name="Postal code: This field is required.").click()
    assert page.evaluate("document.activeElement.id") == "id_postal_code"
    assert page.get_by_label("Postal code").get_attribute("aria-invalid") == "true"
    found = {}
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        found[f"checkout with errors at {width}px"] = serious_violations(page)
        shoot(page, "checkout-errors")
        assert overflow(page) == 0

    # Paired fields share a line, on a phone too; the country is a list to choose from.
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        assert same_line(page, "first_name", "last_name"), width
        assert same_line(page, "postal_code", "city"), width
    page.set_viewport_size({"width": 1280, "height": 900})
    fill_contact_and_address(page)
    page.get_by_label("Phone").fill("+46 70 123 45 67")
    page.get_by_label("Country").select_option(label="Norway")
    page.get_by_role("button", name="Continue to payment").click()

    # Payment: where the confirmation goes, and a declined card's number is gone.
    assert current_step(page) == "Payment"
    payment_url = page.url
    assert "go to asa@example.com" in page.get_by_test_id("confirmation-email").inner_text()
    assert "Norway" in page.locator(".address").inner_text()
    fill_card(page, DECLINED)
    page.get_by_role("button", name="Pay").click()
    assert "Your card was declined" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Card number").input_value() == ""
    assert DECLINED.replace(" ", "") not in page.content()
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        found[f"payment after a declined card at {width}px"] = serious_violations(page)
        shoot(page, "payment-declined")
        assert overflow(page) == 0

    steps = {"cart": cart_url, "checkout": checkout_url, "payment": payment_url}
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        for name, url in steps.items():
            page.goto(url)
            shoot(page, name)

    page.set_viewport_size({"width": 1280, "height": 900})
    fill_card(page)
    page.get_by_role("button", name="Pay").click()
    page.get_by_test_id("order-number").wait_for()
    assert current_step(page) == "Done"
    order = Order.objects.get()
    assert order.customer.country == "NO"
    assert page.locator("tfoot").inner_text().split()[-2:] == ["SEK", "1,790.00"]
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        shoot(page, "confirmation")
    assert {name: problems for name, problems in found.items() if problems} == {}

"""No serious or critical accessibility violations on any storefront page (axe-core rules).

Every page of a purchase, plus the empty cart, a confirmation opened elsewhere and the 404
page, on a wide screen and a phone. axe runs after the page's own script (static/js/shop.js)
has added its buttons, so the enhanced page is what is checked.
"""

import pytest

from demo.catalog import seed_catalog
from demo.emails import seed_message_templates

from .conftest import fill_card, fill_contact_and_address

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
    ]


def test_storefront_pages_have_no_serious_accessibility_violations(live_server, page, browser):
    seed_catalog()
    seed_message_templates()
    url = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    pages = {"home": url + "/", "empty cart": url + "/cart/", "404": url + "/no-such-page/"}
    page.goto(url)
    page.get_by_role("link", name="Engraved Cutting Board").click()
    pages["product"] = page.url
    page.get_by_role("button", name="Add to cart").click()
    pages["cart"] = page.url
    page.get_by_role("link", name="Checkout").click()
    pages["checkout"] = page.url
    fill_contact_and_address(page)
    page.get_by_role("button", name="Continue to payment").click()
    pages["payment"] = page.url

    found = {}
    for width, height in [(1280, 900), (390, 844)]:
        page.set_viewport_size({"width": width, "height": height})
        for name, address in pages.items():
            if name == "empty cart":
                continue  # checked after the purchase, when the cart is empty
            page.goto(address)
            found[f"{name} at {width}px"] = serious_violations(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(pages["payment"])
    fill_card(page)
    page.get_by_role("button", name="Pay").click()
    page.get_by_test_id("order-number").wait_for()
    after = {"confirmation": page.url, "empty cart": pages["empty cart"]}
    for width, height in [(1280, 900), (390, 844)]:
        page.set_viewport_size({"width": width, "height": height})
        for name, address in after.items():
            page.goto(address)
            found[f"{name} at {width}px"] = serious_violations(page)
    browser.clear_cookies()
    page.goto(after["confirmation"])
    found["confirmation in another browser"] = serious_violations(page)

    assert {name: problems for name, problems in found.items() if problems} == {}


def test_the_check_catches_a_real_violation(live_server, page):
    """So an empty result above means a clean page, not a check that never ran."""
    page.goto(live_server.url + "/no-such-page/")
    page.set_content('<!doctype html><html lang="en"><body><img src="/x.png"></body></html>')

    assert any(problem.startswith("image-alt") for problem in serious_violations(page))

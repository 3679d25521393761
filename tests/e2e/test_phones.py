"""Every storefront page of a purchase fits a phone: nothing scrolls sideways at 390 or 360 px

One purchase is made on a desktop-sized page, then each page is revisited at each width. With
UX_SHOTS set to a folder, a full-page screenshot of every page at every width is saved there.
"""

import pytest

from demo.catalog import seed_catalog
from demo.emails import seed_message_templates
from shop.models import Order

from .conftest import fill_card, fill_contact_and_address, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONES = [(390, 844), (360, 740)]
# Between the phone layout and the desktop one.
TABLETS = [(640, 960), (768, 1024), (900, 700), (1024, 768)]
DESKTOP = (1280, 900)


def overflow(page) -> int:
    """How many pixels the page is wider than the window (0 when nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_no_storefront_page_scrolls_sideways_on_a_phone(live_server, page, settings):
    settings.EMAIL_BACKEND = "inbox.backends.CaptureEmailBackend"
    settings.DEBUG = True
    settings.DEV_INBOX = True
    seed_catalog()
    seed_message_templates()

    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    page.goto(live_server.url)
    page.get_by_role("link", name="Engraved Cutting Board").click()
    product_url = page.url
    page.get_by_label("Engraving").fill("För Åsa & Björn, med kärlek från hela familjen")
    page.get_by_role("button", name="Add to cart").click()
    page.goto(live_server.url)
    page.get_by_role("link", name="Ullfilt Åre").click()
    page.get_by_role("button", name="Add to cart").click()
    cart_url = page.url
    page.get_by_role("link", name="Checkout").click()
    checkout_url = page.url
    fill_contact_and_address(page)
    page.get_by_role("button", name="Continue to payment").click()
    payment_url = page.url

    pages = {
        "home": live_server.url + "/",
        "product": product_url,
        "cart": cart_url,
        "checkout": checkout_url,
        "payment": payment_url,
    }
    too_wide = {}
    for width, height in [DESKTOP, *PHONES, *TABLETS]:
        page.set_viewport_size({"width": width, "height": height})
        for name, url in pages.items():
            page.goto(url)
            shoot(page, name)
            if (width, height) != DESKTOP and overflow(page) > 0:
                too_wide[f"{name} at {width}px"] = overflow(page)

    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    page.goto(payment_url)
    fill_card(page)
    page.get_by_role("button", name="Pay").click()
    number = page.get_by_test_id("order-number").inner_text()
    assert number == Order.objects.get().number
    pages = {
        "confirmation": page.url,
        "inbox": f"{live_server.url}/dev/inbox/",
    }
    page.goto(pages["inbox"])
    page.get_by_test_id("inbox-email").first.click()
    pages["inbox-email"] = page.url
    # The email itself, as the inbox frames it: it narrows with a phone's screen too.
    pages["email"] = live_server.url + page.get_by_title("HTML version of the email").get_attribute(
        "src"
    )
    for width, height in [DESKTOP, *PHONES, *TABLETS]:
        page.set_viewport_size({"width": width, "height": height})
        for name, url in pages.items():
            page.goto(url)
            shoot(page, name)
            if (width, height) != DESKTOP and overflow(page) > 0:
                too_wide[f"{name} at {width}px"] = overflow(page)

    assert too_wide == {}, f"pages wider than the phone's screen (extra px): {too_wide}"


def test_the_order_summary_comes_first_on_a_phone(live_server, page):
    """On a phone the checkout's summary is above the form, so the customer sees what they pay."""
    seed_catalog()
    page.goto(live_server.url)
    page.get_by_role("link", name="Ullfilt Åre").click()
    page.get_by_role("button", name="Add to cart").click()
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("link", name="Checkout").click()
    summary = page.locator("table.summary").bounding_box()
    form = page.locator("form.card").bounding_box()
    assert summary["y"] < form["y"]
    page.set_viewport_size({"width": 1280, "height": 900})
    summary = page.locator("table.summary").bounding_box()
    form = page.locator("form.card").bounding_box()
    assert summary["x"] > form["x"]  # beside the form on a wide screen


def test_the_error_pages_fit_a_phone(live_server, page):
    """The branded 404, and the 500 page as Django renders it (empty context), on every width."""
    from django.test import RequestFactory
    from django.views.defaults import server_error

    server_error_html = server_error(RequestFactory().get("/")).content.decode()
    too_wide = {}
    for width, height in [DESKTOP, *PHONES]:
        page.set_viewport_size({"width": width, "height": height})
        response = page.goto(f"{live_server.url}/no-such-page/")
        assert response.status == 404
        assert page.get_by_test_id("not-found").is_visible()
        shoot(page, "404")
        if overflow(page) > 0:
            too_wide[f"404 at {width}px"] = overflow(page)
        page.set_content(server_error_html)  # same origin: the stylesheet loads
        page.wait_for_load_state()
        assert page.get_by_test_id("server-error").is_visible()
        shoot(page, "500")
        if overflow(page) > 0:
            too_wide[f"500 at {width}px"] = overflow(page)

    assert too_wide == {}

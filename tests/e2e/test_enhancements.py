"""The storefront's JavaScript enhancements (static/js/shop.js) under the strict CSP.

With UX_SHOTS set to a folder, screenshots at 1280 and 390 px are saved there.
"""

import pytest

from demo.catalog import seed_catalog
from demo.emails import seed_message_templates

from .conftest import fill_card, fill_contact_and_address, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def buy_a_blanket(page, live_server) -> None:
    seed_catalog()
    seed_message_templates()
    page.goto(live_server.url)
    page.get_by_role("link", name="Ullfilt Åre").click()
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name="Checkout").click()
    fill_contact_and_address(page)
    page.get_by_role("button", name="Continue to payment").click()
    fill_card(page)
    page.get_by_role("button", name="Pay").click()
    page.get_by_test_id("order-number").wait_for()


def test_copy_and_print_the_document_password(live_server, page, browser):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    browser.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.set_viewport_size({"width": 1280, "height": 900})
    buy_a_blanket(page, live_server)
    password = page.get_by_test_id("document-password").inner_text().strip()

    page.get_by_role("button", name="Copy the password").click()
    assert page.get_by_role("status").inner_text() == "Password copied."
    assert page.evaluate("navigator.clipboard.readText()") == password

    page.evaluate("window.print = () => { window.printed = true; }")  # no dialog in a test
    page.get_by_role("button", name="Print or save this page").click()
    assert page.evaluate("window.printed") is True
    shoot(page, "confirmation")

    for width, height in [(390, 844), (360, 740)]:
        page.set_viewport_size({"width": width, "height": height})
        code = page.get_by_test_id("document-password")
        line_height = code.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)")
        assert code.bounding_box()["height"] < 1.5 * line_height, "the password wrapped"
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        if width == 390:
            shoot(page, "confirmation")
    assert errors == []  # nothing refused by the Content Security Policy


def test_a_confirmation_opened_in_another_browser_explains_itself(live_server, page, browser):
    page.set_viewport_size({"width": 1280, "height": 900})
    buy_a_blanket(page, live_server)
    url = page.url
    browser.clear_cookies()

    for width, height in [(1280, 900), (390, 844)]:
        page.set_viewport_size({"width": width, "height": height})
        response = page.goto(url)
        assert response.status == 404
        assert page.get_by_role("heading", name="only where you ordered").is_visible()
        shoot(page, "confirmation-elsewhere")


def test_the_product_page_prices_the_chosen_options_and_counts_characters(live_server, page):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    seed_catalog()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url)
    page.get_by_role("link", name="Engraved Cutting Board").click()
    price = page.get_by_test_id("line-price")
    assert price.inner_text() == "SEK 449.00"

    page.get_by_label("Wood").select_option(label="Oak (+SEK 120.00)")
    assert price.inner_text() == "SEK 569.00"
    page.get_by_role("button", name="One more").click()
    page.get_by_role("button", name="One more").click()
    assert page.get_by_label("Quantity").input_value() == "3"
    assert price.inner_text() == "SEK 1,707.00"
    page.get_by_role("button", name="One fewer").click()
    assert price.inner_text() == "SEK 1,138.00"
    page.get_by_label("Quantity").fill("10")
    assert price.inner_text() == "SEK 5,690.00"

    page.get_by_label("Engraving").fill("För Åsa")
    assert page.locator(".counter").inner_text() == "7 / 30 characters"
    page.get_by_label("Engraving").fill("Grattis 🎉")
    shoot(page, "product")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shoot(page, "product")
    page.get_by_role("button", name="Add to cart").click()
    assert page.get_by_role("alert").filter(has_text="cannot show “🎉”").is_visible()
    # After the refusal the re-rendered form is priced again from what was chosen.
    assert price.inner_text() == "SEK 5,690.00"
    shoot(page, "product-refused")
    assert errors == []


def contrast(page, selector: str, prop: str, against: str = "#ffffff") -> float:
    """WCAG contrast ratio between an element's `prop` colour and a background."""
    return page.evaluate(
        """([selector, prop, against]) => {
            const toRgb = (text) => {
                const probe = document.createElement("i");
                probe.style.color = text;
                document.body.appendChild(probe);
                const rgb = getComputedStyle(probe).color.match(/\\d+/g).map(Number);
                probe.remove();
                return rgb;
            };
            const lum = (rgb) => {
                const c = rgb.slice(0, 3).map((v) => {
                    v /= 255;
                    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
                });
                return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
            };
            const el = document.querySelector(selector);
            const a = lum(toRgb(getComputedStyle(el)[prop])), b = lum(toRgb(against));
            return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        }""",
        [selector, prop, against],
    )


def test_keyboard_users_get_a_skip_link_and_visible_focus(live_server, page):
    seed_catalog()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/products/engraved-cutting-board/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.bounding_box()["y"] >= 0  # on screen once focused
    shoot(page, "skip-link")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    page.keyboard.press("Tab")  # the first link inside the main content
    focused = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focused == "solid"

    assert contrast(page, ".stepper", "borderTopColor") >= 3
    assert contrast(page, "select", "borderTopColor") >= 3
    assert contrast(page, ".help", "color") >= 4.5
    page.set_viewport_size({"width": 390, "height": 844})
    page.keyboard.press("Tab")
    shoot(page, "focus")


def test_the_printed_confirmation_names_the_shop_and_leaves_out_what_only_the_screen_needs(
    live_server, page, settings
):
    """A printout kept with the order says whose order it is, and drops the development
    banner and the "shown until 14:35" limit, which mean nothing on paper."""
    settings.DEV_INBOX = True
    page.set_viewport_size({"width": 1280, "height": 900})
    buy_a_blanket(page, live_server)
    assert page.get_by_test_id("dev-inbox-hint").is_visible()  # on screen, in development

    page.emulate_media(media="print")

    printed = page.locator("body").inner_text()
    assert "Nordic Goods" in printed
    assert page.get_by_test_id("document-password").is_visible()
    assert not page.get_by_test_id("dev-inbox-hint").is_visible()
    assert not page.get_by_test_id("details-until").is_visible()
    assert "Development mode" not in printed
    shoot(page, "confirmation-print")
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, "confirmation-print")

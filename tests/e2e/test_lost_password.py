"""The lost-password walk in a browser: a customer who bought, and later can no longer open the
PDF, follows the email's *Can't open your PDF?* address in another browser, asks for a link,
opens it from the email, reads the password and downloads the PDF again — which opens with it.

With UX_SHOTS set to a folder, screenshots at 1280 and 390 px are saved there.
"""

import io
import re

import pytest
from django.core import mail
from pypdf import PdfReader

from demo.emails import seed_message_templates
from shop.models import Order
from tests.factories import OrderFactory
from tests.messaging.helpers import complete

from .conftest import shoot
from .test_accessibility import serious_violations
from .test_enhancements import buy_a_blanket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [(1280, 900), (390, 844)]


def fits(page) -> None:
    """Nothing wider than the screen (no sideways scrolling on a phone)."""
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def shoot_both(page, name: str) -> None:
    """Each screen at both widths: it fits, axe finds nothing serious, and (UX_SHOTS) a picture."""
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        fits(page)
        if not name.startswith("email-"):
            assert serious_violations(page) == [], name
        shoot(page, name)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_customer_gets_back_into_the_pdf_with_a_link_from_the_email(
    live_server, page, browser, settings
):
    settings.MESSAGING_PUBLIC_URL = live_server.url
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.set_viewport_size({"width": 1280, "height": 900})
    buy_a_blanket(page, live_server)
    order = Order.objects.get()
    [confirmation] = mail.outbox
    help_url = re.search(r"http://\S+/documents/en/lost-password/", confirmation.body)[0]
    browser.clear_cookies()  # weeks later, on another computer

    page.goto(help_url)
    shoot_both(page, "lost-password-form")
    page.get_by_label("Order number").fill(order.number)
    page.get_by_label("Email address").fill("asa@example.com")
    page.get_by_role("button", name="Email me a link").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    shoot_both(page, "lost-password-requested")

    link = re.search(r"http://\S+/documents/open/\S+/", mail.outbox[-1].body)[0]
    page.goto(link)
    shoot_both(page, "lost-password-open")
    page.get_by_role("button", name="Show my password and documents").click()
    password = page.get_by_test_id("document-password").inner_text().strip()
    shoot_both(page, "lost-password-shown")
    for width, height in [(390, 844), (360, 740)]:
        page.set_viewport_size({"width": width, "height": height})
        code = page.get_by_test_id("document-password")
        line_height = code.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)")
        assert code.bounding_box()["height"] < 1.5 * line_height, "the password wrapped"
        fits(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    with page.expect_download() as download:
        page.get_by_test_id("download-document").click()
    reader = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    assert reader.decrypt(password)
    assert order.number in reader.pages[0].extract_text()

    page.goto(link)
    page.get_by_role("heading", name="This link no longer works").wait_for()
    shoot_both(page, "lost-password-gone")
    assert errors == []  # nothing refused by the Content Security Policy
    # The two emails as a mail app shows them (UX_SHOTS).
    for name, email in [("email-confirmation", confirmation), ("email-link", mail.outbox[-1])]:
        page.set_content(email.alternatives[0][0])
        shoot_both(page, name)


def test_the_walk_in_swedish(live_server, page, settings):
    settings.MESSAGING_PUBLIC_URL = live_server.url
    seed_message_templates()
    order = complete(OrderFactory(language="sv", customer__email="asa@example.com"))
    [confirmation] = mail.outbox
    help_url = re.search(r"http://\S+/documents/sv/lost-password/", confirmation.body)[0]

    page.goto(help_url)
    assert page.locator("html").get_attribute("lang") == "sv"
    page.get_by_role("button", name="Mejla mig en länk").click()  # empty: says what is missing
    page.get_by_role("alert").wait_for()
    shoot_both(page, "lost-password-form-sv")
    page.get_by_label("Ordernummer").fill(order.number)
    page.get_by_label("E-postadress").fill("asa@example.com")
    page.get_by_role("button", name="Mejla mig en länk").click()
    page.get_by_role("heading", name="Titta i din e-post").wait_for()
    shoot_both(page, "lost-password-requested-sv")
    link = re.search(r"http://\S+/documents/open/\S+/", mail.outbox[-1].body)[0]
    page.goto(link)
    shoot_both(page, "lost-password-open-sv")
    page.get_by_role("button", name="Visa mitt lösenord och mina dokument").click()
    password = page.get_by_test_id("document-password").inner_text().strip()
    shoot_both(page, "lost-password-shown-sv")
    with page.expect_download() as download:
        page.get_by_test_id("download-document").click()
    reader = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    assert reader.decrypt(password)
    assert order.number in reader.pages[0].extract_text()
    page.goto(link)
    page.get_by_role("heading", name="Den här länken fungerar inte längre").wait_for()
    shoot_both(page, "lost-password-gone-sv")
    for name, email in [
        ("email-confirmation-sv", confirmation),
        ("email-link-sv", mail.outbox[-1]),
    ]:
        page.set_content(email.alternatives[0][0])
        shoot_both(page, name)

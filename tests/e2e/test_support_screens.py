"""The support screens at a laptop's 1280 px: the outbox list fits without clipping, a message's
page leads to the email as sent and to a confirmed resend, the order page offers the resend.

Set SCREENSHOT_DIR to keep a screenshot of each screen."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from demo.catalog import seed_catalog
from demo.emails import seed_message_templates
from messaging import delivery
from messaging.models import Message
from tests.factories import OrderFactory, UserFactory
from tests.messaging.helpers import messages_of, queue_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_ERROR = "550 5.1.1 <someone@example.invalid>: Recipient address rejected: " * 4


def fits(page) -> bool:
    """Nothing wider than the window, no table wider than its box (the change list's box
    scrolls sideways, hiding the last columns)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth"
        " && [...document.querySelectorAll('table')].every(t =>"
        " t.getBoundingClientRect().right <= Math.min(window.innerWidth,"
        " t.parentElement.getBoundingClientRect().right) + 1)"
    )


def shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_support_follows_and_resends_an_email_at_1280_px(live_server, page):
    seed_catalog()
    seed_message_templates()
    UserFactory(username="staff", is_staff=True, is_superuser=True)
    orders = [OrderFactory() for _ in range(6)]
    sent = queue_order(orders[0])
    delivery.deliver_message(message_id=sent.pk)
    for order in orders[1:]:
        queue_order(order)
    failed = messages_of(orders[1]).get()
    Message.objects.filter(pk=failed.pk).update(status="failed", last_error=LONG_ERROR)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("staff")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_have_text("Nordic Goods back office")
    expect(page.get_by_role("link", name="Layout revisions")).to_have_count(0)
    shot(page, "index")

    page.get_by_role("link", name="Messages", exact=True).click()
    expect(page.locator(".message-status-failed")).to_have_text("Failed")
    shot(page, "message-list")
    assert fits(page)
    number = page.locator("td.field-event_link a").first
    assert number.evaluate("a => getComputedStyle(a.parentElement).whiteSpace") == "nowrap"

    # A bulk resend asks for a reason too.
    page.locator(f'input[name="_selected_action"][value="{failed.pk}"]').check()
    page.locator('select[name="action"]').select_option("resend_selected")
    page.get_by_role("button", name="Go").click()
    page.get_by_label("Reason").fill("Mailbox was full")
    shot(page, "resend-selected-confirm")
    page.get_by_role("button", name="Yes, resend them").click()
    expect(page.get_by_text("1 resend(s) queued.")).to_be_visible()

    page.goto(f"{live_server.url}/admin/messaging/message/{sent.pk}/change/")
    expect(page.get_by_text("Next attempt at")).to_have_count(0)
    shot(page, "message")
    assert fits(page)

    page.get_by_role("link", name="View the email as sent").click()
    expect(page.get_by_test_id("as-sent-subject")).to_contain_text(orders[0].number)
    assert page.get_by_title("HTML email").get_attribute("sandbox") == ""
    shot(page, "as-sent")
    assert fits(page)

    page.goto(f"{live_server.url}/admin/shop/order/{orders[0].pk}/change/")
    expect(page.get_by_text(orders[0].customer.address_line1)).to_be_visible()
    expect(page.locator(".deletelink")).to_have_count(0)
    shot(page, "order")
    assert fits(page)
    page.get_by_role("link", name="Resend the order confirmation…").click()
    shot(page, "resend-confirm")
    page.get_by_label("Reason").fill("Customer says it never arrived")
    page.get_by_role("button", name="Yes, resend it").click()
    expect(page.get_by_text("Resend queued as message")).to_be_visible()
    assert messages_of(orders[0]).filter(resend_of=sent).exists()

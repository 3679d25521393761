"""The delivery health page in Chromium at 1280 px: charts drawn, nothing blocked by the CSP.

Here rather than in tests/operations: one Playwright session serves every browser test
(tests/e2e/conftest.py), and a second one cannot run beside it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from messaging.models import Message, MessageEvent
from operations.alerting import check_delivery_health
from tests.factories import UserFactory
from tests.operations.conftest import accept, make_message

from .conftest import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def busy_day():
    """A day of traffic: accepted emails every hour, a few failures, a stuck queue."""
    now = timezone.now()
    for hour in range(24):
        for n in range(1 + hour % 4):
            at = now - timedelta(hours=hour, minutes=n)
            message = make_message(age=timedelta(hours=hour, minutes=n, seconds=30 + 20 * n))
            accept(message, at=at)
            Message.objects.filter(pk=message.pk).update(sent_at=at)
        if hour % 5 == 0:
            make_message(
                status=Message.Status.FAILED,
                age=timedelta(hours=hour),
                last_error="Postmark API responded 422 (error code 300: Invalid 'From' address).",
            )
    accept(make_message()).record(
        MessageEvent.Kind.TRACKING, esp_event_type="bounced", esp_event_id="b-1"
    )
    make_message(age=timedelta(minutes=25))


def test_the_dashboard_renders_its_charts_at_1280px(live_server, page, tmp_path, settings):
    busy_day()
    check_delivery_health()
    UserFactory(username="staff", is_staff=True, is_superuser=True)
    blocked = []
    page.on(
        "console", lambda msg: blocked.append(msg.text) if "Content Security" in msg.text else None
    )
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("staff")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    # The index has loaded (a screenshot taken mid-navigation fails in Chromium).
    expect(page.get_by_role("link", name="Delivery health")).to_be_visible()
    page.wait_for_load_state()
    page.screenshot(path=str(tmp_path / "admin-index.png"))
    page.get_by_role("link", name="Delivery health").click()

    charts = page.locator("svg.ops-chart")
    expect(charts).to_have_count(5)
    assert page.locator('svg[data-chart="latency"] rect[data-series="p95"]').count() == 24
    box = page.locator('svg[data-chart="hourly-status"]').bounding_box()
    assert box["width"] > 500  # drawn, at its size
    assert page.get_by_test_id("queued").inner_text() == "1"
    assert page.locator('tr[data-rule="queue_age"] .ops-firing').is_visible()
    assert blocked == []
    page.screenshot(path=str(tmp_path / "delivery-health.png"), full_page=True)


def test_the_index_link_to_the_dashboard_fits_a_phone(live_server, page):
    """The description used to sit beside the link in a column the admin keeps on one line: at
    390 px it squeezed "Delivery health" into a column one letter wide."""
    UserFactory(username="staff", is_staff=True, is_superuser=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("staff")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()

    link = page.get_by_role("link", name="Delivery health")
    expect(link).to_be_visible()
    box = link.bounding_box()
    assert box["width"] > 80  # the words side by side
    assert box["height"] < 30  # on one line
    assert page.get_by_text("Messages per status, latency, failures").is_visible()


def open_dashboard(live_server, page, width: int) -> None:
    busy_day()
    check_delivery_health()
    UserFactory(username="staff", is_staff=True, is_superuser=True)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/admin/login/?next=/admin/delivery-health/")
    page.get_by_label("Username").fill("staff")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("svg.ops-chart")).to_have_count(5)


def test_the_dashboard_fits_a_phone_without_scrolling_sideways(live_server, page):
    open_dashboard(live_server, page, 390)

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "delivery-health")


@pytest.mark.parametrize("chart", ["hourly-status", "latency"])
def test_the_hourly_charts_fill_their_card_at_1280px(live_server, page, chart):
    open_dashboard(live_server, page, 1280)

    svg = page.locator(f'svg[data-chart="{chart}"]')
    card = svg.locator("xpath=ancestor::div[contains(@class, 'ops-card')][1]")
    inner = card.evaluate(
        "el => el.clientWidth - parseFloat(getComputedStyle(el).paddingLeft)"
        " - parseFloat(getComputedStyle(el).paddingRight)"
    )
    assert svg.bounding_box()["width"] >= 0.95 * inner
    # Its labels stay the size of the page's text, not blown up with the drawing.
    label = svg.locator("text").first.bounding_box()
    assert label["height"] < 20
    shoot(page, "delivery-health")

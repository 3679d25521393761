"""The delivery health page: what staff see, and who may see it."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from messaging.models import Message, MessageEvent
from operations.alerting import check_delivery_health
from tests.factories import StaffFactory

from .conftest import accept, make_message

pytestmark = pytest.mark.django_db

URL = "/admin/delivery-health/"
REFUSED = "Postmark API responded 422 (error code 300: Invalid 'From' address)."


@pytest.fixture
def ops_client(client):
    """Staff with the permission to view messages (and nothing else)."""
    user = StaffFactory(username="ops")
    user.user_permissions.add(Permission.objects.get(codename="view_message"))
    client.force_login(user)
    return client


@pytest.fixture
def outbox():
    """Two queued (one 20 min old), one accepted 90 s after its order, two failed for one
    reason and one for another, a bounce and a complaint; plus an old message outside 24 h."""
    make_message(age=timedelta(minutes=20))
    make_message()
    accepted = accept(make_message(age=timedelta(seconds=90)))
    failed = [
        make_message(status=Message.Status.FAILED, last_error=REFUSED, attempts=1) for _ in range(2)
    ]
    make_message(status=Message.Status.FAILED, last_error="Template error: boom", attempts=1)
    accepted.record(MessageEvent.Kind.TRACKING, esp_event_type="bounced", esp_event_id="b1")
    accepted.record(MessageEvent.Kind.TRACKING, esp_event_type="complained", esp_event_id="c1")
    accept(make_message(age=timedelta(days=3)), at=timezone.now() - timedelta(days=3))
    return failed


def svg(html: str, name: str) -> str:
    match = re.search(rf'<svg class="ops-chart[^"]*" data-chart="{name}".*?</svg>', html, re.S)
    assert match, f"no {name} chart"
    return match.group(0)


def test_staff_see_charts_queue_failures_tracking_and_alerts(ops_client, outbox, settings):
    settings.ALERT_QUEUE_AGE_MINUTES = 15
    check_delivery_health()  # beat's check: the queue rule fires from now on
    response = ops_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()

    # Per-status bars per window: 24 h holds 6 messages, 7 days 7.
    day = svg(html, "status-0")
    assert re.search(r'data-status="failed"[^>]*/><text class="ops-value"[^>]*>3</text>', day)
    assert re.search(r'data-status="queued"[^>]*/><text class="ops-value"[^>]*>2</text>', day)
    assert "Last 24 h — 6 messages" in html
    assert "Last 7 days — 7 messages" in html
    # The hourly chart stacks this hour's six; the latency chart draws p50 and p95.
    hourly = re.findall(r"<title>\d\d:00 (\w+): (\d+)</title>", svg(html, "hourly-status"))
    assert sum(int(n) for _, n in hourly) == 6
    latency = svg(html, "latency")
    assert 'data-series="p50"' in latency
    assert "p50 90.0 s (1 emails)" in latency  # 90 s, ordered to accepted

    # The queue now.
    assert re.search(r'data-testid="queued">2<', html)
    assert re.search(r'data-testid="oldest-queued">20\xa0minutes<', html)

    # Failures by reason, the most frequent first.
    reasons = re.findall(r'<td><a href="([^"]+)">([^<]+)</a></td><td>(\d+)</td>', html)
    assert [(unescape(r), int(n)) for _, r, n in reasons] == [
        (REFUSED, 2),
        ("Template error: boom", 1),
    ]

    # Bounces and complaints from tracking.
    assert re.search(r'data-event="bounced"><td>bounced</td><td>1</td><td>1</td>', html)
    assert re.search(r'data-event="complained"><td>complained</td><td>1</td>', html)

    # Alert rules: the queue rule fires, since beat's check; the others are ok.
    assert re.search(
        r'data-rule="queue_age">\s*<td[^>]*>[^<]+</td>\s*<td><span class="ops-firing">', html
    )
    assert re.search(
        r'data-rule="sender_outage">\s*<td[^>]*>[^<]+</td>\s*<td><span class="ops-ok">', html
    )
    assert "Oldest queued message" in html
    assert "<script>" not in html  # the CSP allows no inline script


def test_a_failure_reason_links_to_exactly_those_messages(ops_client, outbox):
    html = ops_client.get(URL).content.decode()
    link = unescape(re.search(r'<td><a href="([^"]+)">' + re.escape("Postmark"), html).group(1))
    listing = ops_client.get(link)
    assert listing.status_code == 200
    page = listing.content.decode()
    shown = {int(pk) for pk in re.findall(r"/admin/messaging/message/(\d+)/change/", page)}
    assert shown == {m.pk for m in outbox}


def test_staff_without_the_message_permission_get_a_403(client):
    client.force_login(StaffFactory(username="no-perm"))
    assert client.get(URL).status_code == 403
    assert "Delivery health" not in client.get("/admin/").content.decode()


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_admin_index_links_to_the_dashboard(ops_client):
    html = ops_client.get("/admin/").content.decode()
    assert f'<a href="{URL}">Delivery health</a>' in html


def test_the_page_counts_the_last_weeks_events_by_type(ops_client):
    make_message(event_type="shipping_update")
    make_message(
        event_type="shipping_update", status=Message.Status.FAILED, last_error="Template error: x"
    )
    accept(make_message())
    accept(make_message(age=timedelta(days=8)), at=timezone.now() - timedelta(days=8))
    for message in Message.objects.all():
        message.sync_event_status()

    html = ops_client.get(URL).content.decode()

    table = re.search(r'<table[^>]*data-testid="event-types".*?</table>', html, re.S).group(0)
    rows = {
        cells[0]: cells[1:]
        for cells in (
            [
                unescape(re.sub(r"<[^>]+>", "", c)).strip()
                for c in re.findall(r"<t[dh][^>]*>.*?</t[dh]>", row, re.S)
            ]
            for row in re.findall(r"<tr[^>]*>.*?</tr>", table, re.S)
        )
    }
    header = rows.pop("Event type")
    shipping = dict(zip(header, rows["shipping_update"], strict=True))
    confirmation = dict(zip(header, rows["order_confirmation"], strict=True))
    assert (shipping["Events"], shipping["Pending"], shipping["Failed"]) == ("2", "1", "1")
    assert (confirmation["Events"], confirmation["Sent"], confirmation["Failed"]) == ("1", "1", "0")

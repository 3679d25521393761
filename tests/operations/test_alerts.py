"""Alert rules against real outbox rows: each fires, emails once per window, and resolves."""

from datetime import UTC, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from messaging.delivery import deliver_message
from messaging.models import Message, MessageEvent
from operations.alerting import check_delivery_health
from operations.models import AlertEvent, AlertState, RelayHeartbeat
from tests.factories import OrderEventFactory, OrderFactory
from tests.messaging.fake_esp import OK, Step
from tests.messaging.helpers import queue_order

from .conftest import OPS, accept, alert_emails, make_message

pytestmark = pytest.mark.django_db

UNAUTHORIZED = Step(401, {"ErrorCode": 10, "Message": "Bad or missing API token"})


def outage_emails() -> list[str]:
    return [e.subject for e in alert_emails() if "ESP refuses" in e.subject]


def firing(findings) -> set[str]:
    return {f.rule for f in findings if f.firing}


def run_command(capsys) -> tuple[int, list[str]]:
    """`manage.py check_delivery_health`: its exit status and its output lines."""
    try:
        call_command("check_delivery_health")
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, capsys.readouterr().out.strip().splitlines()


def test_an_esp_refusing_our_token_alerts_once_per_window_then_resolves(
    alerts, confirmation_template, fake_postmark, capsys
):
    fake_postmark.default = UNAUTHORIZED
    order = OrderFactory(customer__email="kund@example.se")
    message = queue_order(order)
    deliver_message(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED  # held, not failed

    code, lines = run_command(capsys)
    assert code == 1
    assert [line.split(":")[0] for line in lines] == ["FIRING sender_outage"]
    [email] = alert_emails()
    assert email.to == [OPS]
    assert email.subject == "[Sealpost alert] FIRING: ESP refuses our credentials"
    assert "1 messages are held queued" in email.body
    assert "kund@example.se" not in email.body + email.subject  # counts and ids only

    # Checked again within the repeat window: still firing, no second email.
    check_delivery_health()
    check_delivery_health(now=timezone.now() + timedelta(minutes=30))
    assert len(outage_emails()) == 1
    # An hour later, a reminder.
    check_delivery_health(now=timezone.now() + timedelta(minutes=61))
    assert outage_emails()[-1] == "[Sealpost alert] STILL FIRING: ESP refuses our credentials"

    # The token is fixed; the held message goes out; the next check says so, once.
    fake_postmark.default = OK
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    deliver_message(message_id=message.pk)
    code, lines = run_command(capsys)
    assert code == 0
    assert lines == ["OK: 6 rules checked, none firing."]
    assert outage_emails()[-1] == "[Sealpost alert] RESOLVED: ESP refuses our credentials"
    check_delivery_health()
    assert len(outage_emails()) == 3
    kinds = list(
        AlertEvent.objects.filter(rule="sender_outage")
        .order_by("id")
        .values_list("kind", "email_sent")
    )
    assert kinds == [("firing", True), ("reminder", True), ("resolved", True)]


def test_an_old_queued_message_fires_until_it_is_sent(alerts, settings, capsys):
    settings.ALERT_QUEUE_AGE_MINUTES = 15
    young = make_message(age=timedelta(minutes=5))
    assert "queue_age" not in firing(check_delivery_health())
    old = make_message(age=timedelta(minutes=20))

    code, lines = run_command(capsys)
    assert code == 1
    assert f"(#{old.pk}, order_confirmation) has waited 20 min; 2 queued (limit 15 min)" in lines[0]
    accept(old)
    accept(young)
    assert "queue_age" not in firing(check_delivery_health())
    assert [e.subject for e in alert_emails()] == [
        "[Sealpost alert] FIRING: Oldest queued message",
        "[Sealpost alert] RESOLVED: Oldest queued message",
    ]


def test_failure_ratio_needs_the_minimum_sample_then_fires(alerts, settings):
    settings.ALERT_FAILURE_RATIO = 0.2
    for _ in range(2):
        make_message(status=Message.Status.SENDING, attempts=1).mark_failed(reason="Boom.")
    accept(make_message())
    assert "failure_ratio" not in firing(check_delivery_health())  # 2 of 3: too few to judge

    failed = make_message(status=Message.Status.SENDING, attempts=1)
    failed.mark_failed(reason="Template error: nope")
    for _ in range(6):
        accept(make_message())
    findings = {f.rule: f for f in check_delivery_health()}
    assert findings["failure_ratio"].firing
    assert findings["failure_ratio"].summary.startswith(
        "3 of 10 outcomes in the last 60 min failed (30%; limit 20% over at least 10)."
    )
    assert f"#{failed.pk}" in findings["failure_ratio"].summary
    # An hour later the window holds nothing: resolved.
    later = timezone.now() + timedelta(minutes=61)
    assert "failure_ratio" not in firing(check_delivery_health(now=later))
    assert AlertState.objects.get(rule="failure_ratio").firing is False


def test_orders_without_an_accepted_email_fire(alerts, settings):
    settings.ALERT_NO_ACCEPTANCE_MINUTES = 30
    accept(make_message(age=timedelta(hours=3)), at=timezone.now() - timedelta(hours=3))
    waiting = OrderEventFactory()  # its message never went out (nor was even written)
    type(waiting).objects.filter(pk=waiting.pk).update(
        created_at=timezone.now() - timedelta(minutes=45)
    )
    findings = {f.rule: f for f in check_delivery_health()}
    assert findings["no_acceptance"].firing
    assert waiting.reference in findings["no_acceptance"].summary
    assert "oldest waited 45 min" in findings["no_acceptance"].summary

    accept(make_message())  # the ESP accepts again
    assert "no_acceptance" not in firing(check_delivery_health())


def test_a_quiet_night_then_one_new_order_does_not_fire(alerts):
    accept(make_message(age=timedelta(hours=8)), at=timezone.now() - timedelta(hours=8))
    OrderFactory()
    assert "no_acceptance" not in firing(check_delivery_health())


def test_bounce_ratio_from_tracking_events(alerts, settings):
    settings.ALERT_BOUNCE_RATIO = 0.1
    for index in range(10):
        message = accept(make_message())
        kind = "bounced" if index < 2 else "delivered"
        message.record(MessageEvent.Kind.TRACKING, esp_event_type=kind, esp_event_id=f"e{index}")
    finding = {f.rule: f for f in check_delivery_health()}["bounce_ratio"]
    assert finding.firing
    assert finding.summary.startswith("2 of 10 tracked deliveries in the last 24 h bounced")
    assert alert_emails()[-1].subject == "[Sealpost alert] FIRING: Bounce ratio"


def test_a_relay_stopped_for_less_than_a_minute_says_when_it_last_ran(alerts, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.MESSAGING_RELAY_INTERVAL_SECONDS = 1
    settings.ALERT_RELAY_MISSED_RUNS = 5
    last_run = timezone.now() - timedelta(seconds=40)
    RelayHeartbeat.objects.update_or_create(pk=1, defaults={"last_run_at": last_run, "runs": 9})

    finding = {f.rule: f for f in check_delivery_health()}["relay"]

    assert finding.firing
    assert "0 min" not in finding.summary
    assert finding.summary.startswith(
        f"The relay last ran at {last_run.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC, 40 s ago"
    )
    assert finding.summary in alert_emails()[-1].body


def test_a_stopped_relay_fires_and_a_cron_run_of_relay_messages_clears_it(alerts, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a broker is configured: the relay must run
    settings.MESSAGING_RELAY_INTERVAL_SECONDS = 60
    settings.ALERT_RELAY_MISSED_RUNS = 5
    RelayHeartbeat.objects.update_or_create(
        pk=1, defaults={"last_run_at": timezone.now() - timedelta(minutes=6), "runs": 3}
    )
    finding = {f.rule: f for f in check_delivery_health()}["relay"]
    assert finding.firing
    assert finding.summary.startswith("The relay last ran at ")
    assert "UTC, 6 min ago (3 runs recorded" in finding.summary

    call_command("relay_messages")
    assert "relay" not in firing(check_delivery_health())
    assert RelayHeartbeat.objects.get().runs == 4
    assert [e.subject for e in alert_emails()] == [
        "[Sealpost alert] FIRING: Relay stopped",
        "[Sealpost alert] RESOLVED: Relay stopped",
    ]


def test_beats_relay_task_counts_as_a_run(settings):
    from messaging.tasks import relay_due_messages

    RelayHeartbeat.objects.all().delete()
    relay_due_messages.apply()
    assert RelayHeartbeat.objects.get().runs == 1


def test_an_alert_that_cannot_be_emailed_is_logged_recorded_and_retried(alerts, settings, caplog):
    from tests.messaging.conftest import closed_port

    settings.ALERT_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.ALERT_NO_ACCEPTANCE_MINUTES = 120  # only the queue rule fires here
    make_message(age=timedelta(hours=1))

    check_delivery_health()
    event = AlertEvent.objects.get(rule="queue_age")
    assert not event.email_sent
    assert event.email_error == "the alert email backend failed (ConnectionRefusedError)"
    assert "Alert queue_age (firing) could not be emailed" in caplog.text

    # The mail server is back: the next check sends it (as a reminder), and says one failed.
    settings.ALERT_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    check_delivery_health()
    [email] = alert_emails()
    assert email.subject == "[Sealpost alert] STILL FIRING: Oldest queued message"
    assert "1 earlier alert emails could not be sent" in email.body


def test_without_recipients_the_alert_is_recorded_and_says_so(alerts, settings):
    settings.MESSAGING_ALERT_EMAILS = []
    make_message(age=timedelta(hours=1))
    check_delivery_health()
    event = AlertEvent.objects.get(rule="queue_age")
    assert (event.email_sent, event.email_error) == (False, "MESSAGING_ALERT_EMAILS is empty")


def test_beats_health_check_task_alerts_like_the_command(alerts, settings):
    from operations.tasks import check_delivery_health as beat_task

    assert settings.CELERY_TASK_ROUTES["operations.check_delivery_health"] == {
        "queue": settings.MESSAGING_RELAY_QUEUE
    }
    make_message(age=timedelta(minutes=20))
    beat_task.apply()
    assert [e.subject for e in alert_emails()] == ["[Sealpost alert] FIRING: Oldest queued message"]


@pytest.mark.parametrize(
    ("minutes", "written"),
    [
        (0, "0 min"),
        (15, "15 min"),
        (60, "60 min"),
        (90, "90 min"),
        (120, "2 h"),
        (150, "2 h 30 min"),
        (1440, "24 h"),
        (2880, "48 h"),
    ],
)
def test_a_duration_in_a_summary_reads_as_people_say_it(minutes, written):
    from operations.rules import duration

    assert duration(minutes) == written


def test_alerts_name_the_event_types_concerned(alerts, settings):
    settings.ALERT_FAILURE_RATIO = 0.2
    settings.ALERT_QUEUE_AGE_MINUTES = 10
    old = make_message(event_type="shipping_update", age=timedelta(minutes=30))
    for _ in range(3):
        failed = make_message(event_type="shipping_update", status=Message.Status.SENDING)
        failed.mark_failed(reason="Template error: nope")
    for _ in range(7):
        accept(make_message())

    findings = {f.rule: f for f in check_delivery_health()}

    assert findings["queue_age"].firing
    assert f"(#{old.pk}, shipping_update)" in findings["queue_age"].summary
    assert findings["failure_ratio"].firing
    assert "Failed by event type: shipping_update 3 of 3." in findings["failure_ratio"].summary
    body = alert_emails()[-1].body if alert_emails() else ""
    assert "shipping_update" in body

"""The delivery engine on Anymail's test backend: fast, no network."""

import io
from datetime import timedelta

import pytest
from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from anymail.signals import AnymailTrackingEvent
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from attachments.api import generated_password
from config import celery
from inbox.models import CapturedEmail
from messaging import delivery, outbox, relay, tracking
from messaging.models import Message, MessageEvent, MessageTemplate
from tests.factories import (
    AttachmentTemplateFactory,
    MessageTemplateFactory,
    OrderFactory,
    publish_newest,
)
from tests.messaging.helpers import (
    complete,
    deliver_order,
    messages_of,
    queue_order,
    send_order_event,
)

pytestmark = pytest.mark.django_db


def test_one_order_sends_one_email_with_one_encrypted_pdf(
    confirmation_template, mailoutbox, django_capture_on_commit_callbacks
):
    order = OrderFactory(customer__first_name="Åsa", customer__address_line2="Lägenhet 1102")
    complete(order)

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    html = email.alternatives[0][0]
    assert email.to == [order.customer.email]
    assert email.subject == f"Receipt for order {order.number} from Nordic Goods"
    assert "Hello Åsa," in email.body
    # What the template asks for, rendered against this order: its number and date (in the
    # shop's time zone), what was bought, the total, how to open the PDF; inside the layout.
    placed = timezone.localtime(order.created_at)
    for body in (email.body, html):
        assert f"we have your order {order.number} of {placed:%Y-%m-%d}:" in body
        assert "Mugg Fjällräv" in body
        assert "Paid: 250.00 SEK" in body  # the total
        assert "document password" in body
        assert "Nordic Goods" in body  # the layout's frame and signature
    assert "2 x Mugg Fjällräv: 250.00" in email.body
    assert "2 &times; Mugg Fjällräv: 250.00 SEK" in html
    assert f"<h1>Order {order.number}</h1>" in html
    assert f"Sent because you ordered {order.number}." in html
    assert email.body.endswith("-- \nNordic Goods\n")
    # Never the personal data: that is in the encrypted PDF only.
    password = generated_password(order.token)
    customer = order.customer
    personal = [
        password,
        customer.address_line1,
        customer.address_line2,
        customer.postal_code,
        customer.city,
        customer.phone,
        "Hej Åsa",  # the line's text option (an engraving)
        "Mörkblå",  # options are never printed in the email
    ]
    for value in personal:
        assert value not in email.body
        assert value not in html
        assert value not in email.subject
    assert email.anymail_test_params["metadata"] == {"message_id": str(messages_of(order).get().pk)}
    assert email.anymail_test_params["tags"] == ["order_confirmation"]

    [(filename, content, mimetype)] = email.attachments
    assert (filename, mimetype) == (f"order-{order.number}.pdf", "application/pdf")
    reader = PdfReader(io.BytesIO(content))
    assert reader.is_encrypted
    assert not reader.decrypt("wrong password")
    assert reader.decrypt(password)
    text = reader.pages[0].extract_text()
    assert order.number in text
    assert "Mugg Fjällräv" in text

    message = messages_of(order).get()
    assert message.status == Message.Status.SENT
    assert message.attempts == 1
    assert message.template_revision == confirmation_template.current_revision()
    kinds = list(message.events.values_list("kind", flat=True))
    assert kinds == ["queued", "claimed", "rendered", "attachment_built", "sent"]
    assert message.events.get(kind="attachment_built").size == len(content)


def test_message_row_is_written_with_the_order_and_delivery_waits_for_commit(
    confirmation_template, mailoutbox, django_capture_on_commit_callbacks
):
    order = OrderFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        send_order_event(order)
    message = messages_of(order).get()
    assert message.status == Message.Status.QUEUED
    assert mailoutbox == []
    assert len(callbacks) == 1


def test_a_rolled_back_order_leaves_no_message(confirmation_template, mailoutbox):
    order = OrderFactory()

    def reversed_payment():
        with transaction.atomic():
            send_order_event(order)
            raise RuntimeError("payment reversed")

    with pytest.raises(RuntimeError):
        reversed_payment()
    assert not Message.objects.exists()


def test_queue_message_is_idempotent_for_the_first_message(confirmation_template):
    order = OrderFactory()
    first = queue_order(order)
    again = queue_order(order)
    resend = outbox.queue_message(event=first.event, resend_of=first)
    assert first == again
    assert (first.sequence, resend.sequence) == (0, 1)
    assert resend.resend_of == first


def test_delivering_twice_sends_once(confirmation_template, mailoutbox, settings):
    order = OrderFactory()
    message = queue_order(order)
    delivery.deliver_message(message_id=message.pk)
    assert delivery.deliver_message(message_id=message.pk) is None
    assert len(mailoutbox) == 1


def test_a_delivery_webhook_that_beats_our_own_write_is_kept(
    confirmation_template, mailoutbox, monkeypatch
):
    # The ESP answers, and its "delivered" webhook lands before the worker records "sent".
    message = queue_order(OrderFactory())
    send = EmailMessage.send

    def send_then_webhook(email, *args, **kwargs):
        sent = send(email, *args, **kwargs)
        tracking.record_tracking_event(
            event=AnymailTrackingEvent(
                event_type="delivered",
                message_id=email.anymail_status.message_id,
                metadata={"message_id": str(message.pk)},
                event_id="early-webhook",
            ),
            esp_name="Test",
        )
        return sent

    monkeypatch.setattr(EmailMessage, "send", send_then_webhook)
    delivered = delivery.deliver_message(message_id=message.pk)

    assert delivered.status == Message.Status.DELIVERED
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED
    assert message.esp_message_id == str(mailoutbox[0].anymail_status.message_id)
    assert message.sent_at is not None
    assert message.claimed_until is None
    kinds = list(message.events.values_list("kind", flat=True))
    assert kinds == ["queued", "claimed", "rendered", "attachment_built", "tracking", "sent"]


def _expire_claim_during_send(monkeypatch, message, then=lambda: None, released=1):
    """Worker A's claim expires mid-send and the relay releases it (`released` claims: 0 when
    it fails the message instead); `then` runs before A's send goes through (with the real send
    for any nested delivery)."""
    send = EmailMessage.send
    state = {"nested": False}

    def slow_send(email, *args, **kwargs):
        if not state["nested"]:
            state["nested"] = True
            expired = timezone.now() - timedelta(seconds=1)
            Message.objects.filter(pk=message.pk).update(claimed_until=expired)
            assert relay.relay_due_messages().released == released
            then()
        return send(email, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", slow_send)


def test_a_late_sent_leaves_the_row_to_the_worker_now_holding_it(
    no_publish, confirmation_template, mailoutbox, monkeypatch
):
    # Worker A's claim expires mid-send; the relay releases it and worker B claims attempt 2;
    # then A's "sent" arrives.
    message = queue_order(OrderFactory())

    def worker_b_claims():
        assert delivery._claim(message_id=message.pk) is not None

    _expire_claim_during_send(monkeypatch, message, then=worker_b_claims)
    delivery.deliver_message(message_id=message.pk)

    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.SENDING, 2)
    assert message.claimed_until is not None  # still B's
    late = message.events.get(kind="note")
    assert late.attempt == 1
    assert late.detail.startswith("Late outcome: accepted by Test")
    assert not message.events.filter(kind="sent").exists()


def test_a_late_sent_never_overwrites_what_the_next_attempt_recorded(
    no_publish, confirmation_template, mailoutbox, monkeypatch
):
    message = queue_order(OrderFactory())
    _expire_claim_during_send(
        monkeypatch, message, then=lambda: delivery.deliver_message(message_id=message.pk)
    )
    delivery.deliver_message(message_id=message.pk)

    assert len(mailoutbox) == 2  # B's copy, then A's: the narrow window, counted
    b_id = str(mailoutbox[0].anymail_status.message_id)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.esp_message_id) == ("sent", 2, b_id)
    assert list(message.events.filter(kind="sent").values_list("attempt", flat=True)) == [2]
    late = message.events.get(kind="note")
    assert late.attempt == 1
    assert (
        late.detail
        == f"Late outcome: accepted by Test ({mailoutbox[1].anymail_status.message_id})."
    )


def test_a_late_sent_on_a_released_claim_marks_it_sent(
    no_publish, confirmation_template, mailoutbox, monkeypatch
):
    # The relay put the row back in the queue, but nobody has claimed it yet: A's acceptance
    # is the truth, and marking it sent stops a second copy.
    message = queue_order(OrderFactory())
    _expire_claim_during_send(monkeypatch, message)
    delivery.deliver_message(message_id=message.pk)

    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, "")
    assert message.esp_message_id == str(mailoutbox[0].anymail_status.message_id)
    assert list(message.events.filter(kind="sent").values_list("attempt", flat=True)) == [1]
    assert delivery.deliver_message(message_id=message.pk) is None  # the relay's task: no-op
    assert len(mailoutbox) == 1


def test_a_late_sent_leaves_a_failed_message_failed_and_says_so(
    no_publish, confirmation_template, mailoutbox, monkeypatch, settings
):
    settings.MESSAGING_MAX_ATTEMPTS = 1  # the relay gives up on the expired last attempt
    message = queue_order(OrderFactory())
    _expire_claim_during_send(monkeypatch, message, released=0)
    delivery.deliver_message(message_id=message.pk)

    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.last_error == "The worker stopped during the last attempt."
    assert not message.events.filter(kind="sent").exists()
    assert message.events.get(kind="note").detail.startswith("Late outcome: accepted by Test")


def test_a_refused_conditional_sent_changes_nothing(no_publish, confirmation_template, monkeypatch):
    message = queue_order(OrderFactory())
    message, _ = delivery._claim(message_id=message.pk)
    Message.objects.filter(pk=message.pk).update(attempts=2)  # another attempt took it
    before = {f.attname: getattr(message, f.attname) for f in Message._meta.concrete_fields}

    assert (
        message.mark_sent_if_claimed(esp_name="X", esp_message_id="x", now=timezone.now()) is None
    )
    assert {f.attname: getattr(message, f.attname) for f in Message._meta.concrete_fields} == before
    message.refresh_from_db()
    assert (message.status, message.esp_message_id) == ("sending", "")


def test_transient_api_error_schedules_a_retry_with_backoff(
    no_publish, confirmation_template, monkeypatch, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    order = OrderFactory()
    message = queue_order(order)

    def busy(self):
        raise AnymailAPIError("busy", status_code=429)

    monkeypatch.setattr("django.core.mail.EmailMessage.send", busy)
    before = timezone.now()
    message = delivery.deliver_message(message_id=message.pk)
    assert message.status == Message.Status.QUEUED
    assert message.attempts == 1
    assert "429" in message.last_error
    base = settings.MESSAGING_RETRY_BASE_SECONDS
    assert before + timedelta(seconds=base / 2) <= message.next_attempt_at
    assert message.next_attempt_at <= timezone.now() + timedelta(seconds=base)
    assert message.events.filter(kind="retry_scheduled").count() == 1


def test_transient_errors_give_up_after_max_attempts(
    confirmation_template, monkeypatch, settings, fast_retries, django_capture_on_commit_callbacks
):
    settings.MESSAGING_MAX_ATTEMPTS = 3

    def broken(self):
        raise AnymailAPIError("down", status_code=503)

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    order = OrderFactory()
    with django_capture_on_commit_callbacks(execute=True):  # eager task → eager retries
        message = queue_order(order)
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.attempts == 3
    assert "Gave up after 3 attempts" in message.last_error


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (AnymailRecipientsRefused(), "refused the recipient"),
        (AnymailAPIError("nope", status_code=400), "400"),
    ],
)
def test_permanent_errors_fail_at_once(
    no_publish, confirmation_template, monkeypatch, error, reason
):

    def refuse(self):
        raise error

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    message = queue_order(OrderFactory())
    message = delivery.deliver_message(message_id=message.pk)
    assert message.status == Message.Status.FAILED
    assert message.attempts == 1
    assert reason in message.last_error


def test_template_error_fails_with_reason(
    no_publish, confirmation_template, mailoutbox, monkeypatch
):
    message = queue_order(OrderFactory())
    # A revision that cannot render (saved before validation existed, say).
    revision = message.template_revision
    type(revision).objects.filter(pk=revision.pk).update(subject="{% if %}")
    message = delivery.deliver_message(message_id=message.pk)
    assert message.status == Message.Status.FAILED
    assert "Template error" in message.last_error
    assert mailoutbox == []


def test_oversize_attachment_fails_with_reason(
    no_publish, confirmation_template, mailoutbox, monkeypatch, settings
):
    settings.ATTACHMENT_MAX_BYTES = 1000
    message = queue_order(OrderFactory())
    message = delivery.deliver_message(message_id=message.pk)
    assert message.status == Message.Status.FAILED
    assert "AttachmentTooLarge" in message.last_error
    assert mailoutbox == []


def test_template_syntax_errors_are_refused_on_save(confirmation_template):
    confirmation_template.subject = "{% for %}"
    with pytest.raises(ValidationError, match="Line 1"):
        confirmation_template.save()


def test_a_template_from_the_factory_is_sent_with_its_document(db, mailoutbox):
    MessageTemplateFactory(attachments=[AttachmentTemplateFactory(name="Receipt")])

    message = deliver_order()

    assert message.status == Message.Status.SENT
    [(filename, _content, mimetype)] = mailoutbox[0].attachments
    assert (filename, mimetype) == (f"receipt-{message.event.reference}.pdf", "application/pdf")


@pytest.mark.parametrize("field", ["subject", "text_body", "html_body"])
def test_no_save_stores_a_message_template_that_does_not_compile(db, field):
    with pytest.raises(ValidationError, match="Line 1"):
        MessageTemplateFactory(**{field: "{% if %}"})
    assert not MessageTemplate.objects.exists()


def test_every_change_keeps_a_revision_and_no_op_saves_do_not(confirmation_template):
    count = confirmation_template.revisions.count()
    confirmation_template.save()
    assert confirmation_template.revisions.count() == count
    confirmation_template.subject = "Order {{ order.number }}"
    confirmation_template.save()
    assert confirmation_template.revisions.count() == count + 1
    assert confirmation_template.current_revision().subject == "Order {{ order.number }}"


def test_templates_cannot_reach_model_instances(confirmation_template, mailoutbox):
    confirmation_template.text_body = "{{ order.customer.email }}|{{ order.token }}|"
    confirmation_template.layout = None  # the body alone, without the layout's footer
    confirmation_template.save()
    publish_newest(confirmation_template)
    order = OrderFactory()
    message = queue_order(order)
    delivery.deliver_message(message_id=message.pk)
    assert mailoutbox[0].body == "||"


def test_relay_releases_expired_claims_and_republishes_lost_rows(
    confirmation_template, mailoutbox, settings, no_publish
):
    published = no_publish
    now = timezone.now()
    stuck = queue_order(OrderFactory())
    Message.objects.filter(pk=stuck.pk).update(
        status="sending",
        attempts=1,
        claimed_until=now - timedelta(seconds=1),
        esp_request_attempt=1,  # the worker died with its ESP request in flight
    )
    lost = queue_order(OrderFactory())
    Message.objects.filter(pk=lost.pk).update(next_attempt_at=now - timedelta(hours=1))
    fresh = queue_order(OrderFactory())

    report = relay.relay_due_messages(now=now)
    assert (report.released, report.published) == (1, 1)
    assert {p["message_id"] for p in published} == {stuck.pk, lost.pk}
    stuck.refresh_from_db()
    assert stuck.status == Message.Status.QUEUED
    assert "may have been sent" in stuck.events.get(kind="claim_expired").detail
    # A second run straight after publishes nothing again.
    published.clear()
    assert relay.relay_due_messages(now=now) == relay.RelayReport(0, 0)
    assert fresh.pk not in {p["message_id"] for p in published}


def published_ids(publishes: list[dict]) -> list[int]:
    """Every message id the recorded publishes handed to Celery, one task per message or per
    batch (`outbox.publish_deliveries`)."""
    return [pk for p in publishes for pk in (p.get("batch") or [p["message_id"]])]


def test_relay_fails_a_dead_last_attempt_and_still_releases_the_claims_after_it(
    confirmation_template, settings, no_publish
):
    """Of three claims whose workers died, the oldest was the last attempt allowed: that
    message fails with the reason staff read in admin, and the two others go back to the queue
    and are published again."""
    settings.MESSAGING_MAX_ATTEMPTS = 2
    now = timezone.now()
    last_try, *others = [queue_order(OrderFactory()) for _ in range(3)]
    for seconds, message, attempts in zip(
        (30, 20, 10), [last_try, *others], (2, 1, 1), strict=True
    ):
        Message.objects.filter(pk=message.pk).update(
            status="sending", attempts=attempts, claimed_until=now - timedelta(seconds=seconds)
        )
    no_publish.clear()

    report = relay.relay_due_messages(now=now)

    assert (report.released, report.published) == (2, 0)
    last_try.refresh_from_db()
    assert last_try.status == Message.Status.FAILED
    assert last_try.last_error == "The worker stopped during the last attempt."
    assert [m.status for m in Message.objects.filter(pk__in=[m.pk for m in others])] == [
        Message.Status.QUEUED
    ] * 2
    assert sorted(published_ids(no_publish)) == sorted(m.pk for m in others)


def test_relay_republishes_every_lost_row_and_says_why_in_history_and_log(
    confirmation_template, no_publish, caplog
):
    """Rows due for an hour were lost in transit: each is published again, its history tells
    staff why, and the operators' log counts them (no expired claim this time)."""
    now = timezone.now()
    lost = [queue_order(OrderFactory()) for _ in range(2)]
    Message.objects.filter(pk__in=[m.pk for m in lost]).update(
        next_attempt_at=now - timedelta(hours=1)
    )
    no_publish.clear()

    with caplog.at_level("INFO", logger="messaging.relay"):
        report = relay.relay_due_messages(now=now)

    assert (report.released, report.published) == (0, 2)
    assert sorted(published_ids(no_publish)) == sorted(m.pk for m in lost)
    for message in lost:
        assert list(message.events.filter(kind="relayed").values_list("detail", flat=True)) == [
            "Due but never picked up (broker down or task lost)."
        ]
    assert "Relay: 0 expired claims released, 2 messages re-enqueued." in caplog.messages


def test_relay_command(no_publish, confirmation_template, settings, monkeypatch):
    from django.core.management import call_command

    settings.MESSAGING_RELAY_GRACE_SECONDS = 0
    message = queue_order(OrderFactory())

    out = io.StringIO()
    call_command("relay_messages", "--dry-run", stdout=out)
    assert "Would have: 0 expired claims released, 1 messages re-enqueued." in out.getvalue()
    assert not message.events.filter(kind="relayed").exists()

    out = io.StringIO()
    call_command("relay_messages", stdout=out)
    assert "0 expired claims released, 1 messages re-enqueued." in out.getvalue()
    assert message.events.filter(kind="relayed").count() == 1


def test_worker_warm_up_builds_a_document_without_the_database(caplog):
    celery.warm_up()
    assert "warm-up failed" not in caplog.text


def test_worker_start_freezes_what_it_holds_for_good(monkeypatch):
    calls = []
    monkeypatch.setattr(celery.gc, "collect", lambda: calls.append("collect"))
    monkeypatch.setattr(celery.gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(celery, "warm_up", lambda: calls.append("warm_up"))
    celery.warm_up_worker()
    # Frozen after the first document, so the fonts and templates it loaded are included.
    assert calls == ["warm_up", "collect", "freeze"]


def test_a_worker_warms_its_main_process_before_the_pool_forks(monkeypatch):
    from celery.signals import worker_init

    calls = []
    monkeypatch.setattr(celery.gc, "collect", lambda: calls.append("collect"))
    monkeypatch.setattr(celery.gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(celery, "warm_up", lambda: calls.append("warm_up"))
    # Connected to the signal Celery sends in the main process before it starts the pool.
    assert celery.warm_up_before_forking in [ref() for _, ref in worker_init.receivers]
    celery.warm_up_before_forking()
    assert calls == ["warm_up", "collect", "freeze"]


def test_one_delivery_reads_and_writes_in_seven_statements(
    no_publish, confirmation_template, mailoutbox
):
    """Claim (one update, the event's status), the claimed row read with its event and the
    pinned attachments, the mark that the ESP request starts (update), the outcome (update,
    the event's status, the attempt's history in one insert): the data comes with the event,
    so no query reads the order; a query added per message shows here."""
    message = queue_order(OrderFactory())
    with CaptureQueriesContext(connection) as queries:
        delivery.deliver_message(message_id=message.pk)
    statements = [
        q["sql"].split()[0]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT"))
    ]
    assert statements == [
        *["UPDATE", "UPDATE"],  # the claim (UPDATE … RETURNING), the event's status
        *["SELECT", "SELECT"],  # the claimed row with what it renders, its pinned PDFs
        "UPDATE",  # the ESP request starts
        *["UPDATE", "UPDATE"],  # accepted: the row and the event's status
        "INSERT",  # the attempt's history, in the outcome transaction
    ]
    assert len(mailoutbox) == 1
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    kinds = list(message.events.values_list("kind", flat=True))
    assert kinds == ["queued", "claimed", "rendered", "attachment_built", "sent"]


def test_capture_backend_stores_the_encrypted_email(
    confirmation_template, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "inbox.backends.CaptureEmailBackend"
    order = complete()
    message = messages_of(order).get()
    captured = CapturedEmail.objects.get()
    assert message.status == Message.Status.SENT
    assert message.esp_name == "Capture"
    assert message.esp_message_id == captured.message_id
    assert captured.to == [order.customer.email]
    assert order.number in captured.subject
    assert captured.html_body
    [attachment] = captured.attachments.all()
    reader = PdfReader(io.BytesIO(bytes(attachment.content)))
    assert reader.is_encrypted
    assert reader.decrypt(generated_password(order.token))


def test_history_is_append_only(confirmation_template):
    message = queue_order(OrderFactory())
    event = message.events.get()
    event.detail = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    assert MessageEvent.objects.filter(detail="rewritten").count() == 0


def test_one_address_gets_at_most_the_daily_limit_of_customer_emails(
    confirmation_template, mailoutbox, settings, django_capture_on_commit_callbacks, caplog
):
    settings.MESSAGING_RECIPIENT_DAILY_LIMIT = 2
    orders = [
        OrderFactory(customer__email=address)
        for address in ("victim@example.com", "Victim@Example.com", "VICTIM@example.com")
    ]
    for order in orders:
        complete(order)

    assert len(mailoutbox) == 2
    third = messages_of(orders[2]).get()
    assert third.status == Message.Status.FAILED
    assert "already received 2 emails in the last 24 hours" in third.last_error
    # The operators' log names the message, not the address.
    assert f"Message {third.pk} not sent: recipient over the daily limit." in caplog.messages
    # Staff can still send it by hand: a resend is a decision, not a checkout.
    with django_capture_on_commit_callbacks(execute=True):
        outbox.resend_message(message_id=third.pk, reason="genuine", by="staff")
    assert len(mailoutbox) == 3


def test_the_daily_limit_counts_only_the_last_24_hours(confirmation_template, mailoutbox, settings):
    settings.MESSAGING_RECIPIENT_DAILY_LIMIT = 1
    yesterday = deliver_order(OrderFactory(customer__email="regular@example.com"))
    Message.objects.filter(pk=yesterday.pk).update(created_at=timezone.now() - timedelta(hours=36))

    today = deliver_order(OrderFactory(customer__email="regular@example.com"))

    assert today.status == Message.Status.SENT
    assert len(mailoutbox) == 2


def test_queueing_an_events_message_again_returns_the_same_message(
    confirmation_template, no_publish
):
    """The first message of an event is written once, however often the outbox is asked."""
    message = queue_order(OrderFactory())
    again = outbox.queue_message(event=message.event)
    assert again == message
    assert Message.objects.count() == 1

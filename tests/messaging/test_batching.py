"""Batched delivery: a backlog goes out a batch per claim and per task, a single order alone;
every guarantee of one message holds for each message of a batch (docs/architecture.md,
"Batched delivery")."""

from datetime import timedelta

import pytest
from django.core.mail import EmailMessage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from messaging import delivery, relay
from messaging.models import Event, Message
from messaging.tasks import deliver_message, deliver_messages
from tests.factories import OrderFactory
from tests.messaging.helpers import queue_order


class WorkerKilled(BaseException):
    """What the rest of a process sees of a SIGKILL: nothing after this point runs."""


def _queued(count: int) -> list[Message]:
    return [queue_order(OrderFactory()) for _ in range(count)]


def _statements(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT"))
    ]


def test_one_statement_claims_the_batch_behind_a_task(
    no_publish, confirmation_template, mailoutbox, settings, monkeypatch
):
    """A backlog of 7: the first task claims its message and the 4 oldest others in one
    statement, sends the 5, and leaves 2 for their own tasks."""
    settings.MESSAGING_BATCH_SIZE = 5
    messages = _queued(7)
    seen_at_first_send = []
    real_send = EmailMessage.send

    def send(self, *args, **kwargs):
        if not seen_at_first_send:
            seen_at_first_send.append(
                (
                    len(_statements(queries)),
                    Message.objects.filter(status=Message.Status.SENDING).count(),
                )
            )
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", send)
    with CaptureQueriesContext(connection) as queries:
        delivered = delivery.deliver_message(message_id=messages[3].pk)

    assert delivered.pk == messages[3].pk
    assert delivered.status == Message.Status.SENT
    # Before the first ESP request: the claim, the events' status, the rows read, the PDFs
    # pinned, the request's mark — and all five rows were ours already.
    statements = _statements(queries)
    claims = [sql for sql in statements[:5] if sql.startswith("UPDATE") and "RETURNING" in sql]
    assert len(claims) == 1
    assert seen_at_first_send == [(5, 5)]
    # The task's own customer first, then the oldest.
    assert [email.to[0] for email in mailoutbox] == [
        m.recipient for m in [messages[3], *messages[:3], messages[4]]
    ]
    statuses = dict(Message.objects.values_list("pk", "status"))
    assert [statuses[m.pk] for m in messages] == ["sent"] * 5 + ["queued"] * 2
    assert set(Event.objects.values_list("status", flat=True)) == {"sent", "pending"}
    # Its own task finds a message sent: nothing for it, the backlog's rest goes out with it.
    assert delivery.deliver_message(message_id=messages[0].pk) is None
    assert len(mailoutbox) == 7
    assert len({email.to[0] for email in mailoutbox}) == 7


def test_a_message_failing_to_compose_does_not_hold_back_the_rest(
    no_publish, confirmation_template, mailoutbox, settings
):
    settings.MESSAGING_BATCH_SIZE = 3
    first, broken, last = _queued(3)
    # No template to render: a permanent "Template error" for this one message.
    Message.objects.filter(pk=broken.pk).update(template_revision=None)

    delivery.deliver_message(message_id=first.pk)

    assert sorted(email.to[0] for email in mailoutbox) == sorted([first.recipient, last.recipient])
    for message in (first, broken, last):
        message.refresh_from_db()
    assert (first.status, last.status) == ("sent", "sent")
    assert broken.status == "failed"
    assert broken.last_error.startswith("Template error")
    assert broken.event.status == Event.Status.FAILED
    kinds = list(last.events.values_list("kind", flat=True))
    assert kinds == ["queued", "claimed", "rendered", "attachment_built", "sent"]


def test_a_worker_killed_mid_batch_flags_only_the_messages_whose_request_started(
    no_publish, confirmation_template, mailoutbox, settings, monkeypatch
):
    """Killed during the second ESP request of three: the first email is recorded as sent (no
    second copy), the second may have been sent (flagged), the third was not sent."""
    settings.MESSAGING_BATCH_SIZE = 3
    first, second, third = _queued(3)
    real_send = EmailMessage.send

    def send(self, *args, **kwargs):
        if self.to == [second.recipient]:
            raise WorkerKilled
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", send)
    with pytest.raises(WorkerKilled):
        delivery.deliver_message(message_id=first.pk)
    monkeypatch.setattr(EmailMessage, "send", real_send)

    later = timezone.now() + timedelta(seconds=settings.MESSAGING_CLAIM_SECONDS + 1)
    assert relay.relay_due_messages(now=later).released == 2
    for message in (first, second, third):
        message.refresh_from_db()
    assert first.status == "sent"
    assert not first.events.filter(kind="claim_expired").exists()
    [lost] = second.events.filter(kind="claim_expired")
    assert "may have been sent" in lost.detail
    [lost] = third.events.filter(kind="claim_expired")
    assert "was not sent" in lost.detail
    assert (second.status, third.status) == ("queued", "queued")

    Message.objects.filter(status="queued").update(next_attempt_at=timezone.now())
    delivery.deliver_message(message_id=second.pk)
    assert [email.to[0] for email in mailoutbox] == [
        first.recipient,
        second.recipient,
        third.recipient,
    ]


def test_a_single_order_is_one_task_delivering_one_message(
    confirmation_template, mailoutbox, monkeypatch, django_capture_on_commit_callbacks, settings
):
    """No backlog: the order's own task sends its own email, as before batching."""
    settings.MESSAGING_BATCH_SIZE = 10
    calls = []
    monkeypatch.setattr(
        delivery, "deliver_claimed", _recording(delivery.deliver_claimed, calls, lambda b: len(b))
    )
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            queue_order(OrderFactory())
    assert calls == [1, 1]
    assert len(mailoutbox) == 2


def test_a_backlog_the_relay_finds_goes_out_one_task_per_batch(
    confirmation_template, mailoutbox, monkeypatch, settings
):
    """25 messages never published (the broker was down at checkout): three tasks of at most
    ten ids each; a single lost message stays a task of its own."""
    settings.MESSAGING_BATCH_SIZE = 10
    tasks = []
    monkeypatch.setattr(
        deliver_messages, "apply_async", lambda args, **kw: tasks.append(("batch", len(args[0])))
    )
    monkeypatch.setattr(deliver_message, "apply_async", lambda args, **kw: tasks.append(("one", 1)))
    _queued(25)
    stale = timezone.now() + timedelta(seconds=settings.MESSAGING_RELAY_GRACE_SECONDS + 1)

    assert relay.relay_due_messages(now=stale).published == 25
    assert tasks == [("batch", 10), ("batch", 10), ("batch", 5)]

    tasks.clear()
    Message.objects.update(status=Message.Status.SENT)
    _queued(1)
    later = stale + timedelta(seconds=settings.MESSAGING_RELAY_GRACE_SECONDS + 1)
    assert relay.relay_due_messages(now=later).published == 1
    assert tasks == [("one", 1)]


def test_a_batch_task_delivers_its_messages(
    no_publish, confirmation_template, mailoutbox, settings
):
    settings.MESSAGING_BATCH_SIZE = 10
    messages = _queued(4)
    deliver_messages.apply(args=([m.pk for m in messages[:3]],))
    assert len(mailoutbox) == 4  # the three, topped up with the fourth that was due
    assert not Message.objects.exclude(status=Message.Status.SENT).exists()


def test_a_proof_task_takes_no_customer_message_and_a_customer_task_no_proof(
    no_publish, confirmation_template, mailoutbox, settings
):
    from messaging.outbox import queue_proof

    settings.MESSAGING_BATCH_SIZE = 10
    customer = queue_order(OrderFactory())
    proof = queue_proof(
        template=confirmation_template, recipient="editor@example.com", requested_by="editor"
    )
    delivery.deliver_message(message_id=proof.pk)
    assert [email.to for email in mailoutbox] == [["editor@example.com"]]
    customer.refresh_from_db()
    assert customer.status == "queued"

    Message.objects.filter(pk=proof.pk).update(status="queued", next_attempt_at=timezone.now())
    delivery.deliver_message(message_id=customer.pk)
    assert len(mailoutbox) == 2
    assert Message.objects.get(pk=proof.pk).status == "queued"


def test_a_message_not_due_yet_is_not_taken_by_a_batch(
    no_publish, confirmation_template, mailoutbox, settings
):
    settings.MESSAGING_BATCH_SIZE = 10
    now, waiting = _queued(2)
    Message.objects.filter(pk=waiting.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    delivery.deliver_message(message_id=now.pk)
    assert [email.to[0] for email in mailoutbox] == [now.recipient]


def test_the_soft_time_limit_puts_the_unstarted_messages_back_uncharged(
    no_publish, confirmation_template, mailoutbox, settings, monkeypatch
):
    from celery.exceptions import SoftTimeLimitExceeded

    settings.MESSAGING_BATCH_SIZE = 3
    first, second, third = _queued(3)
    real_send = EmailMessage.send

    def send(self, *args, **kwargs):
        sent = real_send(self, *args, **kwargs)
        if self.to == [first.recipient]:
            raise SoftTimeLimitExceeded()  # fires as the first request returns
        return sent

    monkeypatch.setattr(EmailMessage, "send", send)
    delivery.deliver_message(message_id=first.pk)

    for message in (first, second, third):
        message.refresh_from_db()
    # The first's request was cut: it may have been sent, and says so; the others were
    # never started: queued again, no attempt counted, published again at once.
    assert first.events.filter(kind="no_response").exists()
    assert [(m.status, m.attempts) for m in (second, third)] == [("queued", 0), ("queued", 0)]
    assert "ran out of time" in second.events.get(kind="note").detail
    assert [p["message_id"] for p in no_publish] == [first.pk, second.pk, third.pk]
    assert len(mailoutbox) == 1


def _recording(function, calls, what):
    def wrapper(batch, *args, **kwargs):
        calls.append(what(batch))
        return function(batch, *args, **kwargs)

    return wrapper


def test_a_batch_starts_no_message_whose_request_could_meet_the_soft_time_limit(
    no_publish, confirmation_template, mailoutbox, settings
):
    """The soft limit leaves a millisecond beyond the longest ESP request and the outcome
    write: the task's own message goes, the others go back to the queue uncharged."""
    from messaging.checks import esp_timeout_seconds

    settings.MESSAGING_BATCH_SIZE = 3
    settings.CELERY_TASK_SOFT_TIME_LIMIT = (
        esp_timeout_seconds() + settings.MESSAGING_OUTCOME_WRITE_SECONDS + 0.001
    )
    first, second, third = _queued(3)
    delivery.deliver_message(message_id=first.pk)

    assert [email.to[0] for email in mailoutbox] == [first.recipient]
    statuses = [Message.objects.get(pk=m.pk) for m in (second, third)]
    assert [(m.status, m.attempts) for m in statuses] == [("queued", 0), ("queued", 0)]
    assert sorted(p["message_id"] for p in no_publish) == [second.pk, third.pk]


def test_no_room_in_the_soft_time_limit_for_a_second_message_claims_one(
    no_publish, confirmation_template, mailoutbox, settings
):
    """Soft limit 8 s, ESP requests up to 4 s and 4 s to write the outcome (the fault suite's
    timings): one message per task, nothing claimed and released for nothing."""
    settings.MESSAGING_BATCH_SIZE = 10
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 8
    settings.ANYMAIL = {**settings.ANYMAIL, "REQUESTS_TIMEOUT": 2}
    settings.MESSAGING_OUTCOME_WRITE_SECONDS = 4
    first, second = _queued(2)
    delivery.deliver_message(message_id=first.pk)
    assert [email.to[0] for email in mailoutbox] == [first.recipient]
    assert Message.objects.get(pk=second.pk).events.count() == 1  # queued, never touched
    assert no_publish == []


def test_a_batch_pays_its_claim_and_its_outcome_transaction_once(
    no_publish, confirmation_template, mailoutbox, settings
):
    """Five messages: one claim and one read for all, per message the request's mark and the
    acceptance (the row, the event's status), and one INSERT of the batch's history — 20
    statements where five single deliveries run 40."""
    settings.MESSAGING_BATCH_SIZE = 5
    messages = _queued(5)
    with CaptureQueriesContext(connection) as queries:
        delivery.deliver_message(message_id=messages[0].pk)
    kinds = [sql.split()[0] for sql in _statements(queries)]
    assert kinds == [
        *["UPDATE", "UPDATE", "SELECT", "SELECT"],
        *["UPDATE", "UPDATE", "UPDATE"] * 5,
        "INSERT",
    ]
    assert len(mailoutbox) == 5


def test_in_a_batch_an_expired_event_ends_expired_and_an_erased_one_is_never_sent(
    no_publish, confirmation_template, mailoutbox, settings
):
    """A batch task naming them: the expired and the erased are failed with their reasons by
    their own claim, the rest of the batch goes out."""
    from messaging.models.events import ERASED_ADDRESS

    settings.MESSAGING_BATCH_SIZE = 10
    fine, expired, erased = _queued(3)
    Event.objects.filter(pk=expired.event_id).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    Event.objects.filter(pk=erased.event_id).update(recipient=ERASED_ADDRESS)

    delivery.deliver_messages(message_ids=[expired.pk, erased.pk, fine.pk])

    assert [email.to[0] for email in mailoutbox] == [fine.recipient]
    expired.refresh_from_db()
    erased.refresh_from_db()
    assert (expired.status, expired.event.status) == ("failed", Event.Status.EXPIRED)
    assert "expired" in expired.last_error
    assert (erased.status, erased.last_error) == ("failed", Message.RECIPIENT_ERASED)

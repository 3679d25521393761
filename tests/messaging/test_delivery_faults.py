"""The delivery promise under faults: a refused email is never `sent`, a database blip or a
broken connection never makes an unflagged duplicate, a bad ESP token loses nothing.

Each test reproduces a way the promise was once broken, through Anymail's real Postmark backend
and the fake Postmark on 127.0.0.1 where the ESP's answer matters.
"""

import logging
import socket
import threading
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from messaging import compose, delivery, outbox
from messaging.models import Message, MessageEvent
from tests.factories import OrderFactory
from tests.messaging.fake_esp import OK, Step
from tests.messaging.helpers import complete, deliver_order, messages_of, queue_order

pytestmark = pytest.mark.django_db


def inactive_recipient(address):
    return Step(
        422,
        {
            "ErrorCode": 406,
            "Message": "You tried to send to a recipient that has been marked as inactive.\n"
            f"Found inactive addresses: {address}.\n"
            "Inactive recipients are ones that have generated a hard bounce or a spam "
            "complaint. ",
        },
    )


# --- a refused email is never recorded as sent ----------------------------------------------


def test_an_inactive_recipient_is_failed_even_when_anymail_ignores_recipient_status(
    confirmation_template, fake_postmark, settings, django_capture_on_commit_callbacks
):
    settings.ANYMAIL = {**settings.ANYMAIL, "IGNORE_RECIPIENT_STATUS": True}
    order = OrderFactory()
    fake_postmark.plan = [inactive_recipient(order.customer.email)]
    message = deliver_order(order)

    assert message.status == Message.Status.FAILED
    assert message.last_error == "The ESP rejected the recipient address."
    assert message.attempts == 1
    assert not message.events.filter(kind="sent").exists()


def test_an_invalid_to_naming_another_address_is_failed_not_sent(
    confirmation_template, fake_postmark, django_capture_on_commit_callbacks
):
    # Anymail cannot match the address to our recipient, so it raises nothing.
    fake_postmark.plan = [
        Step(422, {"ErrorCode": 300, "Message": "Invalid 'To' address: 'x@elsewhere.example'."})
    ]
    message = deliver_order()

    assert message.status == Message.Status.FAILED
    assert "422" in message.last_error
    assert "Invalid 'To' address" in message.last_error
    assert message.esp_message_id == ""
    assert not message.events.filter(kind="sent").exists()


def test_a_200_without_a_message_id_is_sent_with_the_id_unknown(
    confirmation_template, fake_postmark, django_capture_on_commit_callbacks
):
    fake_postmark.plan = [Step(200, {"ErrorCode": 0, "Message": "OK", "To": "someone"})]
    message = deliver_order()

    assert message.status == Message.Status.SENT
    assert message.esp_message_id == ""
    assert message.attempts == 1
    assert len(fake_postmark.requests) == 1
    notes = list(message.events.filter(kind="note").values_list("detail", flat=True))
    assert notes == ["Postmark answered 200 without a readable message id."]


# --- a broken connection after the request went out is flagged ------------------------------


class ResetAfterReading:
    """An ESP that reads the whole request, then drops the connection without an answer."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.requests = 0
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/"

    def serve(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            with client:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += client.recv(65536)
                head, _, body = data.partition(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                )
                while len(body) < length:
                    body += client.recv(65536)
                self.requests += 1

    def close(self):
        self.sock.close()


def test_a_connection_dropped_after_the_request_is_flagged_as_maybe_sent(
    confirmation_template, settings, django_capture_on_commit_callbacks
):
    esp = ResetAfterReading()
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "t", "POSTMARK_API_URL": esp.url}
    try:
        message = deliver_order()
    finally:
        esp.close()

    assert esp.requests == 1
    assert message.status == Message.Status.QUEUED
    assert message.last_error == "The connection to the ESP broke before it answered."
    flag = message.events.get(kind="no_response")
    assert "may have been sent" in flag.get_kind_display()


# --- a database blip during the outcome write -----------------------------------------------


def test_the_outcome_is_written_after_the_database_dropped_the_connection(
    no_publish, confirmation_template, mailoutbox, monkeypatch, settings
):
    settings.MESSAGING_OUTCOME_WRITE_SECONDS = 5
    # The test runs in a transaction that a new connection would lose: pretend to reconnect.
    monkeypatch.setattr(delivery, "_drop_connection", lambda: True)
    message = queue_order(OrderFactory())
    real = Message.mark_sent_if_claimed
    calls = []

    def dropped_once(self, **kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("terminating connection due to administrator command")
        return real(self, **kwargs)

    monkeypatch.setattr(Message, "mark_sent_if_claimed", dropped_once)
    delivery.deliver_message(message_id=message.pk)

    message.refresh_from_db()
    assert len(mailoutbox) == 1
    assert message.status == Message.Status.SENT
    assert message.attempts == 1
    assert message.esp_message_id == "0"  # the test backend's id: kept, not lost
    assert message.events.filter(kind="sent").count() == 1
    assert message.events.filter(kind="claimed").count() == 1


def test_the_soft_time_limit_does_not_cut_the_outcome_write_of_an_accepted_email(
    no_publish, confirmation_template, mailoutbox, monkeypatch, settings
):
    """The soft limit fires while the worker waits for the database to come back, after the
    ESP accepted: the outcome is still written (else the relay sends it again, the first ESP
    id lost)."""
    settings.MESSAGING_OUTCOME_WRITE_SECONDS = 5
    monkeypatch.setattr(delivery, "_drop_connection", lambda: True)
    message = queue_order(OrderFactory())
    real = Message.mark_sent_if_claimed
    writes, pauses = [], []

    def database_away_twice(self, **kwargs):
        writes.append(kwargs)
        if len(writes) <= 2:
            raise OperationalError("could not connect to server")
        return real(self, **kwargs)

    def pause_cut_by_the_soft_limit(seconds):
        pauses.append(seconds)
        if len(pauses) == 1:
            raise SoftTimeLimitExceeded()

    monkeypatch.setattr(Message, "mark_sent_if_claimed", database_away_twice)
    monkeypatch.setattr(delivery.time, "sleep", pause_cut_by_the_soft_limit)
    delivery.deliver_message(message_id=message.pk)

    message.refresh_from_db()
    assert len(mailoutbox) == 1
    assert message.status == Message.Status.SENT
    assert message.esp_message_id == "0"  # the test backend's id: kept
    assert message.events.filter(kind="sent").count() == 1
    assert len(writes) == 3


def test_an_outcome_that_cannot_be_written_logs_the_esp_id_only(
    no_publish, confirmation_template, mailoutbox, monkeypatch, settings, caplog
):
    settings.MESSAGING_OUTCOME_WRITE_SECONDS = 0.3
    monkeypatch.setattr(delivery, "_drop_connection", lambda: True)
    order = OrderFactory()
    message = queue_order(order)

    def down(self, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(Message, "mark_sent_if_claimed", down)
    with caplog.at_level(logging.WARNING), pytest.raises(OperationalError):
        delivery.deliver_message(message_id=message.pk)

    [error] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert f"Message {message.pk} attempt 1" in error.getMessage()
    assert "the ESP message id is 0" in error.getMessage()
    assert order.customer.email not in caplog.text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_terminated_database_session_during_the_send_is_no_duplicate(
    no_publish, postgres, confirmation_template, mailoutbox, monkeypatch
):
    """The real thing: PostgreSQL kills the worker's session while it waits on the ESP."""
    import psycopg

    message = queue_order(OrderFactory())
    sent = []
    real_send = compose.EmailMultiAlternatives.send

    def send_while_the_session_dies(self, *args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        settings_dict = connection.settings_dict
        with psycopg.connect(
            dbname=settings_dict["NAME"],
            user=settings_dict["USER"],
            host=settings_dict["HOST"] or "127.0.0.1",
            port=settings_dict["PORT"] or 5432,
            autocommit=True,
        ) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        sent.append(1)
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(compose.EmailMultiAlternatives, "send", send_while_the_session_dies)
    delivery.deliver_message(message_id=message.pk)

    message.refresh_from_db()
    assert sent == [1]
    assert len(mailoutbox) == 1
    assert (message.status, message.attempts, message.esp_message_id) == ("sent", 1, "0")
    assert message.claimed_until is None  # the relay has nothing to resend


# --- the ESP refuses our credentials: an outage of the sender, not of the message -----------


def test_a_bad_esp_token_holds_messages_and_they_resume_once_fixed(
    no_publish, confirmation_template, fake_postmark, settings, admin_client, caplog, monkeypatch
):
    settings.MESSAGING_MAX_ATTEMPTS = 2
    unauthorized = Step(401, {"ErrorCode": 10, "Message": "Bad or missing Server API token."})
    fake_postmark.plan = [unauthorized] * 3
    message = queue_order(OrderFactory())

    with caplog.at_level(logging.ERROR):
        for _ in range(3):  # more tries than MESSAGING_MAX_ATTEMPTS: none is counted
            Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
            delivery.deliver_message(message_id=message.pk)
            message.refresh_from_db()
            assert message.status == Message.Status.QUEUED
            assert message.attempts == 0
    assert "refuses our credentials" in caplog.text
    assert message.events.filter(kind="sender_refused").count() == 3
    assert "401" in message.last_error
    assert message.next_attempt_at > timezone.now()

    page = admin_client.get(reverse("admin:messaging_message_changelist")).content.decode()
    assert "The ESP is refusing our credentials" in page
    assert "1 message waiting" in page

    # An operator fixes the token: the held message goes out at its next try, by itself.
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    delivery.deliver_message(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    assert MessageEvent.objects.sender_outage() is None
    page = admin_client.get(reverse("admin:messaging_message_changelist")).content.decode()
    assert "refusing our credentials" not in page
    assert len(fake_postmark.requests) == 4


def test_a_misconfigured_backend_holds_messages_too(
    no_publish, confirmation_template, settings, monkeypatch
):
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {}  # no server token
    message = queue_order(OrderFactory())
    delivery.deliver_message(message_id=message.pk)

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("queued", 0)
    assert "misconfigured" in message.last_error
    assert MessageEvent.objects.sender_outage().waiting == 1


# --- resends: one operator request, one resend per order ------------------------------------


def test_a_fresh_resend_is_not_resent_again_unless_forced(
    confirmation_template, django_capture_on_commit_callbacks
):
    order = complete()
    first = messages_of(order).get()
    resend = outbox.resend_message(message_id=first.pk, reason="", by="operator A")
    assert resend is not None

    # A second run that started before the first one finished selects the resend as "latest".
    assert outbox.resend_message(message_id=resend.pk, reason="", by="operator B") is None
    assert messages_of(order).count() == 2

    forced = outbox.resend_message(message_id=resend.pk, reason="", by="B", force=True)
    assert forced is not None
    assert forced.sequence == 2


def test_a_failed_fresh_resend_can_be_resent(
    confirmation_template, django_capture_on_commit_callbacks
):
    order = complete()
    resend = outbox.resend_message(message_id=messages_of(order).get().pk, reason="", by="A")
    Message.objects.filter(pk=resend.pk).update(status=Message.Status.FAILED)
    assert outbox.resend_message(message_id=resend.pk, reason="", by="B") is not None


def test_a_second_resend_run_skips_what_the_first_resent(
    confirmation_template, django_capture_on_commit_callbacks
):
    from io import StringIO

    from django.core.management import call_command

    orders = [complete() for _ in range(3)]
    numbers = [arg for order in orders for arg in ("--order", order.number)]
    call_command("resend_confirmations", *numbers, stdout=StringIO(), stderr=StringIO())

    out = StringIO()
    call_command("resend_confirmations", *numbers, stdout=out, stderr=StringIO())
    assert "Queued 0 resend(s)" in out.getvalue()
    assert "Skipped 3" in out.getvalue()
    assert "--force" in out.getvalue()
    assert [messages_of(order).count() for order in orders] == [2, 2, 2]

    call_command("resend_confirmations", *numbers, "--force", stdout=StringIO(), stderr=StringIO())
    assert [messages_of(order).count() for order in orders] == [3, 3, 3]


def test_the_relay_has_a_queue_of_its_own_that_workers_consume(settings):
    from config.celery import app

    route = app.amqp.router.route({}, "messaging.relay_due_messages")
    assert route["queue"].name == settings.MESSAGING_RELAY_QUEUE
    assert settings.MESSAGING_RELAY_QUEUE != settings.CELERY_TASK_DEFAULT_QUEUE
    consumed = {queue.name for queue in app.amqp.queues.values()}
    assert {settings.CELERY_TASK_DEFAULT_QUEUE, settings.MESSAGING_RELAY_QUEUE} <= consumed
    delivery = app.amqp.router.route({}, "messaging.deliver_message")
    assert delivery["queue"].name == settings.CELERY_TASK_DEFAULT_QUEUE


def test_ok_is_still_sent(confirmation_template, fake_postmark, django_capture_on_commit_callbacks):
    fake_postmark.plan = [OK]
    message = deliver_order()
    assert message.status == Message.Status.SENT
    assert message.esp_message_id
    assert not message.events.filter(kind="note").exists()


def test_a_proof_goes_out_through_postmark(
    confirmation_template, fake_postmark, django_capture_on_commit_callbacks
):
    """Postmark takes one tag per email: a second one made Anymail refuse every proof."""
    with django_capture_on_commit_callbacks(execute=True):
        proof = outbox.queue_proof(
            template=confirmation_template, recipient="staff@example.com", requested_by="staff"
        )
    proof.refresh_from_db()
    assert proof.status == Message.Status.SENT
    [request] = fake_postmark.requests
    assert request["json"]["Tag"] == "order_confirmation"
    assert request["json"]["Metadata"] == {"message_id": str(proof.pk), "proof": "true"}


def test_an_email_the_esp_cannot_take_fails_at_once(no_publish, confirmation_template, monkeypatch):
    from anymail.exceptions import AnymailUnsupportedFeature

    def unsupported(self):
        raise AnymailUnsupportedFeature("multiple tags")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", unsupported)
    message = queue_order(OrderFactory())
    message = delivery.deliver_message(message_id=message.pk)
    assert (message.status, message.attempts) == ("failed", 1)
    assert "AnymailUnsupportedFeature" in message.last_error


def test_a_429_is_retried_no_sooner_than_the_esp_asked(
    no_publish, confirmation_template, fake_postmark, settings
):
    settings.MESSAGING_RETRY_BASE_SECONDS = 1  # our own backoff alone would retry within 1 s
    fake_postmark.plan = [
        Step(
            429,
            {"ErrorCode": 429, "Message": "Rate limit exceeded"},
            headers=(("Retry-After", "120"),),
        )
    ]
    message = queue_order(OrderFactory())
    before = timezone.now()
    message = delivery.deliver_message(message_id=message.pk)

    assert message.status == Message.Status.QUEUED
    assert message.next_attempt_at >= before + timedelta(seconds=120)
    assert no_publish[-1]["countdown"] >= 120


# --- a worker that died: what its history says ---------------------------------------------


class WorkerKilled(BaseException):
    """What the process sees of a SIGKILL: nothing after this point runs."""


def die_in_attempt(monkeypatch, *, where: str) -> Message:
    """Deliver one message, the worker dying while composing or while the ESP request is in
    flight; then its claim expires and the relay releases it."""

    def killed(*args, **kwargs):
        raise WorkerKilled

    if where == "composing":
        monkeypatch.setattr(delivery, "compose_email", killed)
    else:
        monkeypatch.setattr("anymail.backends.postmark.EmailBackend.send_messages", killed)
    message = queue_order(OrderFactory())
    with pytest.raises(WorkerKilled):
        delivery.deliver_message(message_id=message.pk)
    monkeypatch.undo()
    later = timezone.now() + timedelta(seconds=3600)
    from messaging.relay import relay_due_messages

    assert relay_due_messages(now=later).released == 1
    return Message.objects.get(pk=message.pk)


def test_a_worker_killed_before_the_esp_request_says_the_email_was_not_sent(
    confirmation_template, fake_postmark, monkeypatch, no_publish
):
    message = die_in_attempt(monkeypatch, where="composing")

    line = message.events.get(kind=MessageEvent.Kind.CLAIM_EXPIRED)
    assert "was not sent" in line.detail
    assert "may have been sent" not in line.detail
    assert "was not sent" in message.last_error
    assert fake_postmark.requests == []


def test_a_worker_killed_during_the_esp_request_says_it_may_have_been_sent(
    confirmation_template, fake_postmark, monkeypatch, no_publish
):
    message = die_in_attempt(monkeypatch, where="sending")

    line = message.events.get(kind=MessageEvent.Kind.CLAIM_EXPIRED)
    assert "may have been sent" in line.detail

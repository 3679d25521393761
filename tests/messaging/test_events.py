"""The Python API of the message center: `send_event`, and the event's status."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from attachments.api import generated_password
from messaging import outbox
from messaging.delivery import deliver_message
from messaging.events import EventConflict, EventRefused, send_event
from messaging.models import Client, Event, Message
from shop.events import order_confirmation_data
from tests.factories import EventTypeFactory, MessageTemplateFactory, OrderFactory
from tests.messaging.helpers import send_order_event


def decrypted_pdf_text(content: bytes, password: str) -> str:
    reader = PdfReader(io.BytesIO(content))
    assert reader.decrypt(password)
    return "".join(page.extract_text() for page in reader.pages)


def refused(**request) -> list[dict[str, str]]:
    with pytest.raises(EventRefused) as raised:
        send_event(**request)
    return raised.value.errors


def test_an_event_sends_its_email_with_a_pdf_opening_with_the_returned_password(
    confirmation_template, mailoutbox, django_capture_on_commit_callbacks
):
    order = OrderFactory()
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_order_event(order, recipient="someone.else@example.com")

    (email,) = mailoutbox
    assert email.to == ["someone.else@example.com"]
    assert f"order {order.number}" in email.body
    (password,) = sent.document_passwords
    assert password.password == generated_password(sent.event.token)
    (filename, content, _) = email.attachments[0]
    assert filename in password.filenames
    assert f"Receipt for order {order.number}" in decrypted_pdf_text(content, password.password)
    sent.event.refresh_from_db()
    assert sent.event.status == Event.Status.SENT


def test_the_same_request_again_returns_the_first_event_and_sends_nothing_more(
    confirmation_template, mailoutbox, django_capture_on_commit_callbacks
):
    order = OrderFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = send_order_event(order)
    with django_capture_on_commit_callbacks(execute=True):
        again = send_order_event(order)

    assert (again.event, again.created) == (first.event, False)
    assert again.document_passwords == first.document_passwords
    assert len(mailoutbox) == 1
    assert Message.objects.count() == 1


def test_the_same_key_with_another_request_is_a_conflict(confirmation_template):
    order = OrderFactory()
    first = send_order_event(order)

    with pytest.raises(EventConflict) as raised:
        send_order_event(order, recipient="another@example.com")

    assert raised.value.event == first.event
    assert Event.objects.count() == 1


def test_keys_are_per_client(confirmation_template):
    order = OrderFactory()
    shop_a, shop_b = Client.objects.create(name="A"), Client.objects.create(name="B")

    a = send_order_event(order, client=shop_a)
    b = send_order_event(order, client=shop_b)
    local = send_order_event(order)

    assert len({a.event.pk, b.event.pk, local.event.pk}) == 3


def test_a_rolled_back_caller_sends_nothing(confirmation_template, mailoutbox):
    class Declined(Exception):
        pass

    def checkout_that_fails() -> None:
        with TestCase.captureOnCommitCallbacks(execute=True), transaction.atomic():
            send_order_event(OrderFactory())
            raise Declined

    with pytest.raises(Declined):
        checkout_that_fails()

    assert not Event.objects.exists()
    assert not Message.objects.exists()
    assert mailoutbox == []


def test_a_refused_event_names_every_problem_by_its_path(confirmation_template):
    order = OrderFactory()
    data = order_confirmation_data(order)
    data["order"]["total"] = "12,50"
    del data["customer"]
    data["lines"][0]["quantity"] = "two"

    errors = refused(
        type="order_confirmation",
        recipient="not an address",
        language="fi",
        data=data,
        idempotency_key="k",
    )

    paths = [error["path"] for error in errors]
    assert paths == ["recipient", "language", "data", "data.lines[0].quantity", "data.order.total"]
    assert errors[2]["message"] == "'customer' is a required property"
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"type": "no_such_type"}, "type", "Unknown event type 'no_such_type'."),
        ({"reference": "x" * 201}, "reference", "At most 200 characters (201)."),
        ({"recipient_name": "Åsa\x00"}, "recipient_name", "Contains a NUL character."),
        ({"idempotency_key": ""}, "idempotency_key", "Required."),
        ({"data": []}, "data", "The data must be a JSON object."),
        ({"expires_at": timezone.now().replace(tzinfo=None)}, "expires_at", "Must be a date"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(confirmation_template, change, path, message):
    order = OrderFactory()
    request = {
        "type": "order_confirmation",
        "recipient": "asa@example.com",
        "data": order_confirmation_data(order),
        "idempotency_key": "k",
    }

    (error,) = refused(**(request | change))

    assert error["path"] == path
    assert error["message"].startswith(message)


def test_nul_characters_and_huge_strings_inside_the_data_are_refused(confirmation_template):
    order = OrderFactory()
    data = order_confirmation_data(order)
    data["customer"]["city"] = "Öster\x00sund"
    data["lines"][0]["product"] = "x" * 10_001

    errors = refused(
        type="order_confirmation", recipient="asa@example.com", data=data, idempotency_key="k"
    )

    assert [error["path"] for error in errors] == ["data.customer.city", "data.lines[0].product"]


def test_a_type_without_a_published_template_is_ignored_with_the_reason(mailoutbox, db):
    EventTypeFactory()
    MessageTemplateFactory(published=False)

    sent = send_order_event(OrderFactory())

    assert sent.event.status == Event.Status.IGNORED
    assert "No published email template of event type “order_confirmation”" in (
        sent.event.status_reason
    )
    assert not Message.objects.exists()
    assert sent.document_passwords == []


def test_an_event_that_expired_before_a_worker_took_it_is_never_sent(
    confirmation_template, mailoutbox, no_publish
):
    sent = send_order_event(OrderFactory(), expires_at=timezone.now() + timedelta(minutes=5))
    message = sent.event.messages.get()
    Event.objects.filter(pk=sent.event.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert deliver_message(message_id=message.pk) is None

    assert mailoutbox == []
    message.refresh_from_db()
    sent.event.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert (sent.event.status, sent.event.status_reason) == (
        Event.Status.EXPIRED,
        message.last_error,
    )
    assert "expired" in message.last_error


def test_a_scheduled_event_waits_for_its_time(confirmation_template, mailoutbox, no_publish):
    later = timezone.now() + timedelta(hours=2)

    sent = send_order_event(OrderFactory(), scheduled_at=later)

    message = sent.event.messages.get()
    assert message.next_attempt_at == later
    assert no_publish == []  # the relay publishes it when it is due
    assert deliver_message(message_id=message.pk) is None
    assert mailoutbox == []


def test_the_event_follows_its_latest_message(
    confirmation_template, mailoutbox, django_capture_on_commit_callbacks
):
    order = OrderFactory()
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_order_event(order)
    first = sent.event.messages.get()
    first.advance_to(Message.Status.BOUNCED)
    sent.event.refresh_from_db()
    assert sent.event.status == Event.Status.BOUNCED

    resend = outbox.resend_message(message_id=first.pk, reason="", by="support")
    sent.event.refresh_from_db()
    assert sent.event.status == Event.Status.PENDING

    first.record("note")  # the old message no longer speaks for the event
    Message.objects.filter(pk=first.pk).update(status=Message.Status.SENT)
    first.refresh_from_db()
    first.advance_to(Message.Status.DELIVERED)
    sent.event.refresh_from_db()
    assert sent.event.status == Event.Status.PENDING
    assert resend.event == sent.event


def test_a_resend_renders_the_data_as_it_arrived(
    confirmation_template, mailoutbox, django_capture_on_commit_callbacks
):
    order = OrderFactory(customer__first_name="Åsa")
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_order_event(order)
    type(order.customer).objects.filter(pk=order.customer_id).update(first_name="Changed")

    with django_capture_on_commit_callbacks(execute=True):
        outbox.resend_message(message_id=sent.event.messages.get().pk, reason="", by="support")

    first, resent = mailoutbox
    assert "Hello Åsa," in resent.body
    assert first.attachments[0][1] != b""
    assert resent.attachments[0][0] == first.attachments[0][0]


def test_the_data_is_encrypted_at_rest(confirmation_template, settings):
    order = OrderFactory(customer__last_name="Zlatanović")
    sent = send_order_event(order)

    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM messaging_event WHERE id = %s", [sent.event.pk])
        (stored,) = cursor.fetchone()

    assert "Zlatanović" not in stored
    assert order.number not in stored
    assert Event.objects.get().data["customer"]["last_name"] == "Zlatanović"


def test_rotating_the_key_re_encrypts_every_event(confirmation_template, settings):
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.EVENT_DATA_KEYS = [old]
    sent = send_order_event(OrderFactory())

    settings.EVENT_DATA_KEYS = [new, old]
    call_command("rotate_event_data_key")
    settings.EVENT_DATA_KEYS = [new]

    assert Event.objects.get().data == sent.event.data


def test_without_a_project_sample_proofs_and_previews_render_the_types_example(
    admin_client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.STAFF_TEMPLATE_SAMPLE = ""
    welcome = EventTypeFactory(
        code="welcome",
        name="Welcome",
        schema={"type": "object", "properties": {"name": {"type": "string"}}},
        example={"name": "Example Person"},
    )
    template = MessageTemplateFactory(
        event=welcome, subject="Welcome {{ name }}", text_body="Hi {{ name }}", html_body=""
    )

    preview = admin_client.get(
        reverse("admin:messaging_messagetemplate_preview", args=[template.pk])
    ).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        outbox.queue_proof(template=template, recipient="staff@example.com", requested_by="t")

    assert "Welcome Example Person" in preview
    (email,) = mailoutbox
    assert (email.subject, email.body) == ("[Proof] Welcome Example Person", "Hi Example Person")


def test_rotation_without_configured_keys_is_refused_with_what_to_do(settings, db):
    settings.EVENT_DATA_KEYS = []

    with pytest.raises(CommandError, match="Set EVENT_DATA_KEYS to a new key first"):
        call_command("rotate_event_data_key")

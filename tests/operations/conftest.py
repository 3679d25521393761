"""Operations fixtures: real outbox rows at chosen ages, and the alert mailbox."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from messaging.models import Message, MessageEvent
from operations.notify import SUBJECT_PREFIX
from tests.factories import EventTypeFactory, OrderEventFactory, OrderFactory
from tests.messaging.conftest import (  # noqa: F401 - fixtures shared with the messaging tests
    confirmation_template,
    fake_postmark,
    fast_retries,
)

OPS = "ops@example.com"


@pytest.fixture
def alerts(settings):
    """Alert emails to the operations address, through Django's in-memory backend."""
    settings.ALERT_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MESSAGING_ALERT_EMAILS = [OPS]
    settings.ALERT_MIN_SAMPLE = 10


def alert_emails() -> list:
    """The alert emails sent so far (customer emails share the test outbox)."""
    return [m for m in mail.outbox if m.subject.startswith(SUBJECT_PREFIX)]


def make_message(
    *,
    status: str = Message.Status.QUEUED,
    age: timedelta = timedelta(0),
    order=None,
    event_type: str = "",
    **fields,
) -> Message:
    """An outbox row for a new order's event, created `age` ago, in `status` (no history);
    of the order confirmation type, or of `event_type` (made if new)."""
    order = order or OrderFactory()
    created = timezone.now() - age
    extra = {"type": EventTypeFactory(code=event_type, schema={}, example={})} if event_type else {}
    event = OrderEventFactory(order=order, **extra)
    message = Message.objects.create(
        event=event, recipient=order.customer.email, status=status, **fields
    )
    Message.objects.filter(pk=message.pk).update(created_at=created)
    type(order).objects.filter(pk=order.pk).update(created_at=created)
    type(event).objects.filter(pk=event.pk).update(created_at=created)
    message.refresh_from_db()
    return message


def accept(message: Message, *, at=None) -> Message:
    """The ESP accepted it: `sent`, with its "accepted" history line, as the engine writes."""
    at = at or timezone.now()
    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENDING, attempts=1)
    message.refresh_from_db()
    message.mark_sent(esp_name="Postmark", esp_message_id=f"pm-{message.pk}", now=at)
    MessageEvent.objects.filter(message=message, kind=MessageEvent.Kind.SENT).update(occurred_at=at)
    message.refresh_from_db()
    return message

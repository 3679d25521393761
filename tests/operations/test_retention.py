"""Retention and erasure: after them, the personal data is nowhere in the database."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import CommandError, call_command
from django.db import models
from django.utils import timezone

from inbox.models import CapturedEmail
from messaging.delivery import deliver_message
from messaging.models import Message, MessageEvent
from messaging.tracking import record_tracking_event
from operations import retention
from operations.retention import ERASED_ADDRESS
from shop.models import Order, OrderLine
from tests.factories import CustomerFactory, OrderFactory, StaffFactory
from tests.messaging.helpers import messages_of, queue_order

from .conftest import accept, make_message

pytestmark = pytest.mark.django_db

ADDRESS = "zlatan.unik@example.se"
PERSONAL = [ADDRESS, "Zlatanowicz", "Ljungbyvägen 77", "Till Zlatan med kärlek", "Unikstad"]


def places_holding(text: str) -> list[str]:
    """Every model.field whose stored text contains `text` (any letter case)."""
    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                continue
            if model.objects.filter(**{f"{field.name}__icontains": text}).exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


def test_the_leak_detector_finds_what_it_looks_for():
    CustomerFactory(email=ADDRESS)
    assert places_holding(ADDRESS) == ["shop.Customer.email"]


@pytest.fixture
def zlatan(settings, confirmation_template):
    """A customer who ordered, got the email (captured for the dev inbox), whose ESP sent a
    tracking event quoting the address, and whom staff edited in admin."""
    settings.EMAIL_BACKEND = "inbox.backends.CaptureEmailBackend"
    customer = CustomerFactory(
        email=ADDRESS,
        first_name="Zlatan",
        last_name="Zlatanowicz",
        address_line1="Ljungbyvägen 77",
        city="Unikstad",
    )
    order = OrderFactory(customer=customer, lines=0)
    OrderLine.objects.create(
        order=order,
        product_name="Mugg",
        options=[{"name": "Text", "value": "Till Zlatan med kärlek"}],
        unit_price=Decimal("250.00"),
        quantity=1,
        line_total=Decimal("250.00"),
    )
    message = queue_order(order)
    deliver_message(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert CapturedEmail.objects.filter(to__icontains=ADDRESS).exists()
    message.record(
        MessageEvent.Kind.TRACKING,
        esp_event_type="bounced",
        esp_event_id="capture:sha256:digest-of-the-address",
        detail=f"550 5.1.1 <{ADDRESS}>: mailbox unavailable",
    )
    message.record(MessageEvent.Kind.NOTE, detail="Zlatanowicz called about the engraving.")
    LogEntry.objects.log_actions(
        user_id=StaffFactory().pk,
        queryset=[customer],
        action_flag=CHANGE,
        change_message="Changed phone.",
    )
    return order


def test_erasure_leaves_no_trace_of_the_customer_anywhere(zlatan):
    other = OrderFactory(customer__email="someone.else@example.se")
    accept(make_message(order=other))
    assert places_holding(ADDRESS)  # the fixture really stored it

    call_command("erase_customer", "--email", ADDRESS.upper())

    for text in PERSONAL:
        assert places_holding(text) == [], text
    # The order and its message are still there for the books and the statistics.
    message = messages_of(zlatan).get()
    assert (message.status, message.recipient) == (Message.Status.SENT, ERASED_ADDRESS)
    assert Order.objects.get(pk=zlatan.pk).total == Decimal("250.00")
    # Someone else's data is untouched.
    assert places_holding("someone.else@example.se")


def test_erasure_cancels_a_queued_message_instead_of_sending_it_to_nobody(confirmation_template):
    order = OrderFactory(customer__email=ADDRESS)
    message = make_message(order=order)
    call_command("erase_customer", "--email", ADDRESS)
    message.refresh_from_db()
    assert (message.status, message.recipient) == (Message.Status.FAILED, ERASED_ADDRESS)
    assert "erased on request" in message.last_error


def test_erasure_is_refused_while_a_message_to_them_is_being_sent():
    order = OrderFactory(customer__email=ADDRESS)
    sending = make_message(order=order, status=Message.Status.SENDING)
    with pytest.raises(CommandError, match=f"#{sending.pk} to this person are being sent"):
        call_command("erase_customer", "--email", ADDRESS)
    assert set(places_holding(ADDRESS)) == {
        "messaging.Event.recipient",
        "messaging.Message.recipient",
        "shop.Customer.email",
    }


def test_erasure_logs_counts_only(zlatan, caplog, capsys):
    call_command("erase_customer", "--email", ADDRESS)
    assert ADDRESS not in caplog.text
    assert "Zlatanowicz" not in caplog.text
    out = capsys.readouterr().out
    assert out.startswith("Erased: 1 customer records, 1 orders, 1 messages")
    assert ADDRESS not in out


def old(message: Message, days: int) -> Message:
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(days=days))
    return message


def test_purge_anonymises_old_finished_messages_in_chunks_and_keeps_the_rest(
    zlatan, settings, monkeypatch, capsys
):
    settings.MESSAGING_RETENTION_DAYS = 180
    monkeypatch.setattr(retention, "CHUNK", 2)
    expired = [old(messages_of(zlatan).get(), 200)]
    expired += [old(accept(make_message()), 181 + day) for day in range(4)]
    recent = old(accept(make_message()), 170)
    waiting = old(make_message(), 300)  # still queued: it needs its address

    call_command("purge_messages", "--dry-run")
    assert capsys.readouterr().out.startswith("Would anonymise 5 messages")
    assert places_holding(ADDRESS)

    call_command("purge_messages")
    captured = capsys.readouterr()
    assert captured.out.startswith("Anonymised 5 messages")
    assert captured.err.splitlines()[:3] == ["messages: 2/5", "messages: 4/5", "messages: 5/5"]
    for message in expired:
        message.refresh_from_db()
        assert message.recipient == ERASED_ADDRESS
        assert message.status == Message.Status.SENT  # the statistics keep it
        # Its event keeps its status and reference, not the recipient nor the data.
        event = message.event
        assert (event.recipient, event.recipient_name, event.data) == (ERASED_ADDRESS, "", {})
        assert event.reference
    assert recent.event.data != {}
    assert not MessageEvent.objects.filter(detail__icontains=ADDRESS).exists()
    assert not MessageEvent.objects.filter(esp_event_id__contains=":sha256:").exists()
    recent.refresh_from_db()
    waiting.refresh_from_db()
    assert ERASED_ADDRESS not in (recent.recipient, waiting.recipient)


def test_purge_keeps_only_the_newest_dev_inbox_emails(settings, capsys):
    settings.DEV_INBOX_KEEP = 2
    for n in range(5):
        CapturedEmail.objects.create(message_id=f"m{n}", to=[f"k{n}@example.com"], subject=f"{n}")
    call_command("purge_messages", "--older-than", "30")
    assert "deleted 3 captured emails" in capsys.readouterr().out
    assert sorted(CapturedEmail.objects.values_list("subject", flat=True)) == ["3", "4"]


def test_tracking_events_for_erased_messages_still_deduplicate(zlatan):
    """Erasure keeps ESP event ids that are not digests: a replayed webhook stays one line."""
    from anymail.signals import AnymailTrackingEvent

    message = messages_of(zlatan).get()
    event = AnymailTrackingEvent(
        event_type="delivered", message_id=message.esp_message_id, event_id="esp-1"
    )
    record_tracking_event(event=event, esp_name="Capture")
    call_command("erase_customer", "--email", ADDRESS)
    assert record_tracking_event(event=event, esp_name="Capture") is None

"""Retention and erasure: after them, the personal data is nowhere in the database."""

import json
from datetime import timedelta
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import models
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inbox.models import CapturedEmail
from messaging.delivery import deliver_message
from messaging.models import Message, MessageEvent
from messaging.outbox import queue_message
from messaging.tracking import record_tracking_event
from operations import retention
from operations.retention import ERASED_ADDRESS
from operations.tasks import clear_expired_sessions
from shop.models import Customer, Order, OrderLine
from tests.factories import (
    CHECKOUT_DETAILS,
    CustomerFactory,
    OrderFactory,
    StaffFactory,
    TextOptionFactory,
)
from tests.messaging.conftest import no_publish  # noqa: F401 - a fixture
from tests.messaging.helpers import messages_of, queue_order

from .conftest import accept, make_message

pytestmark = pytest.mark.django_db

ADDRESS = "zlatan.unik@example.se"
ENGRAVING = "Zlatan ❤ Anna"
# The fields of a customer's records erasure keeps, and why; every other field must be declared
# personal in its model's ERASED_VALUES (shop/models.py), which erasure writes.
KEPT = {
    # The row itself and when it was made: no one is identified by them.
    Customer: {"id", "created_at", *Customer.ACCOUNTING_FIELDS},
    # The books (bokföringslagen keeps them 7 years): what the model declares, e.g. number,
    # amounts, dates, the payment's reference and the card's last four digits (the
    # receipt's); and the row's own: its secrets, its customer, its language.
    Order: {"id", "token", "checkout_key", "customer", "language", *Order.ACCOUNTING_FIELDS},
    OrderLine: {"id", "order", "product", *OrderLine.ACCOUNTING_FIELDS},
}


def decoded_sessions() -> dict[str, str]:
    """Every stored session's data, decoded, as JSON text: what a dump's base64 hides."""
    return {
        session.session_key: json.dumps(session.get_decoded(), ensure_ascii=False)
        for session in Session.objects.all()
    }


def places_holding(text: str) -> list[str]:
    """Every model.field whose stored text contains `text` (any letter case), and every session
    whose decoded data does."""
    found = []
    # JSON columns may store non-ASCII text escaped (SQLite does): look for both spellings.
    spellings = {text, json.dumps(text)[1:-1]}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                continue
            for spelling in spellings:
                if model.objects.filter(**{f"{field.name}__icontains": spelling}).exists():
                    found.append(f"{model._meta.label}.{field.name}")
                    break
    found += [
        f"session {key} (decoded)"
        for key, data in decoded_sessions().items()
        if text.casefold() in data.casefold()
    ]
    return found


def personal_values(order: Order) -> list[str]:
    """Every value of the customer's records that is not declared kept: each field of their
    customer row, and what they typed into the order's options."""
    customer = order.customer
    values = [
        str(getattr(customer, field.attname))
        for field in Customer._meta.concrete_fields
        if field.name not in KEPT[Customer]
    ]
    values += [option["value"] for line in order.lines.all() for option in line.options]
    return [value for value in values if value]


def test_the_leak_detector_finds_what_it_looks_for():
    CustomerFactory(email=ADDRESS)
    assert places_holding(ADDRESS) == ["shop.Customer.email"]


def test_every_field_of_a_customers_records_is_erased_or_kept_on_purpose():
    """A new field on Customer, Order or OrderLine fails here until it is declared: personal
    (its model's ERASED_VALUES, which erasure writes) or kept (KEPT above, with the reason)."""
    for model, kept in KEPT.items():
        fields = {field.name for field in model._meta.concrete_fields}
        erased = set(getattr(model, "ERASED_VALUES", {}))
        assert fields - kept - erased == set(), model.__name__
        assert kept & erased == set(), model.__name__


ZLATANS_DETAILS = CHECKOUT_DETAILS | {
    "email": "Zlatan.Unik@Example.SE",  # typed in another letter case than the order's
    "first_name": "Zlatan",
    "last_name": "Zlatanowicz",
    "phone": "+46 70 999 88 77",
    "address_line1": "Ljungbyvägen 77",
    "postal_code": "987 65",
    "city": "Unikstad",
}


def abandon_a_checkout(client, details: dict, engraving: str = ENGRAVING) -> None:
    """What a visitor leaves in the session table: a cart with an engraving, and the checkout
    form's details, never paid for."""
    option = TextOptionFactory(product__name="Mugg")
    client.post(
        reverse("shop:product", args=[option.product.slug]),
        {f"option_{option.pk}": engraving, "quantity": 1},
    )
    assert client.post(reverse("shop:checkout"), details).status_code == 302


@pytest.fixture
def zlatan(settings, confirmation_template, client):
    """A customer who ordered, got the email (captured for the dev inbox), whose ESP sent a
    tracking event quoting the address, whom staff edited in admin, who typed their address
    into the admin login, and who left another checkout half-way (their address in other
    letter case)."""
    settings.EMAIL_BACKEND = "inbox.backends.CaptureEmailBackend"
    customer = CustomerFactory(
        email=ADDRESS,
        first_name="Zlatan",
        last_name="Zlatanowicz",
        phone="+46 70 999 88 77",
        address_line1="Ljungbyvägen 77",
        address_line2="Lägenhet 1402",
        postal_code="987 65",
        city="Unikstad",
        country="NO",
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
    settings.AXES_ENABLED = True
    client.post(reverse("admin:login"), {"username": ADDRESS, "password": "guess"})
    settings.AXES_ENABLED = False
    abandon_a_checkout(Client(), ZLATANS_DETAILS)
    return order


def test_erasure_leaves_no_trace_of_the_customer_anywhere(zlatan):
    other = OrderFactory(customer__email="someone.else@example.se")
    accept(make_message(order=other))
    abandon_a_checkout(Client(), CHECKOUT_DETAILS | {"email": "someone.else@example.se"}, "Hej")
    personal = personal_values(zlatan)
    assert len(personal) == 10  # the customer's nine fields and the engraving
    for value in personal:
        assert places_holding(value), value  # the fixture really stored it
    before = Customer.objects.values().get(pk=zlatan.customer_id)

    call_command("erase_customer", "--email", ADDRESS.upper())

    # Values too short to search for everywhere are at least gone from their own row.
    after = Customer.objects.values().get(pk=zlatan.customer_id)
    for name, value in before.items():
        if name not in KEPT[Customer] and value:
            assert after[name] != value, name
    for value in personal:
        if len(value) >= 5:
            assert places_holding(value) == [], value
    assert places_holding(ENGRAVING) == []
    # The order and its message are still there for the books and the statistics.
    message = messages_of(zlatan).get()
    assert (message.status, message.recipient) == (Message.Status.SENT, ERASED_ADDRESS)
    assert Order.objects.get(pk=zlatan.pk).total == Decimal("250.00")
    # Someone else's data is untouched.
    # The customer, the event, its message and the session.
    assert len(places_holding("someone.else@example.se")) == 4


def test_erasure_deletes_captured_mail_about_their_order_sent_to_another_address(
    settings, confirmation_template
):
    """The confirmation of their order went to another address of theirs: the dev inbox's
    copy names neither the erased address nor anything to search for, only the message."""
    settings.EMAIL_BACKEND = "inbox.backends.CaptureEmailBackend"
    order = OrderFactory(customer__email=ADDRESS)
    deliver_message(message_id=queue_order(order, recipient="zlatan.work@example.se").pk)
    assert CapturedEmail.objects.filter(to__icontains="zlatan.work@example.se").exists()

    report = retention.erase_customer(email=ADDRESS)

    assert (report.captured_emails, CapturedEmail.objects.count()) == (1, 0)


def test_a_checkout_left_half_way_is_deleted_by_beat_once_its_hour_is_over(client, settings):
    settings.CHECKOUT_SESSION_MINUTES = 60
    abandon_a_checkout(client, ZLATANS_DETAILS)
    assert places_holding("Ljungbyvägen 77")
    assert settings.CELERY_BEAT_SCHEDULE["clear-expired-sessions"]["task"] == (
        "operations.clear_expired_sessions"
    )

    clear_expired_sessions.delay()  # within the hour: kept, the customer may come back
    assert Session.objects.count() == 1
    Session.objects.update(expire_date=F("expire_date") - timedelta(minutes=61))
    clear_expired_sessions.delay()  # beat's sweep after it

    assert places_holding("Ljungbyvägen 77") == []
    assert places_holding(ENGRAVING) == []
    assert "Zlatan" not in client.get(reverse("shop:checkout"), follow=True).content.decode()


def test_erasure_forgets_a_cached_copy_of_the_session_too(settings, client):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    abandon_a_checkout(client, ZLATANS_DETAILS)
    key = client.session.session_key
    CustomerFactory(email=ADDRESS)

    call_command("erase_customer", "--email", ADDRESS)

    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    assert store.load() == {}


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
    # The half-way checkout's session, counted as deleted.
    assert "captured emails, 1 admin log lines, 1 browser sessions," in out
    assert ADDRESS not in out


def test_erasure_leaves_a_history_line_without_text_without_text(zlatan):
    """Only text that was there is replaced by the erased marker: a line that had none (the
    queued line of a message sent without a note) is not made to look as if it held data."""
    message = messages_of(zlatan).get()
    assert message.events.get(kind="queued").detail == ""
    retention.erase_customer(email=ADDRESS)
    assert message.events.get(kind="queued").detail == ""


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
        # Its event keeps its status, reference and the books' part of its data, not the
        # recipient nor the rest (tests/operations/test_bookkeeping.py says what is kept).
        event = message.event
        assert (event.recipient, event.recipient_name) == (ERASED_ADDRESS, "")
        assert set(event.data) == {"order", "lines"}
        assert "customer" not in json.dumps(event.data)
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


def test_purge_keeps_the_dev_inbox_emails_captured_last_not_the_highest_ids(settings):
    """ "Newest" is the time an email was captured: a row written with a later id but an older
    time (a clock stepped back, a restored dump) is not kept in place of a newer one."""
    settings.DEV_INBOX_KEEP = 1
    newer, older = (
        CapturedEmail.objects.create(message_id=f"m{n}", subject=f"{n}") for n in (1, 2)
    )
    CapturedEmail.objects.filter(pk=older.pk).update(
        created_at=newer.created_at - timedelta(days=1)
    )
    call_command("purge_messages", "--older-than", "30")
    assert list(CapturedEmail.objects.values_list("subject", flat=True)) == ["1"]


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


# --- an erased customer is never written to again ------------------------------------------


@pytest.fixture
def erased_while_retrying(confirmation_template):
    """An order whose confirmation was waiting for a retry when its customer was erased."""
    order = OrderFactory(customer__email=ADDRESS)
    message = make_message(order=order, attempts=1, last_error="ESP timed out.")
    call_command("erase_customer", "--email", ADDRESS)
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    return message


def failed_confirmation(address: str) -> Message:
    message = make_message(order=OrderFactory(customer__email=address))
    message.mark_failed(reason="Gave up after 8 attempts.")
    return message


def test_the_resend_command_refuses_an_erased_customers_order_and_says_so(
    erased_while_retrying, mailoutbox, capsys, django_capture_on_commit_callbacks
):
    other = failed_confirmation("someone.else@example.se")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("resend_confirmations", "--status", "failed")

    out = capsys.readouterr().out
    assert [email.to for email in mailoutbox] == [["someone.else@example.se"]]
    assert "Queued 1 resend(s)" in out
    assert "Not resent 1: the customer's data was erased on request." in out
    assert not erased_while_retrying.resends.exists()
    assert other.resends.count() == 1


def test_the_resend_command_names_erased_orders_in_a_dry_run(erased_while_retrying, capsys):
    call_command("resend_confirmations", "--status", "failed", "--dry-run")

    out = capsys.readouterr().out
    number = erased_while_retrying.event.reference
    assert f"not resent  order {number}  message #{erased_while_retrying.pk}  erased" in out
    assert "Dry run: 0 message(s) would be resent; 1 not: the customer's data was erased" in out


def test_resending_an_erased_customers_order_is_refused_with_the_reason(erased_while_retrying):
    from messaging.outbox import CustomerErased, resend_message, resend_messages

    with pytest.raises(CustomerErased, match="the customer's data was erased on request"):
        resend_message(message_id=erased_while_retrying.pk, reason="", by="support")
    with pytest.raises(CustomerErased):
        queue_message(event=erased_while_retrying.event)
    run = resend_messages(message_ids=[erased_while_retrying.pk], reason="", by="support")
    assert (run.resends, run.erased) == ([], [erased_while_retrying.pk])
    assert Message.objects.count() == 1


def test_the_admin_refuses_to_resend_to_an_erased_customer(
    erased_while_retrying, admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    pk = erased_while_retrying.pk
    page = admin_client.get(reverse("admin:messaging_message_resend", args=[pk]))
    assert "the customer's data was erased on request" in page.content.decode()
    assert 'value="Yes, resend it"' not in page.content.decode()

    one = admin_client.post(
        reverse("admin:messaging_message_resend", args=[pk]), {"reason": "lost"}, follow=True
    )
    assert "Not resent: the customer&#x27;s data was erased on request." in one.content.decode()

    other = failed_confirmation("someone.else@example.se")
    with django_capture_on_commit_callbacks(execute=True):
        many = admin_client.post(
            reverse("admin:messaging_message_changelist"),
            {
                "action": "resend_selected",
                "_selected_action": [pk, other.pk],
                "confirm": "yes",
                "reason": "ESP outage",
            },
            follow=True,
        )
    text = many.content.decode()
    assert "1 resend(s) queued." in text
    assert "1 not resent: the customer&#x27;s data was erased on request." in text
    assert not erased_while_retrying.resends.exists()
    assert [email.to for email in mailoutbox] == [["someone.else@example.se"]]


@pytest.mark.usefixtures("no_publish")
def test_a_worker_never_sends_to_the_erased_address(confirmation_template, mailoutbox):
    """Whatever put it there (a row queued by an older release, a restored backup), a message
    to the erased placeholder ends failed with the reason instead of reaching the ESP."""
    message = queue_order(OrderFactory())
    Message.objects.filter(pk=message.pk).update(recipient=ERASED_ADDRESS)

    deliver_message(message_id=message.pk)

    message.refresh_from_db()
    assert mailoutbox == []
    assert message.status == Message.Status.FAILED
    assert message.last_error == "Not sent: the recipient's data was erased on request."

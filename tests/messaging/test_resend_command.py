"""`manage.py resend_confirmations`: what an operator types, sees and gets."""

import io
import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from pypdf import PdfReader

from attachments.api import generated_password
from messaging.models import Event, Message, MessageEvent
from shop.models import Order
from tests.factories import OrderFactory
from tests.messaging.helpers import messages_of, queue_order

pytestmark = pytest.mark.django_db(transaction=True)


def confirmed_order(*, status=Message.Status.SENT, days_ago=0) -> Order:
    """An order whose confirmation ended with `status`."""
    order = OrderFactory()
    placed = timezone.now() - timedelta(days=days_ago)
    Order.objects.filter(pk=order.pk).update(created_at=placed)
    message = queue_order(order)
    Message.objects.filter(pk=message.pk).update(status=status)
    Event.objects.filter(pk=message.event_id).update(created_at=placed)  # it came with the order
    return order


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("resend_confirmations", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def no_delivery(no_publish, settings, monkeypatch):
    """Resends stay queued: these tests look at the selection, not at delivery."""


def resends_of(order: Order) -> list[Message]:
    return list(messages_of(order).filter(resend_of__isnull=False).order_by("sequence"))


def test_resend_by_order_number(no_delivery, confirmation_template):
    order, other = confirmed_order(), confirmed_order()

    out, err = run("--order", order.number, "--reason", "customer lost the email")

    [resend] = resends_of(order)
    assert resend.sequence == 1
    assert resend.resend_of == messages_of(order).get(sequence=0)
    assert resend.status == Message.Status.QUEUED
    assert resend.recipient == order.customer.email
    assert "customer lost the email" in " ".join(resend.events.values_list("detail", flat=True))
    assert resends_of(other) == []
    assert "Queued 1 resend(s)" in out
    assert "1/1" in err  # the progress bar


def test_resend_failed_since_until(no_delivery, confirmation_template):
    last_week_failed = confirmed_order(status=Message.Status.FAILED, days_ago=3)
    last_week_sent = confirmed_order(status=Message.Status.SENT, days_ago=3)
    old_failed = confirmed_order(status=Message.Status.FAILED, days_ago=30)
    today = timezone.localdate()

    run(
        "--status",
        "failed",
        "--since",
        str(today - timedelta(days=7)),
        "--until",
        str(today),
    )

    assert len(resends_of(last_week_failed)) == 1
    assert resends_of(last_week_sent) == []
    assert resends_of(old_failed) == []


def test_resending_twice_resends_the_latest(no_delivery, confirmation_template):
    order = confirmed_order()

    run("--order", order.number)
    out, _ = run("--order", order.number)  # minutes later: the fresh resend is left alone
    assert "Skipped 1" in out
    assert len(resends_of(order)) == 1
    run("--order", order.number, "--force")

    first, second = resends_of(order)
    assert (first.sequence, second.sequence) == (1, 2)
    assert second.resend_of == first


def test_dry_run_lists_and_changes_nothing(no_delivery, confirmation_template):
    order = confirmed_order(status=Message.Status.FAILED)
    before = (Message.objects.count(), MessageEvent.objects.count())

    out, _ = run("--status", "failed", "--dry-run")

    assert f"would resend  order {order.number}" in out
    assert "Dry run: 1 message(s) would be resent." in out
    assert (Message.objects.count(), MessageEvent.objects.count()) == before


def test_resends_are_queued_and_published_a_chunk_at_a_time(
    no_publish, confirmation_template, monkeypatch
):
    """Each chunk commits (and reaches the workers) on its own: never one transaction holding
    every selected order until the end of the run."""
    from messaging import outbox
    from messaging.management.commands import resend_confirmations

    monkeypatch.setattr(resend_confirmations, "CHUNK", 2)
    orders = [confirmed_order(status=Message.Status.FAILED) for _ in range(5)]
    committed_when_published = []

    def publish(*, message_id, batch=None, **kwargs):
        # What a worker picking up these ids would find committed at that moment.
        committed_when_published.append(
            (Message.objects.filter(resend_of__isnull=False).count(), len(batch or [message_id]))
        )
        return True

    monkeypatch.setattr(outbox, "publish_delivery", publish)

    out, _ = run("--status", "failed", "--reason", "ESP outage")

    # One task per chunk's batch of resends (the last chunk's one resend: one task of its own).
    assert committed_when_published == [(2, 2), (4, 2), (5, 1)]
    assert "Queued 5 resend(s)" in out
    for order in orders:
        original = messages_of(order).get(sequence=0)
        [resend] = resends_of(order)
        assert resend.recipient == order.customer.email
        assert resend.template_revision == original.template_revision
        assert list(resend.attachment_revisions.all()) == list(original.attachment_revisions.all())
        assert resend.events.get().detail.endswith("ESP outage")
        assert original.events.filter(detail=f"Resent as message #{resend.pk}.").exists()


def test_a_resend_in_a_chunk_is_in_the_orders_language_with_its_fallback_lines(
    no_delivery, confirmation_template, settings
):
    """Pinned as `queue_message` pins a first message: the order's language picks the
    versions, and a version in another language is a line in the history."""
    other = next(code for code, _ in settings.LANGUAGES if code != confirmation_template.language)
    order = OrderFactory(language=other)
    original = queue_order(order)
    Message.objects.filter(pk=original.pk).update(status=Message.Status.FAILED)

    run("--status", "failed")

    [resend] = resends_of(order)
    assert resend.language == original.language == confirmation_template.language
    fallback_lines = [
        line for line in original.events.values_list("detail", flat=True) if "rendered in" in line
    ]
    assert fallback_lines  # the email exists in one language only
    assert set(fallback_lines) <= set(resend.events.values_list("detail", flat=True))
    assert list(resend.attachment_revisions.all()) == list(original.attachment_revisions.all())


def test_resends_of_a_template_never_published_fail_with_the_reason(no_publish):
    """The command queues a chunk at a time, and still never sends a draft: each resend is
    kept, failed with what to publish, as a first message would be."""
    from tests.factories import MessageTemplateFactory, OrderEventFactory

    order = OrderFactory()
    # A confirmation that failed before: its template has since been replaced by a draft.
    Message.objects.create(
        event=OrderEventFactory(order=order),
        recipient=order.customer.email,
        status=Message.Status.FAILED,
    )
    MessageTemplateFactory(name="Winter", published=False)
    no_publish.clear()

    out, _ = run("--order", order.number, "--reason", "template fixed")

    [resend] = resends_of(order)
    assert resend.status == Message.Status.FAILED
    assert "“Winter (English)” has never been published" in resend.last_error
    assert no_publish == []
    assert "Queued 1 resend(s)" in out


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--order", "NG-NOPE-NOPE"], "Unknown order number(s): NG-NOPE-NOPE"),
        (["--since", "last tuesday"], "--since 'last tuesday' is not a date"),
        (["--until", "2026-13-45"], "--until '2026-13-45' is not a date"),
        (["--since", "2026-11-20", "--until", "2026-11-01"], "--since is after --until"),
        ([], "Select something"),
        # A DataError on PostgreSQL otherwise (SQLite would store the reason).
        (["--order", "NG-7K3M-Q9XD\x00"], "--order must not contain a NUL byte"),
        (["--status", "failed", "--reason", "lost\x00"], "--reason must not contain a NUL byte"),
    ],
)
def test_bad_input_is_a_command_error(db, args, error):
    with pytest.raises(CommandError, match=error.replace("(", r"\(").replace(")", r"\)")):
        run(*args)


def test_bad_status_is_refused(db):
    with pytest.raises(CommandError, match="invalid choice"):
        run("--status", "lost")


def test_nothing_selected_says_so(db, confirmation_template):
    out, _ = run("--status", "failed")

    assert out.strip() == "Nothing to resend."


def test_resend_is_delivered_with_the_same_password(confirmation_template, mailoutbox):
    order = confirmed_order(status=Message.Status.FAILED)
    mailoutbox.clear()

    run("--order", order.number)

    [resend] = resends_of(order)
    resend.refresh_from_db()
    assert resend.status == Message.Status.SENT
    [email] = mailoutbox
    [(_name, content, _mimetype)] = email.attachments
    reader = PdfReader(io.BytesIO(content))
    assert reader.decrypt(generated_password(order.token))
    assert order.number in reader.pages[0].extract_text()


@pytest.mark.postgres
def test_two_concurrent_runs_resend_each_message_once(postgres, no_delivery, confirmation_template):
    orders = [confirmed_order(status=Message.Status.FAILED) for _ in range(40)]
    barrier = threading.Barrier(2)
    errors = []

    def operator():
        try:
            barrier.wait()
            run("--status", "failed")
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=operator) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert [len(resends_of(order)) for order in orders] == [1] * 40

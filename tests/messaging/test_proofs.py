"""Proofs never delay a customer: their own queue, everywhere a proof is published, and a
limit per staff member on how many may be sent within a window."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from messaging import delivery, outbox, relay
from messaging.models import Message
from messaging.tasks import deliver_message
from tests.factories import OrderFactory, StaffFactory
from tests.messaging.fake_esp import UNAVAILABLE
from tests.messaging.helpers import queue_order


@pytest.fixture
def queues(monkeypatch) -> list[str | None]:
    """The queue of every delivery published to Celery (None: the default delivery queue)."""
    published = []

    def apply_async(args, countdown=None, queue=None, **kwargs):
        published.append(queue)

    monkeypatch.setattr(deliver_message, "apply_async", apply_async)
    return published


def proof_url(template) -> str:
    return reverse("admin:messaging_messagetemplate_proof", args=[template.pk])


def test_a_proof_is_published_on_the_proof_queue_and_an_order_on_the_default(
    editor_client, confirmation_template, queues, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queue_order(OrderFactory())
        editor_client.post(proof_url(confirmation_template), {"email": "editor@example.com"})

    assert Message.objects.filter(is_proof=True).count() == 1
    assert queues == [None, settings.MESSAGING_PROOF_QUEUE]
    assert f"{settings.CELERY_TASK_DEFAULT_QUEUE}.proofs" == settings.MESSAGING_PROOF_QUEUE


def test_workers_consume_the_proof_queue_by_default(settings):
    # A worker started without -Q listens on every queue of CELERY_TASK_QUEUES.
    assert settings.MESSAGING_PROOF_QUEUE in {queue.name for queue in celery_app.conf.task_queues}


def test_a_proof_retried_by_the_engine_stays_on_the_proof_queue(
    confirmation_template, fake_postmark, queues, settings
):
    fake_postmark.plan = [UNAVAILABLE]
    proof = outbox.queue_proof(
        template=confirmation_template, recipient="staff@example.com", requested_by="staff"
    )
    queues.clear()  # the first publish, on commit

    proof = delivery.deliver_message(message_id=proof.pk)

    assert proof.status == Message.Status.QUEUED  # a retry is scheduled
    assert queues == [settings.MESSAGING_PROOF_QUEUE]


def test_the_relay_republishes_a_lost_proof_on_the_proof_queue(
    confirmation_template, queues, settings
):
    order_message = queue_order(OrderFactory())
    proof = outbox.queue_proof(
        template=confirmation_template, recipient="staff@example.com", requested_by="staff"
    )
    long_ago = timezone.now() - timedelta(hours=1)
    Message.objects.filter(pk__in=[order_message.pk, proof.pk]).update(next_attempt_at=long_ago)
    queues.clear()

    relay.relay_due_messages()

    assert sorted(queues, key=str) == sorted([None, settings.MESSAGING_PROOF_QUEUE], key=str)


def test_a_staff_member_over_the_proof_limit_gets_a_clear_message(
    editor_client, confirmation_template, queues, settings, django_capture_on_commit_callbacks
):
    settings.MESSAGING_PROOF_LIMIT = 2
    settings.MESSAGING_PROOF_WINDOW_MINUTES = 60
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            editor_client.post(proof_url(confirmation_template), {"email": "editor@example.com"})

        response = editor_client.post(
            proof_url(confirmation_template), {"email": "editor@example.com"}, follow=True
        )

    page = response.content.decode()
    assert "No proof sent: you have sent 2 proofs in the last 60 minutes" in page
    assert "(MESSAGING_PROOF_LIMIT); the next can be sent at " in page
    assert Message.objects.filter(is_proof=True).count() == 2
    assert len(queues) == 2


def test_the_proof_limit_is_per_staff_member_and_per_window(
    client, editor, confirmation_template, settings, queues
):
    settings.MESSAGING_PROOF_LIMIT = 1
    first = outbox.queue_proof(
        template=confirmation_template,
        recipient="a@example.com",
        requested_by="editor",
        requester=editor,
    )
    with pytest.raises(outbox.ProofLimitReached, match="you have sent 1 proof in the last 60"):
        outbox.queue_proof(
            template=confirmation_template,
            recipient="a@example.com",
            requested_by="editor",
            requester=editor,
        )
    # Someone else may; and once the window has passed, so may the first.
    other = StaffFactory(username="other")
    outbox.queue_proof(
        template=confirmation_template,
        recipient="a@example.com",
        requested_by="other",
        requester=other,
    )
    Message.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(hours=2))
    outbox.queue_proof(
        template=confirmation_template,
        recipient="a@example.com",
        requested_by="editor",
        requester=editor,
    )
    assert Message.objects.filter(is_proof=True).count() == 3


def test_a_proof_whose_document_cannot_be_drawn_fails_at_once_with_the_reason(
    confirmation_template, queues
):
    # Saved before the budget existed (or over it only with a real order's data): the proof
    # fails on its first attempt, with a reason staff can act on, and is not retried.
    document = confirmation_template.attachment_links.get().attachment_template
    revision = document.current_revision()
    type(revision).objects.filter(pk=revision.pk).update(html="<div>" * 20_000)
    proof = outbox.queue_proof(
        template=confirmation_template, recipient="staff@example.com", requested_by="staff"
    )
    queues.clear()

    proof = delivery.deliver_message(message_id=proof.pk)

    assert (proof.status, proof.attempts) == (Message.Status.FAILED, 1)
    assert proof.last_error.startswith(
        f"Attachment error (DocumentTooComplex): The document “{revision.name}” nests its "
        "elements more than 60 deep (ATTACHMENT_MAX_NESTING)"
    )
    assert queues == []  # no retry published


def test_the_relay_puts_a_proof_whose_worker_died_back_on_the_proof_queue(
    confirmation_template, queues, settings
):
    proof = outbox.queue_proof(
        template=confirmation_template, recipient="staff@example.com", requested_by="staff"
    )
    Message.objects.filter(pk=proof.pk).update(
        status="sending", attempts=1, claimed_until=timezone.now() - timedelta(seconds=1)
    )
    queues.clear()

    assert relay.relay_due_messages().released == 1

    assert queues == [settings.MESSAGING_PROOF_QUEUE]


def test_a_proofs_history_says_what_was_proofed_from_what_and_for_whom(confirmation_template):
    proof = outbox.queue_proof(
        template=confirmation_template, recipient="staff@example.com", requested_by="proofreader"
    )
    assert list(proof.events.filter(kind="queued").values_list("detail", flat=True)) == [
        "Proof of the newest revisions (drafts included) from the example, "
        "requested by proofreader."
    ]


def test_a_proof_is_never_resent_as_a_customer_message(confirmation_template, queues):
    proof = outbox.queue_proof(
        template=confirmation_template, recipient="staff@example.com", requested_by="staff"
    )
    queues.clear()

    assert outbox.resend_message(message_id=proof.pk, reason="", by="operator") is None

    assert (Message.objects.count(), queues) == (1, [])

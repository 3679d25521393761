"""The task that emails a document access link (messaging/document_access.py).

Its own task rather than the outbox's: it is a short system email in the event's language,
not a staff template, and it carries a secret that must never be stored — so it is built and
sent in one step, and a failed send is retried by Celery (each retry with a new link).
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from . import document_access
from .models import DocumentAccessLink, Event
from .models.access import LINK_MINUTES

logger = logging.getLogger(__name__)


@shared_task(
    name="messaging.send_document_access_link",
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
)
def send_document_access_link(event_id: int | None) -> None:
    """Email a new link to the event's recipient (by id; None: the form matched nothing)."""
    if event_id is None:
        return
    event = Event.objects.select_related("client").filter(pk=event_id).first()
    if event is None or event.is_erased:
        return
    if not document_access.documents_of(document_access.latest_message(event)):
        return
    send_link(event)


def send_link(event: Event) -> DocumentAccessLink:
    link, token = DocumentAccessLink.issue(event)
    context = {
        "shop_name": document_access.shop_name(event.client, event.language),
        "first_name": event.recipient_name.split(" ")[0] if event.recipient_name else "",
        "reference": event.reference,
        "url": document_access.link_url(token),
        "minutes": LINK_MINUTES,
    }
    with translation.override(event.language):
        subject = render_to_string("messaging/documents/link_email_subject.txt", context).strip()
        text = render_to_string("messaging/documents/link_email.txt", context)
        html = render_to_string("messaging/documents/link_email.html", context)
    email = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[event.recipient]
    )
    email.attach_alternative(html, "text/html")
    email.metadata = {"document_access_link": str(link.pk)}
    email.secret_body = True  # a dev inbox keeps no usable link outside DEBUG (inbox/backends.py)
    email.send()
    document_access.record(
        event, f"Lost password: a link to the documents was emailed (valid {LINK_MINUTES} min)."
    )
    logger.info("Document access link %s sent for event %s.", link.pk, event.pk)
    return link

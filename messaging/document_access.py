"""Lost password, self-service: a customer who cannot open a PDF gets a short, single-use link
by email that shows the document passwords and downloads each document again.

Why a link by email is enough here: whoever reads the mailbox already has the encrypted PDF,
so a way back in sent to that same mailbox gives them nothing new; what it must not do is let
anyone else in (docs/integrators/documents.md has the threat model). So:

* the request form answers the same page whatever it was given, does the same work (one
  lookup, one task published on commit) and sends nothing itself: the email is the worker's;
* a link is stored only as a hash (`DocumentAccessLink`), works for `LINK_MINUTES` and is used
  up when the customer asks to see the passwords (a POST from the page the link leads to, not
  the GET: mail scanners fetch links before the customer clicks);
* the documents are built again from the revisions the email was built from and the event's
  data, encrypted with the same passwords (`messaging.compose.build_pinned_attachment`);
* every step is a line in the message's history.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from attachments.api import AttachmentError, render_filename
from stafftemplates.contexts import shop_values
from stafftemplates.errors import StaffTemplateError

from .models import Client, DocumentAccessLink, Event, Message, MessageAttachment, MessageEvent

logger = logging.getLogger(__name__)


def public_url(path: str) -> str:
    """`path` on this site as an email names it (`MESSAGING_PUBLIC_URL`, else `SHOP_URL`)."""
    base = settings.MESSAGING_PUBLIC_URL or getattr(settings, "SHOP_URL", "")
    return base.rstrip("/") + path


def help_url(*, language: str, client_id: int | None) -> str:
    """`{{ event.documents_help_url }}`: the *Can't open your PDF?* page in the event's
    language, naming the client shop that sent it (`STAFF_TEMPLATE_DOCUMENTS_HELP_URL`)."""
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    try:
        if client_id is None:
            path = reverse("messaging:documents_help", kwargs={"language": language})
        else:
            kwargs = {"language": language, "client_id": client_id}
            path = reverse("messaging:client_documents_help", kwargs=kwargs)
    except NoReverseMatch:  # a project that does not serve the pages: templates render ""
        return ""
    return public_url(path)


def shop_name(client: Client | None, language: str) -> str:
    """Whose documents these are: the client shop that sent the event, else this site's shop
    (as its templates name it, `{{ shop.name }}`)."""
    if client is not None:
        return client.name
    with translation.override(language):
        return shop_values()["shop"]["name"]


def latest_message(event: Event) -> Message | None:
    """The event's latest customer message: the one whose PDFs the customer has."""
    return Message.objects.latest_per_event().filter(event=event).order_by("-sequence").first()


def documents_of(message: Message | None) -> list[MessageAttachment]:
    if message is None:
        return []
    return list(
        message.attachment_links.select_related("attachment_revision__template").order_by(
            "position", "pk"
        )
    )


@dataclass(frozen=True)
class Document:
    """One PDF as the link page lists it: its number on the page and its file name."""

    number: int
    filename: str


def list_documents(event: Event) -> list[Document]:
    """The event's PDFs, numbered from 1 in the order the email attached them."""
    found = []
    for number, link in enumerate(documents_of(latest_message(event)), start=1):
        revision = link.attachment_revision
        context = event.template_context(language=revision.template.language)
        try:
            filename = render_filename(revision, context)
        except (AttachmentError, StaffTemplateError) as exc:
            logger.warning("Event %s: a file name failed (%s).", event.pk, type(exc).__name__)
            filename = f"document-{number}.pdf"
        found.append(Document(number=number, filename=filename))
    return found


def find_event(*, client: Client | None, reference: str, email: str) -> Event | None:
    """The newest event `client` sent with `reference`, when it went to `email` (any case) and
    still has documents to give; else None."""
    event = Event.objects.latest_for(reference=reference.strip(), client=client)
    if event is None or event.is_erased:
        return None
    if event.recipient.casefold() != email.strip().casefold():
        return None
    return event


def request_link(*, client: Client | None, reference: str, email: str) -> None:
    """Handle the form: when the pair matches, the worker emails a new link. A task is
    published on commit either way (with no id when nothing matched), so a match and a
    mismatch cost the request the same work; only ids cross the broker."""
    event = find_event(client=client, reference=reference, email=email)
    event_id = event.pk if event is not None else None
    transaction.on_commit(lambda: _publish(event_id))


def _publish(event_id: int | None) -> None:
    from .access_tasks import send_document_access_link

    try:
        send_document_access_link.delay(event_id)
    except Exception as exc:  # a broker that is down: the customer can ask again
        logger.warning("Document access link not queued (%s).", type(exc).__name__)


def record(event: Event, detail: str) -> None:
    """A line in the history of the event's latest message (what support reads)."""
    if (message := latest_message(event)) is not None:
        MessageEvent.objects.create(message=message, kind=MessageEvent.Kind.NOTE, detail=detail)


def link_url(token: str) -> str:
    return public_url(reverse("messaging:documents_link", kwargs={"token": token}))


# --- the browser that opened a link -----------------------------------------------------------

SESSION_KEY = "document_access_links"


def grant(session, link: DocumentAccessLink) -> None:
    """Let this browser download the link's documents until the link expires."""
    opened = list(session.get(SESSION_KEY, []))
    if link.pk not in opened:
        session[SESSION_KEY] = [*opened, link.pk]


def granted_link(session, link_id: int) -> DocumentAccessLink | None:
    """The opened, unexpired link `link_id`, when this browser opened it; else None."""
    if link_id not in session.get(SESSION_KEY, []):
        return None
    link = (
        DocumentAccessLink.objects.select_related("event", "event__client")
        .filter(pk=link_id, opened_at__isnull=False)
        .first()
    )
    if link is None or link.is_expired():
        return None
    return link

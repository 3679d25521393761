"""Which passwords open an event's PDFs: the ones its latest email was built with.

Each attachment template has its own policy (generated, or from the recipient's data), and a
message pins the revisions it is built from; so the passwords to show a recipient (through the
sender, e.g. its confirmation page) or a support agent (in admin) are those of the event's
latest customer message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from attachments.api import AttachmentError, document_password, render_filename
from stafftemplates.errors import StaffTemplateError

from .models import Event, Message

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentPassword:
    password: str
    filenames: tuple[str, ...]


def event_document_passwords(
    event: Event | None, *, message: Message | None = None
) -> list[DocumentPassword]:
    """The passwords of the PDFs attached to `event`'s latest email, each with its file names.

    Empty without an event or when its email carries no attachment (or it has no email: an
    ignored event). A document whose password cannot be built is left out (its message fails
    with that reason). A caller that has just written the event's only message (`send_event`)
    passes it as `message`, sparing the look-up.
    """
    if event is None:
        return []
    if message is None:
        message = (
            Message.objects.latest_per_event().filter(event=event).order_by("-sequence").first()
        )
    if message is None:
        return []
    links = list(message.attachment_links.select_related("attachment_revision"))
    if not links:
        return []
    context = event.template_context()
    found: dict[str, list[str]] = {}
    for link in links:
        revision = link.attachment_revision
        try:
            password = document_password(revision, context=context, token=event.token)
            filename = render_filename(revision, context)
        except (AttachmentError, StaffTemplateError) as exc:
            # The type only: a template error can quote the recipient's data.
            logger.warning(
                "Event %s: a document password could not be built (%s).",
                event.pk,
                type(exc).__name__,
            )
            continue
        found.setdefault(password, []).append(filename)
    return [DocumentPassword(password, tuple(names)) for password, names in found.items()]


def reference_document_passwords(
    reference: str, *, type: str | None = None
) -> list[DocumentPassword]:
    """`event_document_passwords` of the newest event the project itself sent with
    `reference` (e.g. an order number), of the type coded `type` when given (an order's
    confirmation, not the refund sent about it since)."""
    return event_document_passwords(Event.objects.latest_for(reference=reference, type=type))

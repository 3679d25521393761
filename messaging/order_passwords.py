"""Which passwords open an order's PDFs: the ones its confirmation email was built with.

Each attachment template has its own policy (generated, or from customer data), and a message
pins the revisions it is built from; so the passwords to show a customer (on the confirmation
page) or a support agent (in admin) are those of the order's latest confirmation message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from attachments.api import AttachmentError, document_password, render_filename
from shop.documents import order_context
from shop.models import Order
from stafftemplates.errors import StaffTemplateError

from .models import Message

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentPassword:
    password: str
    filenames: tuple[str, ...]


def order_document_passwords(order: Order) -> list[DocumentPassword]:
    """The passwords of the PDFs attached to `order`'s confirmation, each with its file names.

    Empty when no confirmation with attachments was queued (no active template). A document
    whose password cannot be built is left out (its message fails with that reason).
    """
    message = (
        Message.objects.latest_per_order()
        .filter(order=order, event="order_confirmation")
        .order_by("-sequence")
        .first()
    )
    if message is None:
        return []
    links = list(message.attachment_links.select_related("attachment_revision"))
    if not links:
        return []
    context = order_context(order)
    found: dict[str, list[str]] = {}
    for link in links:
        revision = link.attachment_revision
        try:
            password = document_password(revision, context=context, token=order.token)
            filename = render_filename(revision, context)
        except (AttachmentError, StaffTemplateError) as exc:
            # The type only: a template error can quote customer data.
            logger.warning(
                "Order %s: a document password could not be built (%s).",
                order.pk,
                type(exc).__name__,
            )
            continue
        found.setdefault(password, []).append(filename)
    return [DocumentPassword(password, tuple(names)) for password, names in found.items()]

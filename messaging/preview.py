"""What the template admin previews: a template as saved now, against a real order or the sample.

Only staff requests render here (the preview pages). Customers' messages never do: the worker
renders them from the revisions pinned at queue time (`services.compose_email`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from attachments.documents import (
    Attachment,
    build_attachment,
    can_reveal_password,
    document_password,
    generated_password,
)
from shop.documents import order_context, sample_order_context
from shop.models import Order

from .models import MessageTemplate
from .rendering import RenderedMessage, render_message
from .services import SAMPLE_ORDER_TOKEN


@dataclass(frozen=True)
class PreviewSource:
    """The order a preview draws (None: the demo sample), its flat context and its token."""

    order: Order | None
    context: Mapping[str, Any]
    token: str

    @property
    def number(self) -> str:
        return self.order.number if self.order else ""


def find_source(number: str) -> PreviewSource | None:
    """The sample for a blank number, the order `number`, or None when there is no such order."""
    number = number.strip().upper()
    if not number:
        return PreviewSource(None, sample_order_context(), SAMPLE_ORDER_TOKEN)
    order = Order.objects.filter(number=number).select_related("customer").first()
    if order is None:
        return None
    return PreviewSource(order, order_context(order), order.token)


def render_preview(template: MessageTemplate, source: PreviewSource) -> RenderedMessage:
    """Render the template as saved now, inside its layout, like the worker will."""
    return render_message(
        subject=template.subject,
        text=template.text_body,
        html=template.html_body,
        context=source.context,
        layout=template.applied_layout(),
    )


def preview_attachments(template: MessageTemplate) -> list:
    """The attachment templates a message of `template` carries now, in order."""
    return [a for a in template.ordered_attachment_templates() if a.active]


@dataclass(frozen=True)
class PreviewPassword:
    password: str
    customers: bool  # True when it is the customer's real password


def preview_password(
    attachment_template: Any, source: PreviewSource, *, user: Any, session_key: str
) -> PreviewPassword:
    """The password a previewed PDF opens with, as the attachments admin decides it.

    The sample opens with its own (fake) password. A real order opens with the customer's
    password only for staff allowed to reveal it; anyone else gets a one-off password keyed to
    their session, so a preview never reveals what they may not see.
    """
    if source.order is None or can_reveal_password(user):
        password = document_password(
            attachment_template, context=source.context, token=source.token
        )
        return PreviewPassword(password, customers=source.order is not None)
    one_off = generated_password(f"admin-preview:{user.pk}:{session_key}:{source.number}")
    return PreviewPassword(one_off, customers=False)


def preview_attachment(
    attachment_template: Any, source: PreviewSource, password: str
) -> Attachment:
    """Build one encrypted PDF of the preview, in memory."""
    return build_attachment(attachment_template, source.context, password)


def context_variables(value: Any = None, prefix: str = "") -> Iterator[str]:
    """The dotted names templates can use (`order.number`, `lines[].product`…), from the sample.

    Derived from the sample order rather than written down, so the list beside the editor
    cannot drift from what the context builder really provides.
    """
    if value is None and not prefix:
        value = sample_order_context(1)
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from context_variables(item, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, list | tuple):
        if value:
            yield from context_variables(value[0], f"{prefix}[]")
        else:
            yield f"{prefix}[]"
    else:
        yield prefix

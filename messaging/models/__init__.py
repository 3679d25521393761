"""Messaging's models, by concept: templates and layouts (`templates`), the outbox
(`outbox`) and each message's history (`history`). Import them from here:
`from messaging.models import Message, MessageEvent`."""

from .history import MessageEvent, MessageEventQuerySet, SenderOutage
from .outbox import Message, MessageAttachment, MessageQuerySet
from .templates import (
    Layout,
    LayoutRevision,
    MessageTemplate,
    MessageTemplateAttachment,
    MessageTemplateQuerySet,
    MessageTemplateRevision,
)

__all__ = [
    "Layout",
    "LayoutRevision",
    "Message",
    "MessageAttachment",
    "MessageEvent",
    "MessageEventQuerySet",
    "MessageQuerySet",
    "MessageTemplate",
    "MessageTemplateAttachment",
    "MessageTemplateQuerySet",
    "MessageTemplateRevision",
    "SenderOutage",
]

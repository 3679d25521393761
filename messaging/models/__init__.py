"""Messaging's models, by concept: events and their senders (`events`), templates and layouts
(`templates`), the outbox (`outbox`), each message's history (`history`) and the emailed links
back into an event's documents (`access`). Import them from here:
`from messaging.models import Message, MessageEvent`."""

from .access import DocumentAccessLink
from .events import Client, Event
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
    "Client",
    "DocumentAccessLink",
    "Event",
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

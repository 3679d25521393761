"""Messaging's back office, by concept: what staff edit (`templates`, with `previews`), the
events (`events`) and the outbox (`outbox`). Importing the package registers them."""

from . import events, outbox, templates

__all__ = ["events", "outbox", "templates"]

"""Messaging's back office, by concept: what staff edit (`templates`, with `previews`), the
outbox (`outbox`) and each order's messages (`orders`). Importing the package registers them."""

from . import orders, outbox, templates

__all__ = ["orders", "outbox", "templates"]

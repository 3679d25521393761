"""Which order an admin preview draws: the demo sample or a real order, found through settings.

`attachments` never imports `shop`: the project names two functions in settings
(`ATTACHMENT_PREVIEW_SAMPLE`, `ATTACHMENT_PREVIEW_LOOKUP`) that return `(context, token)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from .passwords import document_password, generated_password

# The permission that lets staff read a customer's document password (support calls).
REVEAL_PERMISSION = "shop.view_document_password"


@dataclass(frozen=True)
class PreviewSource:
    """What a preview renders: a context, the password it opens with, and where it came from."""

    context: Mapping[str, Any]
    password: str
    order_number: str  # empty for the sample
    customer_password: bool  # True when `password` is the customer's real one


def can_reveal_password(user: Any) -> bool:
    """May this staff user read customers' document passwords?"""
    return bool(user.has_perm(REVEAL_PERMISSION))


def preview_source(
    template: Any, *, order_number: str, user: Any, session_key: str
) -> PreviewSource | None:
    """The sample (no number) or the order `order_number`; None when no such order exists.

    Staff without `REVEAL_PERMISSION` previewing a real order get the PDF encrypted with a
    one-off preview password instead of the customer's, so a preview reveals nothing new.
    """
    number = order_number.strip()
    if not number:
        context, token = import_string(settings.ATTACHMENT_PREVIEW_SAMPLE)()
        return PreviewSource(
            context, document_password(template, context=context, token=token), "", False
        )
    found = import_string(settings.ATTACHMENT_PREVIEW_LOOKUP)(number)
    if found is None:
        return None
    context, token = found
    if can_reveal_password(user):
        password = document_password(template, context=context, token=token)
        return PreviewSource(context, password, number, True)
    # Keyed to the viewer's session: stable between the page and the PDF request, useless
    # to anyone else, and derived with the server key so nobody can compute it.
    password = generated_password(f"admin-preview:{user.pk}:{session_key}:{number}")
    return PreviewSource(context, password, number, False)

"""Which order an admin preview draws: the demo sample or a real order, found through settings.

`attachments` never imports `shop`: the project names two functions in settings
(`ATTACHMENT_PREVIEW_SAMPLE`, `ATTACHMENT_PREVIEW_LOOKUP`) that return `(context, token)`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from .passwords import document_password, generated_password

# The permission that lets staff read a customer's document password (support calls).
REVEAL_PERMISSION = "shop.view_document_password"
# Previewing or proofing a real order shows its customer's data: only for staff who may view
# orders anyway. The demo sample stays open to every template editor.
ORDER_VIEW_PERMISSION = "shop.view_order"
# What `shop.models.new_order_number` produces (`NG-` and two groups of four from its 30-symbol
# alphabet; tests/attachments/test_admin.py keeps the two in step). Anything else is refused
# before it reaches a query: a NUL byte, for one, is an error on PostgreSQL.
ORDER_NUMBER_FORMAT = re.compile(r"NG-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}")


class PreviewRefused(Exception):
    """The preview cannot be drawn for this user or input; the text says why.

    `forbidden` is True when the user lacks a permission (403), False for bad input (404).
    """

    def __init__(self, message: str, *, forbidden: bool):
        super().__init__(message)
        self.forbidden = forbidden


def check_order_number(*, number: str, user: Any) -> None:
    """Raise `PreviewRefused` for a malformed number or a user who may not view orders."""
    if not ORDER_NUMBER_FORMAT.fullmatch(number):
        raise PreviewRefused(
            f"{number[:20]!r} is not an order number: they look like NG-7K3M-Q9XD.",
            forbidden=False,
        )
    if not user.has_perm(ORDER_VIEW_PERMISSION):
        raise PreviewRefused(
            "Previewing a real order needs permission to view orders; leave the order "
            "number blank to preview the demo sample.",
            forbidden=True,
        )


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

    Raises `PreviewRefused` for a malformed number or a user without `ORDER_VIEW_PERMISSION`.
    Staff without `REVEAL_PERMISSION` previewing a real order get the PDF encrypted with a
    one-off preview password instead of the customer's, so a preview reveals nothing new.
    """
    number = order_number.strip().upper()
    if not number:
        context, token = import_string(settings.ATTACHMENT_PREVIEW_SAMPLE)()
        return PreviewSource(
            context, document_password(template, context=context, token=token), "", False
        )
    check_order_number(number=number, user=user)
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

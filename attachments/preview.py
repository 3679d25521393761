"""The one preview system: which order a preview draws, and which password its PDFs open with.

Both the attachment template admin and the message template admin preview through here.
`attachments` never imports `shop`: the project may name two callables in settings, each
returning `(context, token)` — `STAFF_TEMPLATE_SAMPLE` (the sample order, written in the
active language; without it, previews draw the event type's example) and
`STAFF_TEMPLATE_ORDER_LOOKUP` (a real order by number, None when there is none) — and the two
permissions: `PREVIEW_ORDER_PERMISSION` (drawing a real order) and
`DOCUMENT_PASSWORD_REVEAL_PERMISSION` (reading a customer's document password).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.module_loading import import_string

from .passwords import document_password, generated_password

# What the shop's order numbers look like (`NG-` and two groups of four from its 30-symbol
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


def can_reveal_password(user: Any) -> bool:
    """May this staff user read customers' document passwords?"""
    return bool(user.has_perm(settings.DOCUMENT_PASSWORD_REVEAL_PERMISSION))


def check_order_number(*, number: str, user: Any) -> None:
    """Raise `PreviewRefused` for a malformed number or a user who may not view orders.

    Previewing or proofing a real order shows its customer's data: only for staff who may
    view orders anyway. The sample stays open to every template editor.
    """
    if not ORDER_NUMBER_FORMAT.fullmatch(number):
        raise PreviewRefused(
            f"{number[:20]!r} is not an order number: they look like NG-7K3M-Q9XD.",
            forbidden=False,
        )
    if not user.has_perm(settings.PREVIEW_ORDER_PERMISSION):
        raise PreviewRefused(
            "Previewing a real order needs permission to view orders; leave the order "
            "number blank to preview the demo sample.",
            forbidden=True,
        )


@dataclass(frozen=True)
class PreviewSource:
    """What a preview renders: the flat context, the order's token, and the order's number
    (empty for the sample)."""

    context: Mapping[str, Any]
    token: str
    number: str = ""


# What an event type's example opens with: a made-up token for made-up data.
EXAMPLE_TOKEN = "event-type-example-token"  # noqa: S105 - opens only example PDFs


def sample_source(event_type: Any = None) -> PreviewSource:
    """What a preview or proof draws without a real order: the project's sample
    (`STAFF_TEMPLATE_SAMPLE`, written in the active language) where it names one, else the
    example of `event_type` (`stafftemplates.models.EventType`) — or nothing, without either."""
    if sample := getattr(settings, "STAFF_TEMPLATE_SAMPLE", ""):
        context, token = import_string(sample)()
        return PreviewSource(context, token)
    if event_type is None:
        return PreviewSource({}, EXAMPLE_TOKEN)
    language = translation.get_language() or ""
    return PreviewSource(event_type.example_context(language=language), EXAMPLE_TOKEN)


def find_source(number: str, *, user: Any, event_type: Any = None) -> PreviewSource | None:
    """The sample for a blank number (`sample_source`), the order `number`, or None when
    there is no such order (or the project names no `STAFF_TEMPLATE_ORDER_LOOKUP`).

    Raises `PreviewRefused` for a malformed number or a user without the order permission,
    before any query.
    """
    number = number.strip().upper()
    if not number:
        return sample_source(event_type)
    check_order_number(number=number, user=user)
    if not (lookup := getattr(settings, "STAFF_TEMPLATE_ORDER_LOOKUP", "")):
        return None
    found = import_string(lookup)(number)
    if found is None:
        return None
    context, token = found
    return PreviewSource(context, token, number)


@dataclass(frozen=True)
class PreviewPassword:
    password: str
    customers: bool  # True when it is the customer's real password


def preview_password(
    template: Any, source: PreviewSource, *, user: Any, session_key: str
) -> PreviewPassword:
    """The password a previewed PDF of `template` opens with: the one preview-password rule.

    The sample opens with its own (made-up) password. A real order opens with the customer's
    password only for staff allowed to reveal it; anyone else gets a one-off password keyed
    to their session — stable between the page and the PDF request, useless to anyone else,
    derived with the server key so nobody can compute it — so a preview reveals nothing new.
    """
    if not source.number or can_reveal_password(user):
        password = document_password(template, context=source.context, token=source.token)
        return PreviewPassword(password, customers=bool(source.number))
    one_off = generated_password(f"admin-preview:{user.pk}:{session_key}:{source.number}")
    return PreviewPassword(one_off, customers=False)


def context_variables(value: Any = None, prefix: str = "") -> Iterator[str]:
    """The dotted names templates can use (`order.number`, `lines[].product`…), from the sample.

    Derived from the sample order rather than written down, so the list beside the editor
    cannot drift from what the context builder really provides.
    """
    if value is None and not prefix:
        value = sample_source().context
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

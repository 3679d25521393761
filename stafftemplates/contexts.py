"""The context every staff template renders: an event's data and the standard values.

A template of an event type reads the event's data by name (`{{ order.number }}`), typed by
its schema (`stafftemplates.schemas.typed_data`), beside values the project supplies to every
template: `shop` and `seller` (what a receipt must name), `recipient`, `language` and `event`.
The standard values win over data keys of the same name, so a sender cannot pose as the
seller. The result is a flat dict of plain values (`engine.ensure_plain`).

`shop` and `seller` come from the callable the project names in `STAFF_TEMPLATE_SHOP_VALUES`
(returning `{"shop": …, "seller": …}` written in the active language: the demo's names its
country in it), else from the `SHOP_*` settings as they are.

`event.documents_help_url` is where a recipient who cannot open a PDF asks for a way back in:
the callable `STAFF_TEMPLATE_DOCUMENTS_HELP_URL` names returns it, given the language and the
sending client's id (messaging's page; empty without the setting).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.module_loading import import_string

from .schemas import typed_data

STANDARD_KEYS = ("shop", "seller", "recipient", "language", "event")


def shop_values() -> dict[str, Any]:
    """`shop` and `seller` in the active language (see the module docstring)."""
    if path := getattr(settings, "STAFF_TEMPLATE_SHOP_VALUES", ""):
        return import_string(path)()
    return {
        "shop": {"name": settings.SHOP_NAME, "url": getattr(settings, "SHOP_URL", "")},
        "seller": {
            "legal_name": settings.SHOP_LEGAL_NAME,
            "address": settings.SHOP_ADDRESS,
            "country": getattr(settings, "SHOP_COUNTRY", ""),
            "org_number": settings.SHOP_ORG_NUMBER,
            "vat_number": settings.SHOP_VAT_NUMBER,
        },
    }


def documents_help_url(*, language: str, client_id: int | None) -> str:
    """The address of the *Can't open your PDF?* page for this language and sender."""
    if path := getattr(settings, "STAFF_TEMPLATE_DOCUMENTS_HELP_URL", ""):
        return import_string(path)(language=language, client_id=client_id)
    return ""


def template_context(
    *,
    schema: dict,
    data: dict[str, Any],
    recipient_email: str = "",
    recipient_name: str = "",
    language: str = "",
    event_id: int | None = None,
    reference: str = "",
    client_id: int | None = None,
) -> dict[str, Any]:
    """What a template of an event type renders: `data` (valid against `schema`) typed, plus
    the standard values."""
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        standard = shop_values()
    return {
        **typed_data(schema, data),
        "shop": standard["shop"],
        "seller": standard["seller"],
        "recipient": {"email": recipient_email, "name": recipient_name},
        "language": language,
        "event": {
            "id": event_id,
            "reference": reference,
            "documents_help_url": documents_help_url(language=language, client_id=client_id),
        },
    }

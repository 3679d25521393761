"""`{% order_document_passwords order %}`: on the checkout confirmation page only.

A password is shown there and nowhere else a customer sees: never in an email or a page an
email links to (docs/developers/architecture.md, "Document passwords"). The order's event is
found by its reference, the order number, and the type the page names (messaging knows no
orders).
"""

from typing import Any

from django import template

from messaging.document_passwords import reference_document_passwords

register = template.Library()


@register.inclusion_tag("messaging/document_passwords.html")
def order_document_passwords(order: Any, event_type: str | None = None) -> dict[str, Any]:
    """The passwords that open the PDFs of the email of `order`'s event of `event_type` (a
    code, e.g. "order_confirmation": later events about the order, a shipping notice or a
    refund, must not replace it; None: the newest of any type). None found: nothing shown."""
    number = getattr(order, "number", "")
    if not number:
        return {"passwords": []}
    return {"passwords": reference_document_passwords(number, type=event_type)}

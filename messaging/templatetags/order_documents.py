"""`{% order_document_passwords order %}`: on the checkout confirmation page only.

A password is shown there and nowhere else a customer sees: never in an email or a page an
email links to (docs/architecture.md, "Document passwords").
"""

from typing import Any

from django import template

from messaging.order_passwords import order_document_passwords as passwords_of

register = template.Library()


@register.inclusion_tag("messaging/document_passwords.html")
def order_document_passwords(order: Any) -> dict[str, Any]:
    """The passwords that open the PDFs of `order`'s confirmation email (none: nothing shown)."""
    return {"passwords": passwords_of(order)}

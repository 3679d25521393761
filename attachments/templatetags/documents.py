"""`{% document_password order %}`: the customer's document password, on the confirmation page.

The password is shown here and nowhere else a customer sees: never in an email or a page an
email links to (DESIGN.md, "Document passwords").
"""

from typing import Any

from django import template

from attachments.passwords import PASSWORD_BITS, generated_password

register = template.Library()


@register.inclusion_tag("attachments/document_password.html")
def document_password(order: Any) -> dict[str, Any]:
    """Render the generated password of anything with a `.token` (an order)."""
    return {"password": generated_password(order.token), "bits": PASSWORD_BITS}

"""Checks on the addresses staff type: a template's From and Reply-To, a proof's recipient."""

from __future__ import annotations

from anymail.exceptions import AnymailInvalidAddress
from anymail.utils import parse_single_address
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail.message import sanitize_address
from django.core.validators import validate_email


def validate_sender(value: str) -> None:
    """A From or Reply-To value: one address, `orders@example.com` or `Shop <orders@…>`.

    Checked when staff save, because a value the ESP or the SMTP library cannot parse fails
    every email of the template, retried until the attempts run out.
    """
    if not value:
        return
    example = "Use orders@example.com or Nordic Goods <orders@example.com>."
    if "\n" in value or "\r" in value:
        raise ValidationError(f"An address fits on one line. {example}", code="sender")
    try:
        parsed = parse_single_address(value)
        sanitize_address(value, "utf-8")  # what Django's SMTP backend does with it
        validate_email(parsed.addr_spec)
    except (AnymailInvalidAddress, ValueError, IndexError, ValidationError):
        raise ValidationError(
            f"“{value}” is not a single email address. {example}", code="sender"
        ) from None


def proof_recipient_allowed(address: str) -> bool:
    """Proofs carry a real order's data: only to active staff, or to the project's domains."""
    domain = address.rpartition("@")[2].lower()
    allowed = {d.strip().lower().lstrip("@") for d in settings.PROOF_ALLOWED_DOMAINS if d.strip()}
    if domain in allowed:
        return True
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, email__iexact=address)
        .exists()
    )

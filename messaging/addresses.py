"""Who may receive a proof: a proof of a real order carries that customer's data."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model


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

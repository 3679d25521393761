"""Document passwords: who can open a customer's PDF.

`generated` (the default) derives a strong password from a server key and the order's random
token, so every resend uses the same password and nothing is stored. `template` lets staff build
a bank-style password from customer data; such passwords are guessable, and
`password_guess_space` tells admin how much.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.base import Lexer, TokenType

from stafftemplates.engine import render_template

from .errors import AttachmentError
from .models import PasswordPolicy

if TYPE_CHECKING:
    from .models import AttachmentTemplate, AttachmentTemplateRevision

# Digits and capitals without the look-alikes 0/O, 1/I/L and U (Crockford): 30 symbols, read
# aloud or typed from a screen without doubt.
PASSWORD_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # noqa: S105 - an alphabet, not a secret
GROUPS, GROUP_SIZE = 4, 4
PASSWORD_LENGTH = GROUPS * GROUP_SIZE
# 16 symbols of 30: log2(30**16) = 78.5 bits, comfortably above the 60 bits
# docs/developers/architecture.md asks for ("Document passwords").
PASSWORD_BITS = math.floor(PASSWORD_LENGTH * math.log2(len(PASSWORD_ALPHABET)))
GENERATED_GUESS_SPACE = len(PASSWORD_ALPHABET) ** PASSWORD_LENGTH

# A distinct salt so the fallback key is never the same bytes as any other SECRET_KEY use.
FALLBACK_KEY_SALT = b"sealpost.attachments.document-password-key.v1"

# A password-cracking GPU (one V100) tries ~88,000 AES-256 R6 passwords a second: the
# measured figure docs/developers/architecture.md ("Document passwords") records.
GUESSES_PER_SECOND = 88_000


def _password_key() -> bytes:
    key = settings.DOCUMENT_PASSWORD_KEY
    if key:
        return key.encode()
    return hmac.new(settings.SECRET_KEY.encode(), FALLBACK_KEY_SALT, hashlib.sha256).digest()


def generated_password(token: str) -> str:
    """The order's document password: HMAC-SHA256(key, token) as `XXXX-XXXX-XXXX-XXXX`.

    Deterministic per token, so a resend opens with the same password without storing it.
    """
    if not token:
        raise AttachmentError("A generated document password needs the order's token.")
    digest = hmac.new(_password_key(), token.encode(), hashlib.sha256).digest()
    # 256 bits reduced to 16 base-30 digits: the bias of the modulo is ~2**-177, negligible.
    number = int.from_bytes(digest, "big")
    symbols = []
    for _ in range(PASSWORD_LENGTH):
        number, index = divmod(number, len(PASSWORD_ALPHABET))
        symbols.append(PASSWORD_ALPHABET[index])
    text = "".join(symbols)
    return "-".join(text[i : i + GROUP_SIZE] for i in range(0, PASSWORD_LENGTH, GROUP_SIZE))


def document_password(
    template: AttachmentTemplate | AttachmentTemplateRevision,
    *,
    context: Mapping[str, Any],
    token: str,
) -> str:
    """The password that opens `template`'s document for this order, per its policy."""
    if template.password_policy == PasswordPolicy.TEMPLATE:
        password = render_template(
            template.password_template,
            context,
            label=f"password expression of “{template.name}”",
            autoescape=False,
        ).strip()
        if not password:
            raise AttachmentError("The password expression rendered an empty password.")
        return password
    return generated_password(token)


# What someone who holds the email (and so the name, address and order number it shows, or
# one web search away) still has to guess, per context variable. Rough, on purpose: the point
# is the order of magnitude. Unknown variables are assumed to add 1,000 choices.
KNOWN_SPACES: dict[str, int] = {
    "first_name": 1,
    "last_name": 1,
    "full_name": 1,
    "email": 1,
    "name": 1,
    "number": 1,
    "total": 1,
    "subtotal": 1,
    "total_formatted": 1,  # the same amount as text ("1,387.00")
    "subtotal_formatted": 1,
    "currency": 1,
    "status": 1,
    "line_count": 1,
    "date": 30,  # the day of the order, give or take a month
    "country": 10,
    "city": 2_000,
    "postal_code": 100_000,  # five digits
    "birth_date": 36_500,  # every day of 100 years
    "date_of_birth": 36_500,
    "phone": 100_000_000,
    "address_line1": 1_000_000,
    "address_line2": 100,
}
UNKNOWN_SPACE = 1_000
# Context values are reached through a dotted name (`customer.postal_code`): bare words in a
# tag are keywords, filters or loop aliases.
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.\w+)+")


def expression_variables(expression: str) -> set[str]:
    """The context variables a template expression reads (`customer.postal_code`, ...)."""
    names: set[str] = set()
    for token in Lexer(expression).tokenize():
        if token.token_type not in (TokenType.VAR, TokenType.BLOCK):
            continue
        # Filter names and their arguments follow a `|`: they are not context variables.
        for part in re.split(r"\|[^\s|]*", token.contents):
            for match in _DOTTED.findall(re.sub(r"\"[^\"]*\"|'[^']*'", "", part)):
                if not match.startswith("forloop."):
                    names.add(match)
    return names


def password_guess_space(template: AttachmentTemplate | AttachmentTemplateRevision) -> int:
    """Roughly how many passwords an attacker holding the email must try.

    For `generated` it is exact (30**16); for `template` it multiplies a rough count of the
    possible values of each variable the expression reads, literal text adding nothing (it is
    the same for every customer).
    """
    if template.password_policy != PasswordPolicy.TEMPLATE:
        return GENERATED_GUESS_SPACE
    space = 1
    for name in expression_variables(template.password_template or ""):
        space *= KNOWN_SPACES.get(name.rsplit(".", 1)[-1], UNKNOWN_SPACE)
    return space


def seconds_to_guess(space: int) -> float:
    """Worst case seconds to try every password of `space` on one GPU (AES-256 R6)."""
    return space / GUESSES_PER_SECOND


_UNITS = [("year", 365.25 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60)]


def duration_in_words(seconds: float) -> str:
    """A guessing time staff read at a glance: "4.2 seconds", "3 days", "156 billion years"."""
    if seconds < 1:
        return "under a second"
    if seconds < 120:
        return f"{seconds:,.1f} seconds"
    for unit, size in _UNITS:
        if seconds >= 2 * size or unit == "minute":
            amount = seconds / size
            break
    for word, scale in [("billion ", 1e9), ("million ", 1e6), ("", 1)]:
        if amount >= scale:
            return f"{amount / scale:,.0f} {word}{unit}s"
    return f"{amount:,.0f} {unit}s"  # pragma: no cover - amount is at least 2

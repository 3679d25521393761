"""How an amount of money reads, everywhere the customer sees one.

The storefront pages, the email and the PDF all format amounts through `format_amount`, so an
order never says "1387.00" in one place and "1,387.00" in another.
"""

from contextlib import nullcontext
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats, translation

CENTS = Decimal("0.01")


def _in_language(language: str | None):
    return translation.override(language) if language else nullcontext()


def format_amount(amount: Decimal | int, *, language: str | None = None) -> str:
    """`amount` with two decimals and thousands separators, e.g. "1,387.00".

    The separators are the language's (Django's format files): the current language unless
    `language` names another, so a worker rendering an email can ask for the customer's.
    """
    value = Decimal(amount).quantize(CENTS, rounding=ROUND_HALF_UP)
    with _in_language(language):
        return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


def amount_separators(*, language: str | None = None) -> dict[str, str]:
    """The thousands and decimal separators `format_amount` uses, for the browser's script
    (static/js/shop.js) to write the same format when it recomputes a price."""
    with _in_language(language):
        return {
            "thousands": formats.get_format("THOUSAND_SEPARATOR"),
            "decimal": formats.get_format("DECIMAL_SEPARATOR"),
        }

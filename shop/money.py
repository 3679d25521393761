"""How an amount of money reads, everywhere the customer sees one, in the customer's language.

The storefront pages, the email and the PDF all format amounts through `format_amount` (the
number: "1 387,00" in Swedish, "1,387.00" in English) and `format_money` (with its currency,
where that language puts it: "1 387,00 kr", "SEK 1,387.00"), so an order never says "1387.00"
in one place and "1,387.00" in another. The digits follow Django's locale formats (Swedish
groups thousands with a no-break space); where the currency goes and what it is called are
translations (`locale/*/LC_MESSAGES/django.po`), so a new language brings its own.
"""

from contextlib import nullcontext
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats, timezone, translation
from django.utils.translation import pgettext, pgettext_lazy

CENTS = Decimal("0.01")

# Month abbreviations as each language writes them in a short date. Django's own ("M", "N")
# give "Dec" and "dec" in Swedish, where Swedish writes "dec." and "maj", "juni" unabbreviated.
MONTH_ABBREVIATIONS = {
    1: pgettext_lazy("abbreviated month", "Jan"),
    2: pgettext_lazy("abbreviated month", "Feb"),
    3: pgettext_lazy("abbreviated month", "Mar"),
    4: pgettext_lazy("abbreviated month", "Apr"),
    5: pgettext_lazy("abbreviated month", "May"),
    6: pgettext_lazy("abbreviated month", "Jun"),
    7: pgettext_lazy("abbreviated month", "Jul"),
    8: pgettext_lazy("abbreviated month", "Aug"),
    9: pgettext_lazy("abbreviated month", "Sep"),
    10: pgettext_lazy("abbreviated month", "Oct"),
    11: pgettext_lazy("abbreviated month", "Nov"),
    12: pgettext_lazy("abbreviated month", "Dec"),
}

# How each language names a currency next to an amount; a currency missing here is written as
# its code. Translators: the currency as written next to an amount ("kr" in Swedish).
CURRENCY_NAMES = {"SEK": pgettext_lazy("currency", "SEK")}


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


def money_pattern(currency: str, *, language: str | None = None) -> str:
    """Where the amount goes next to `currency` in the language: "{amount} kr", "SEK {amount}"
    (for the browser's script to write what `format_money` writes)."""
    with _in_language(language):
        symbol = str(CURRENCY_NAMES.get(currency, currency))
        # Translators: where the currency goes; "%(amount)s %(currency)s" puts it after.
        pattern = pgettext("money", "%(currency)s %(amount)s")
    return pattern % {"amount": "{amount}", "currency": symbol}


def format_money(amount: Decimal | int, currency: str, *, language: str | None = None) -> str:
    """An amount with its currency as the language writes it: "1 387,00 kr", "SEK 1,387.00"."""
    written = format_amount(amount, language=language)
    return money_pattern(currency, language=language).replace("{amount}", written)


def format_date(value: date | datetime, *, language: str | None = None) -> str:
    """A date as the language writes it in a sentence: "28 november 2026", "28 November 2026"
    (month names from Django's own translations)."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    with _in_language(language):
        return formats.date_format(value, "j F Y")


def format_short_date(value: date | datetime, *, language: str | None = None) -> str:
    """A date with its month abbreviated as the language does: "7 dec. 2026", "7 Dec 2026"."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    with _in_language(language):
        month = str(MONTH_ABBREVIATIONS[value.month])
        # Translators: a short date; the month is already abbreviated ("dec.").
        pattern = pgettext("short date", "%(day)d %(month)s %(year)d")
    return pattern % {"day": value.day, "month": month, "year": value.year}

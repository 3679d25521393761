"""Money, numbers and dates as the active language writes them: "1 387,00 kr" in Swedish,
"SEK 1,387.00" in English — on the storefront, in the email and in the PDF alike.

The digits follow Django's locale formats for the language (Swedish groups thousands with a
no-break space and writes a decimal comma); where the currency goes and what it is called are
translations (`locale/*/LC_MESSAGES/django.po`), so a new language brings its own.
"""

from datetime import date, datetime
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import pgettext, pgettext_lazy

# How each language names a currency next to an amount; a currency missing here is written
# as its code. Translators: the currency as written next to an amount ("kr" in Swedish).
CURRENCY_NAMES = {"SEK": pgettext_lazy("currency", "SEK")}


def format_number(value: Decimal | int, decimal_places: int = 2) -> str:
    """`value` with the active language's decimal and thousands separators."""
    return formats.number_format(
        value, decimal_pos=decimal_places, use_l10n=True, force_grouping=True
    )


def format_money(amount: Decimal | int, currency: str) -> str:
    """An amount as the active language writes it: "1 387,00 kr", "SEK 1,387.00"."""
    symbol = str(CURRENCY_NAMES.get(currency, currency))
    # Translators: where the currency goes: "%(amount)s %(currency)s" puts it after.
    pattern = pgettext("money", "%(currency)s %(amount)s")
    return pattern % {"amount": format_number(amount), "currency": symbol}


def format_date(value: date | datetime) -> str:
    """A date as the active language writes it in a sentence: "28 november 2026"."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "j F Y")  # month names from Django's own translations

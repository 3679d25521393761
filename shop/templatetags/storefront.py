"""Template tags for storefront pages that render without a request context.

Django renders `500.html` with an empty context (no context processors, no database), so the
shop's name comes straight from settings here.
"""

from django import template
from django.conf import settings

from shop.money import format_amount, format_money

register = template.Library()


@register.simple_tag
def shop_name() -> str:
    """The shop's name (`SHOP_NAME`), for pages that have no `shop_name` in their context."""
    return settings.SHOP_NAME


SWATCHES = 6  # .swatch-1 … .swatch-6 in static/css/shop.css


@register.filter
def swatch(product) -> int:
    """The product's colour (1-6), the same on the home page tile and on its own page."""
    return (product.pk - 1) % SWATCHES + 1


@register.filter
def amount(value) -> str:
    """An amount as every page, email and PDF writes it ("1,387.00"): `shop.money.format_amount`."""
    if value in (None, ""):
        return ""
    return format_amount(value)


@register.filter
def money(value, currency: str = "") -> str:
    """An amount with its currency as the active language writes it ("1 387,00 kr", "SEK
    1,387.00"): `shop.money.format_money`; the shop's currency unless one is given."""
    if value in (None, ""):
        return ""
    return format_money(value, currency or settings.SHOP_CURRENCY)

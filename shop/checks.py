"""System checks: the storefront's abuse limits must parse and stay within what orders store;
the seller's country is one the shop can name in every language."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

from .countries import Country
from .models import MAX_QUANTITY
from .ratelimit import parse_rate


@register(Tags.compatibility)
def check_abuse_limits(app_configs, **kwargs):
    """A typo in a rate or a limit must stop `manage.py check`, not the first customer."""
    errors = []
    for action, rates in settings.SHOP_RATE_LIMITS.items():
        try:
            if len(rates) != 2:
                raise ImproperlyConfigured("give two rates: per session, per address")
            for rate in rates:
                parse_rate(rate)
        except ImproperlyConfigured as error:
            errors.append(
                Error(
                    f"SHOP_RATE_LIMITS[{action!r}] = {rates!r}: {error}",
                    hint=f"e.g. SHOP_RATE_LIMIT_{action.upper()}=10/m,60/m",
                    id="shop.E001",
                )
            )
    if not 1 <= settings.SHOP_MAX_LINE_QUANTITY <= MAX_QUANTITY:
        errors.append(
            Error(f"SHOP_MAX_LINE_QUANTITY must be between 1 and {MAX_QUANTITY}.", id="shop.E002")
        )
    if settings.SHOP_MAX_CART_LINES < 1:
        errors.append(Error("SHOP_MAX_CART_LINES must be at least 1.", id="shop.E003"))
    if settings.SHOP_RATE_LIMIT_CACHE not in settings.CACHES:
        errors.append(Error("SHOP_RATE_LIMIT_CACHE names no cache in CACHES.", id="shop.E004"))
    return errors


@register(Tags.compatibility)
def check_seller_country(app_configs, **kwargs):
    """`SHOP_COUNTRY` is a code (shop/countries.py): a name would print untranslated."""
    if settings.SHOP_COUNTRY and settings.SHOP_COUNTRY not in Country.values:
        return [
            Error(
                f"SHOP_COUNTRY = {settings.SHOP_COUNTRY!r} is not a country code the shop knows.",
                hint=f"One of {', '.join(Country.values)}; the address goes in SHOP_ADDRESS.",
                id="shop.E005",
            )
        ]
    return []

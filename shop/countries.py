"""The countries the shop ships to: the Nordics and the rest of the EU, by ISO 3166-1 code.

One list for the checkout's select, the server-side check (`Customer.country`'s choices) and
the name printed on the email and PDF. Add a country here and it is offered everywhere.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Country(models.TextChoices):
    # The Nordics first: where most orders go.
    SWEDEN = "SE", _("Sweden")
    NORWAY = "NO", _("Norway")
    DENMARK = "DK", _("Denmark")
    FINLAND = "FI", _("Finland")
    ICELAND = "IS", _("Iceland")
    AUSTRIA = "AT", _("Austria")
    BELGIUM = "BE", _("Belgium")
    BULGARIA = "BG", _("Bulgaria")
    CROATIA = "HR", _("Croatia")
    CYPRUS = "CY", _("Cyprus")
    CZECHIA = "CZ", _("Czechia")
    ESTONIA = "EE", _("Estonia")
    FRANCE = "FR", _("France")
    GERMANY = "DE", _("Germany")
    GREECE = "GR", _("Greece")
    HUNGARY = "HU", _("Hungary")
    IRELAND = "IE", _("Ireland")
    ITALY = "IT", _("Italy")
    LATVIA = "LV", _("Latvia")
    LITHUANIA = "LT", _("Lithuania")
    LUXEMBOURG = "LU", _("Luxembourg")
    MALTA = "MT", _("Malta")
    NETHERLANDS = "NL", _("Netherlands")
    POLAND = "PL", _("Poland")
    PORTUGAL = "PT", _("Portugal")
    ROMANIA = "RO", _("Romania")
    SLOVAKIA = "SK", _("Slovakia")
    SLOVENIA = "SI", _("Slovenia")
    SPAIN = "ES", _("Spain")


def country_name(code: str) -> str:
    """The country's name for a stored code in the active language ("SE" → "Sweden",
    "Sverige"). A value from before the list (an order typed in free text) or an erased one is
    shown as it is stored."""
    try:
        return str(Country(code).label)
    except ValueError:
        return code

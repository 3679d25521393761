"""The countries the shop ships to: the Nordics and the rest of the EU, by ISO 3166-1 code.

One list for the checkout's select, the server-side check (`Customer.country`'s choices) and
the name printed on the email and PDF. Add a country here and it is offered everywhere.
"""

from django.db import models


class Country(models.TextChoices):
    # The Nordics first: where most orders go.
    SWEDEN = "SE", "Sweden"
    NORWAY = "NO", "Norway"
    DENMARK = "DK", "Denmark"
    FINLAND = "FI", "Finland"
    ICELAND = "IS", "Iceland"
    AUSTRIA = "AT", "Austria"
    BELGIUM = "BE", "Belgium"
    BULGARIA = "BG", "Bulgaria"
    CROATIA = "HR", "Croatia"
    CYPRUS = "CY", "Cyprus"
    CZECHIA = "CZ", "Czechia"
    ESTONIA = "EE", "Estonia"
    FRANCE = "FR", "France"
    GERMANY = "DE", "Germany"
    GREECE = "GR", "Greece"
    HUNGARY = "HU", "Hungary"
    IRELAND = "IE", "Ireland"
    ITALY = "IT", "Italy"
    LATVIA = "LV", "Latvia"
    LITHUANIA = "LT", "Lithuania"
    LUXEMBOURG = "LU", "Luxembourg"
    MALTA = "MT", "Malta"
    NETHERLANDS = "NL", "Netherlands"
    POLAND = "PL", "Poland"
    PORTUGAL = "PT", "Portugal"
    ROMANIA = "RO", "Romania"
    SLOVAKIA = "SK", "Slovakia"
    SLOVENIA = "SI", "Slovenia"
    SPAIN = "ES", "Spain"


def country_name(code: str) -> str:
    """The country's name for a stored code ("SE" → "Sweden"). A value from before the list
    (an order typed in free text) or an erased one is shown as it is stored."""
    try:
        return Country(code).label
    except ValueError:
        return code

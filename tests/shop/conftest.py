from decimal import Decimal

import pytest

from tests.factories import (
    CHECKOUT_DETAILS,
    ChoiceOptionFactory,
    OptionChoiceFactory,
    OrderConfirmationFactory,
    TextOptionFactory,
)


@pytest.fixture
def blanket(db):
    """A product with a required colour (one choice costs extra) and an optional engraving."""
    colour = ChoiceOptionFactory(product__name="Ullfilt Åre", product__price=Decimal("895.00"))
    OptionChoiceFactory(option=colour, label="Skogsgrön")
    OptionChoiceFactory(option=colour, label="Rödbrun", price_delta=Decimal("50.00"))
    TextOptionFactory(product=colour.product, max_length=12)
    return colour.product


@pytest.fixture
def confirmation_email(db):
    """The confirmation email with its encrypted PDF, so orders have a document password."""
    return OrderConfirmationFactory()


def option_values(product, colour="Rödbrun", engraving="För Åsa"):
    """The form/session shape of a choice: option id -> choice id or text."""
    colour_option = product.options.get(name="Colour")
    engraving_option = product.options.get(name="Engraving")
    values = {str(colour_option.pk): str(colour_option.choices.get(label=colour).pk)}
    if engraving is not None:
        values[str(engraving_option.pk)] = engraving
    return values


CUSTOMER = CHECKOUT_DETAILS

"""The demo payment gateway: one test card succeeds, every other number is declined."""

import secrets
from decimal import Decimal

TEST_CARD_NUMBER = "4242424242424242"


class PaymentDeclined(Exception):
    """The card was refused; nothing was charged."""


def normalise_card_number(number: str) -> str:
    return "".join(number.split()).replace("-", "")


def authorize_demo_payment(*, card_number: str, amount: Decimal) -> str:
    """Charge `amount` on the demo card and return a payment reference.

    Only the well-known test card succeeds, so the demo never looks like it takes real money.
    """
    if normalise_card_number(card_number) != TEST_CARD_NUMBER:
        raise PaymentDeclined(
            "Your card was declined and nothing was charged. "
            "This is a demo shop: pay with the test card 4242 4242 4242 4242."
        )
    if amount <= 0:
        raise PaymentDeclined("There is nothing to pay.")
    return f"demo_{secrets.token_hex(8)}"

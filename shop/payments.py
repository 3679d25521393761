"""The demo payment gateway: one test card succeeds, every other number is declined.

It has the shape a real card gateway needs: an authorisation carries an idempotency key (the
checkout key), so a retried request is never a second charge, and an authorisation can be
voided when the order it was for could not be recorded.
"""

import hashlib
import logging
from decimal import Decimal

from django.utils.translation import gettext as _

TEST_CARD_NUMBER = "4242424242424242"

logger = logging.getLogger(__name__)


class PaymentDeclined(Exception):
    """The card was refused; nothing was charged."""


def normalise_card_number(number: str) -> str:
    return "".join(number.split()).replace("-", "")


def card_last4(number: str) -> str:
    """The last four digits of a card number: all a receipt shows, and all the shop keeps."""
    return normalise_card_number(number)[-4:]


def authorize_demo_payment(*, card_number: str, amount: Decimal, idempotency_key: str) -> str:
    """Authorise `amount` on the demo card and return the authorisation's reference.

    The same `idempotency_key` always yields the same authorisation, as at a real gateway: a
    request repeated after a timeout charges once. Only the well-known test card succeeds, so
    the demo never looks like it takes real money.
    """
    if normalise_card_number(card_number) != TEST_CARD_NUMBER:
        raise PaymentDeclined(
            _(
                "Your card was declined and nothing was charged. "
                "This is a demo shop: pay with the test card 4242 4242 4242 4242."
            )
        )
    if amount <= 0:
        raise PaymentDeclined(_("There is nothing to pay."))
    return f"demo_{hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]}"


def void_demo_payment(*, reference: str) -> None:
    """Release an authorisation whose order could not be recorded: the customer pays nothing."""
    logger.info("Payment %s voided", reference)

"""Shop workflows: pricing a cart from the catalog and placing an order atomically."""

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import payments
from .models import (
    MAX_QUANTITY,
    Customer,
    Order,
    OrderLine,
    Product,
    ProductOption,
    active_language,
)
from .receipts import next_receipt_number
from .signals import order_completed

logger = logging.getLogger(__name__)

CUSTOMER_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "phone",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "country",
)


@dataclass(frozen=True)
class CartItem:
    """What the customer asked for, as it comes from a form or the session: untrusted."""

    product_id: int
    options: Mapping[str, str]  # option id -> choice id (choice options) or the text typed
    quantity: int


@dataclass(frozen=True)
class PricedLine:
    """A cart item checked against the catalog, with the server's own prices."""

    product: Product
    options: list[dict[str, str]]  # [{"name": "Colour", "value": "Blå"}]
    unit_price: Decimal
    quantity: int
    product_name: str = ""  # in the language it was priced in (the order records this)

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


def validate_options(
    product: Product, submitted: Mapping[str, str]
) -> tuple[list[dict[str, str]], Decimal]:
    """Check submitted option values against the product; return the snapshot and price delta.

    Raises `ValidationError` naming the option at fault.
    """
    snapshot: list[dict[str, str]] = []
    delta = Decimal("0.00")
    # Names in the active language: the order's snapshot is in the customer's language.
    options = list(product.options.prefetch_related("translations", "choices__translations"))
    known = {str(option.pk) for option in options}
    unknown = set(submitted) - known
    if unknown:
        raise ValidationError("This product has no such option.", code="unknown_option")
    for option in options:
        raw = (submitted.get(str(option.pk)) or "").strip()
        if not raw:
            if option.required:
                raise ValidationError(
                    _("Please choose %(option)s.") % {"option": option.display_name.lower()},
                    code="required",
                )
            continue
        if option.kind == ProductOption.Kind.CHOICE:
            choice = next((c for c in option.choices.all() if str(c.pk) == raw), None)
            if choice is None:
                raise ValidationError(
                    _("That %(option)s is not available.")
                    % {"option": option.display_name.lower()},
                    code="invalid_choice",
                )
            snapshot.append({"name": option.display_name, "value": choice.display_label})
            delta += choice.price_delta
        else:
            if len(raw) > option.max_length:
                raise ValidationError(
                    _("%(option)s can be at most %(limit)d characters (you typed %(typed)d).")
                    % {
                        "option": option.display_name,
                        "limit": option.max_length,
                        "typed": len(raw),
                    },
                    code="too_long",
                )
            snapshot.append({"name": option.display_name, "value": raw})
    return snapshot, delta


def max_line_quantity() -> int:
    """The most of one item a cart line may hold: `SHOP_MAX_LINE_QUANTITY`, at most 99."""
    return min(settings.SHOP_MAX_LINE_QUANTITY, MAX_QUANTITY)


def max_cart_lines() -> int:
    """How many different items a cart may hold (`SHOP_MAX_CART_LINES`)."""
    return settings.SHOP_MAX_CART_LINES


def too_many_lines() -> ValidationError:
    limit = max_cart_lines()
    return ValidationError(
        _(
            "Your cart can hold at most %(limit)d different items. "
            "Check out or remove some before adding another."
        )
        % {"limit": limit},
        code="too_many_lines",
    )


def price_item(item: CartItem) -> PricedLine:
    """Price one cart item from the catalog; raises `ValidationError` for anything invalid."""
    limit = max_line_quantity()
    if not 1 <= item.quantity <= limit:
        raise ValidationError(
            _("Quantity must be between 1 and %(limit)d.") % {"limit": limit}, code="quantity"
        )
    product = (
        Product.objects.active().prefetch_related("translations").filter(pk=item.product_id).first()
    )
    if product is None:
        raise ValidationError(_("That product is no longer available."), code="unknown_product")
    snapshot, delta = validate_options(product, item.options)
    return PricedLine(product, snapshot, product.price + delta, item.quantity, product.display_name)


def price_cart(items: Iterable[CartItem]) -> list[PricedLine]:
    """Price every item; an empty cart is an error, so is any invalid item or too many."""
    items = list(items)
    if len(items) > max_cart_lines():
        raise too_many_lines()
    lines = [price_item(item) for item in items]
    if not lines:
        raise ValidationError(_("Your cart is empty."), code="empty_cart")
    return lines


def validate_customer(customer: Mapping[str, str]) -> Customer:
    """An unsaved `Customer` from checkout details, checked against its columns.

    Raises `ValidationError`: a 259-character email is refused here, before any card is
    touched, rather than by the database after the payment.
    """
    buyer = Customer(**{field: customer.get(field, "") for field in CUSTOMER_FIELDS})
    buyer.full_clean()
    return buyer


def place_order(
    *,
    checkout_key: str,
    items: Iterable[CartItem],
    customer: Mapping[str, str],
    card_number: str,
    language: str | None = None,
) -> Order:
    """Price the cart, take the demo payment and record the order in one durable transaction.

    The same `checkout_key` always yields the same order, so a double click, the back button
    or a replayed request never creates a second one; it is also the gateway's idempotency
    key. `order_completed` is sent inside the transaction: receivers write their rows
    atomically with the order.

    Everything is validated and the order written (inside the transaction) before the card is
    authorised, so the database refuses nothing afterwards; if anything still fails after the
    authorisation (a receiver, the commit), the authorisation is voided before the error
    propagates. A concurrent submission with the same key waits on the order's unique key and
    gets this order, without reaching the gateway.

    `language` is the language the customer shopped in (by default the active one): the lines
    are recorded in it, and the confirmation and every resend are written in it.

    Raises `ValidationError` (cart or details invalid) or `PaymentDeclined`; in both cases
    nothing is created and nothing charged.
    """
    language = language if language in dict(settings.LANGUAGES) else active_language()
    existing = Order.objects.filter(checkout_key=checkout_key).first()
    if existing is not None:
        return existing

    with translation.override(language):
        lines = price_cart(items)
    buyer = validate_customer(customer)
    subtotal = sum((line.line_total for line in lines), Decimal("0.00"))

    reference = None
    try:
        # The transaction is held across the authorisation, a bounded gateway call: the order
        # row reserves the checkout key, and nothing that can fail is left for after the money.
        with transaction.atomic(durable=True):
            buyer.save()
            order = Order.objects.create(
                checkout_key=checkout_key,
                customer=buyer,
                language=language,
                status=Order.Status.PAID,
                currency=settings.SHOP_CURRENCY,
                subtotal=subtotal,
                total=subtotal,
            )
            OrderLine.objects.bulk_create(
                OrderLine(
                    order=order,
                    product=line.product,
                    product_name=line.product_name,
                    options=line.options,
                    unit_price=line.unit_price,
                    quantity=line.quantity,
                    line_total=line.line_total,
                )
                for line in lines
            )
            reference = payments.authorize_demo_payment(
                card_number=card_number, amount=subtotal, idempotency_key=checkout_key
            )
            order.payment_reference = reference
            order.card_last4 = payments.card_last4(card_number)
            order.paid_at = timezone.now()
            # Last: the year's counter stays locked until this transaction ends.
            order.receipt_number = next_receipt_number()
            order.save(
                update_fields=["payment_reference", "card_last4", "paid_at", "receipt_number"]
            )
            order_completed.send(sender=Order, order=order)
    except IntegrityError:
        if reference is not None:
            _void(reference)
            raise
        # A concurrent submission with the same key committed first: that order is ours.
        existing = Order.objects.filter(checkout_key=checkout_key).first()
        if existing is None:
            raise
        return existing
    except BaseException:
        if reference is not None:
            _void(reference)
        raise
    return order


def _void(reference: str) -> None:
    """Void an authorisation whose order rolled back; a failure here needs a person."""
    try:
        payments.void_demo_payment(reference=reference)
    except Exception:
        # The reference only: it finds the payment at the gateway, and carries no personal data.
        logger.exception("Payment %s was authorised without an order: void it by hand", reference)

"""After the sale: shipping an order (once) and refunding some of its lines (any number of
times, never more than was bought).

Each is one transaction with the order's row locked, so two clicks or two staff members at once
cannot ship an order twice or refund a line past what was bought; the signal is sent inside it,
so what the project sends about it (an email) commits with the record or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from .models import Order, Refund, RefundLine, Shipment
from .signals import order_refunded, order_shipped


def ship_order(order: Order, *, carrier: str = "", tracking_number: str = "") -> Shipment:
    """Record that `order` was shipped (optionally by `carrier`, with `tracking_number`).

    Raises `ValidationError` when it was shipped before, is not paid or was refunded in full:
    nothing is written.
    """
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if Shipment.objects.filter(order=locked).exists():
            raise ValidationError(
                _("Order %(number)s was already shipped.") % {"number": locked.number},
                code="already_shipped",
            )
        if locked.status != Order.Status.PAID:
            raise ValidationError(
                _("Order %(number)s is not paid: it cannot be shipped.")
                % {"number": locked.number},
                code="not_paid",
            )
        if not any(refundable_quantities(locked).values()):
            raise ValidationError(
                _("Everything in order %(number)s was refunded: nothing is left to ship.")
                % {"number": locked.number},
                code="nothing_to_ship",
            )
        shipment = Shipment.objects.create(
            order=locked, carrier=carrier.strip(), tracking_number=tracking_number.strip()
        )
        order_shipped.send(sender=Order, order=locked, shipment=shipment)
    return shipment


def refundable_quantities(order: Order) -> dict[int, int]:
    """Per order line id: how many may still be refunded (bought minus refunded before)."""
    refunded = dict(
        RefundLine.objects.filter(order_line__order=order)
        .values("order_line")
        .annotate(quantity=Sum("quantity"))
        .values_list("order_line", "quantity")
    )
    return {line.pk: line.quantity - refunded.get(line.pk, 0) for line in order.lines.all()}


def refund_order(order: Order, quantities: Mapping[int, int]) -> Refund:
    """Refund `quantities` (order line id -> how many) of `order`, at the prices paid.

    Raises `ValidationError` naming the line at fault (a line of another order, a negative
    quantity, more than is left to refund), when nothing is chosen or when the order is not
    paid: nothing is written.
    """
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status != Order.Status.PAID:
            # Only a paid order has money to give back (a cancelled one never took any).
            raise ValidationError(
                _("Order %(number)s is not paid: it cannot be refunded."),
                params={"number": locked.number},
            )
        lines = {line.pk: line for line in locked.lines.all()}
        left = refundable_quantities(locked)
        if unknown := set(quantities) - set(lines):
            raise ValidationError(
                _("Order %(number)s has no line %(line)s.")
                % {"number": locked.number, "line": min(unknown)},
                code="unknown_line",
            )
        chosen = {pk: quantity for pk, quantity in quantities.items() if quantity}
        for pk, quantity in chosen.items():
            if quantity < 0:
                raise ValidationError(
                    _("A quantity to refund cannot be negative (%(product)s).")
                    % {"product": lines[pk].product_name},
                    code="negative",
                )
            if quantity > left[pk]:
                raise ValidationError(
                    _("At most %(left)d of %(product)s can be refunded (%(quantity)d asked).")
                    % {"left": left[pk], "product": lines[pk].product_name, "quantity": quantity},
                    code="too_many",
                )
        if not chosen:
            raise ValidationError(_("Choose at least one item to refund."), code="nothing")
        amounts = {pk: lines[pk].unit_price * quantity for pk, quantity in chosen.items()}
        refund = Refund.objects.create(
            order=locked,
            sequence=locked.refunds.count() + 1,  # the order's row lock serialises this
            total=sum(amounts.values(), Decimal("0.00")),
        )
        RefundLine.objects.bulk_create(
            RefundLine(refund=refund, order_line=lines[pk], quantity=quantity, amount=amounts[pk])
            for pk, quantity in sorted(chosen.items())
        )
        order_refunded.send(sender=Order, order=locked, refund=refund)
    return refund

"""The order page's after-sale actions: *Mark as shipped* and *Refund*, each a small form on a
page of its own, for staff with the shop's `ship_order` / `refund_order` permission.

The work is the shop's (`shop.fulfilment`: one locked transaction each, its signal sent inside
it); the demo's receivers turn it into the order's `order_shipped` / `order_refunded` event, so
the email commits with the record or not at all. Refusals (shipped before, more than is left)
come back as the form's errors or an admin message, and nothing is written.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from messaging.outbox import CustomerErased
from shop.fulfilment import refund_order, refundable_quantities, ship_order
from shop.models import Order, Refund, Shipment
from shop.money import format_money

SHIP_PERMISSION = "shop.ship_order"
REFUND_PERMISSION = "shop.refund_order"


def erased(order: Order) -> ValidationError:
    """Why an erased customer's order is neither shipped nor refunded here: each sends the
    customer an email, which cannot be queued for them (`messaging.outbox.CustomerErased`), and
    the record commits with its email or not at all."""
    return ValidationError(
        f"Order {order.number}: the customer's data was erased on request, so no email can be "
        "sent about it; nothing was recorded.",
        code="erased",
    )


class ShipForm(forms.Form):
    carrier = forms.CharField(
        max_length=100, required=False, help_text="Optional, e.g. PostNord. Shown to the customer."
    )
    tracking_number = forms.CharField(
        max_length=100, required=False, help_text="Optional. Shown in the email and the PDF."
    )


class RefundedMeanwhile(ValidationError):
    """The refund form was sent after another refund of the order (see `RefundForm`)."""


class RefundForm(forms.Form):
    """One quantity per order line: how many of it to refund now (0: none)."""

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        # How many refunds the order had when the page was shown: a form sent twice (a double
        # click, the browser resending it) finds one more and is refused (`refund_view`).
        self.fields["refunds_seen"] = forms.IntegerField(
            required=False, min_value=0, initial=order.refunds.count(), widget=forms.HiddenInput
        )
        left = refundable_quantities(order)
        for line in order.lines.all():
            label = line.product_name + (f" ({line.options_display})" if line.options else "")
            price = format_money(line.unit_price, order.currency)
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=label,
                min_value=0,
                max_value=left[line.pk],
                initial=0,
                help_text=f"{price} each · bought {line.quantity}, {left[line.pk]} left to refund",
                widget=forms.NumberInput(attrs={"style": "width: 5em"}),
            )

    def quantities(self) -> dict[int, int]:
        return {
            int(name.removeprefix("line_")): value or 0
            for name, value in self.cleaned_data.items()
            if name.startswith("line_")
        }

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(self.quantities().values()):
            raise ValidationError("Choose at least one item to refund.", code="nothing")
        return cleaned


class FulfilmentAdminMixin:
    """For the order admin: the two pages, their buttons' conditions, and the bulk action."""

    actions = ["mark_shipped"]

    def fulfilment_urls(self):
        wrap = self.admin_site.admin_view
        methods = require_http_methods(["GET", "POST"])
        return [
            path("<int:pk>/ship/", wrap(methods(self.ship_view)), name="shop_order_ship"),
            path("<int:pk>/refund/", wrap(methods(self.refund_view)), name="shop_order_refund"),
        ]

    def fulfilment_context(self, request: HttpRequest, order: Order | None) -> dict:
        """Which buttons the order page shows this user."""
        if order is None:
            return {}
        shipped = Shipment.objects.filter(order=order).exists()
        left = any(refundable_quantities(order).values())
        return {
            "can_ship": request.user.has_perm(SHIP_PERMISSION)
            and not shipped
            and left
            and order.status == Order.Status.PAID,
            "can_refund": request.user.has_perm(REFUND_PERMISSION) and left,
        }

    def has_ship_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(SHIP_PERMISSION)

    @admin.action(permissions=["ship"], description="Mark selected orders as shipped")
    def mark_shipped(self, request: HttpRequest, queryset) -> None:
        """Ship each selected order (no carrier or tracking number: the order page's form takes
        those); each order shipped before is named and left as it was."""
        shipped, refused = [], []
        for order in queryset.order_by("pk"):
            try:
                ship_order(order)
            except CustomerErased:
                refused.append(" ".join(erased(order).messages))
            except ValidationError as error:
                refused.append(" ".join(error.messages))
            else:
                shipped.append(order.number)
                self.log_change(request, order, "Marked as shipped.")
        if shipped:
            self.message_user(
                request,
                f"Marked as shipped, the shipping notice on its way: {', '.join(shipped)}.",
                messages.SUCCESS,
            )
        for reason in refused:
            self.message_user(request, reason, messages.ERROR)

    def _page(self, request, order, title: str, form, template: str) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": order,
            "title": title,
            "form": form,
        }
        return TemplateResponse(request, template, context)

    def _back(self, order: Order) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:shop_order_change", args=[order.pk]))

    def ship_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = self.viewable_object(request, pk)
        if not request.user.has_perm(SHIP_PERMISSION):
            raise PermissionDenied
        if request.method == "GET" and Shipment.objects.filter(order=order).exists():
            self.message_user(
                request, f"Order {order.number} was already shipped.", messages.WARNING
            )
            return self._back(order)
        form = ShipForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                ship_order(order, **form.cleaned_data)
            except CustomerErased:
                self.message_user(request, " ".join(erased(order).messages), messages.ERROR)
                return self._back(order)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return self._back(order)
            self.log_change(request, order, "Marked as shipped.")
            self.message_user(
                request,
                f"Order {order.number} is marked as shipped; the shipping notice is on its way.",
                messages.SUCCESS,
            )
            return self._back(order)
        title = f"Mark order {order.number} as shipped"
        return self._page(request, order, title, form, "admin/demo/order_ship.html")

    def refund_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = self.viewable_object(request, pk)
        if not request.user.has_perm(REFUND_PERMISSION):
            raise PermissionDenied
        form = RefundForm(request.POST if request.method == "POST" else None, order=order)
        if form.is_valid():
            try:
                refund = self._refund_once(order, form)
            except RefundedMeanwhile as error:
                # A new form: the one sent holds the count it was shown with.
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return HttpResponseRedirect(request.path)
            except CustomerErased:
                form.add_error(None, erased(order))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                total = format_money(refund.total, order.currency)
                self.log_change(request, order, f"Refunded {total} ({refund}).")
                self.message_user(
                    request,
                    f"Refunded {total} of order {order.number} (credit note {refund}); "
                    "the refund email is on its way.",
                    messages.SUCCESS,
                )
                return self._back(order)
        title = f"Refund order {order.number}"
        return self._page(request, order, title, form, "admin/demo/order_refund.html")

    def _refund_once(self, order: Order, form: RefundForm) -> Refund:
        """`refund_order`, unless the order was refunded since the form was shown: the order's
        row stays locked from the check to the refund, so a form sent twice refunds once."""
        seen = form.cleaned_data.get("refunds_seen")
        with transaction.atomic():
            locked = Order.objects.select_for_update().get(pk=order.pk)
            latest = locked.refunds.order_by("sequence").last()
            if seen is not None and latest is not None and latest.sequence != seen:
                raise RefundedMeanwhile(
                    f"Order {order.number} was refunded meanwhile (credit note {latest}): "
                    "check what is left to refund and send the form again.",
                    code="refunded_meanwhile",
                )
            return refund_order(locked, form.quantities())

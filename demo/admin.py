"""The shop's order page, re-registered with the messages of the order's events and, for staff
allowed to, the audited reveal of its document passwords. `shop` imports no message center app:
the project's wiring (this app) joins them, an order to its events by reference (its number)."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from attachments.api import can_reveal_password
from messaging.document_passwords import reference_document_passwords
from messaging.forms import RevealForm
from messaging.models import Message
from shop.admin import OrderAdmin
from shop.events import ORDER_CONFIRMATION
from shop.models import Order
from stafftemplates.admin_pages import ObjectPageMixin, no_store

from .fulfilment_admin import FulfilmentAdminMixin

admin.site.unregister(Order)


def order_messages(order: Order):
    """The messages of the events the shop sent about `order` (by its number), proofs of it
    included."""
    return Message.objects.filter(event__client=None, event__reference=order.number).select_related(
        "event__type"
    )


@admin.register(Order)
class OrderWithMessagesAdmin(FulfilmentAdminMixin, ObjectPageMixin, OrderAdmin):
    """The shop's order page plus its messages and, for those allowed, the document password
    and the after-sale actions (ship, refund)."""

    change_form_template = "admin/demo/order_change_form.html"

    def get_urls(self):
        return [
            path(
                "<int:pk>/document-password/",
                self.admin_site.admin_view(
                    require_http_methods(["GET", "POST"])(self.document_password_view)
                ),
                name="shop_order_document_password",
            ),
            *self.fulfilment_urls(),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = Order.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        messages = list(order_messages(order).order_by("event_id", "sequence")) if order else []
        resendable = []
        if messages and request.user.has_perm("messaging.resend_message"):
            # The latest customer message of each event: what a resend replaces.
            latest = Message.objects.latest_per_event().filter(pk__in=[m.pk for m in messages])
            resendable = list(latest.select_related("event__type"))
        extra = {
            **(extra_context or {}),
            "can_reveal": can_reveal_password(request.user),
            **self.fulfilment_context(request, order),
            "order_messages": messages,
            "resendable": resendable,
            "messages_url": reverse("admin:messaging_message_changelist")
            + (f"?q={order.number}" if order else ""),
        }
        return super().change_view(request, object_id, form_url, extra)

    def document_password_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Reveal an order's document password (support calls): permission-checked, and only
        with a reason, which the admin log keeps beside who looked and when."""
        order = self.viewable_object(request, pk)
        if not can_reveal_password(request.user):
            raise PermissionDenied
        form = RevealForm(request.POST if request.method == "POST" else None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": order,
            "title": f"Document password of order {order.number}",
            "form": form,
        }
        if form.is_valid():
            self.log_change(
                request, order, f"Revealed the document password: {form.cleaned_data['reason']}"
            )
            # What the customer's PDFs really open with: each attachment's own policy.
            # Those of its confirmation: later emails about the order (shipping, refunds)
            # carry other documents.
            context["passwords"] = reference_document_passwords(
                order.number, type=ORDER_CONFIRMATION
            )
            context["revealed"] = True
        response = TemplateResponse(request, "admin/messaging/document_password.html", context)
        return no_store(response)

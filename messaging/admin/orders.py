"""The shop's order page, re-registered with the order's messages and, for staff allowed to,
the audited reveal of its document passwords. `shop` never imports `messaging`: its order page
gets the messages from here."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.views.decorators.http import require_http_methods

from attachments.api import can_reveal_password
from shop.admin import OrderAdmin
from shop.models import Order
from stafftemplates.admin_pages import ObjectPageMixin, ReadOnlyInline, no_store

from ..forms import RevealForm
from ..models import Message
from ..order_passwords import order_document_passwords
from .common import admin_link


class OrderMessageInline(ReadOnlyInline):
    model = Message
    fk_name = "order"
    fields = [
        "message",
        "event",
        "sequence",
        "sent_to",
        "status",
        "recipient",
        "attempts",
        "sent_at",
    ]
    ordering = ["sequence", "created_at"]
    verbose_name_plural = "messages"

    @admin.display(description="message")
    def message(self, message: Message) -> str:
        return admin_link(message, f"#{message.pk}")

    @admin.display(description="sent to")
    def sent_to(self, message: Message) -> str:
        return "staff (proof)" if message.is_proof else "the customer"


admin.site.unregister(Order)


@admin.register(Order)
class OrderWithMessagesAdmin(ObjectPageMixin, OrderAdmin):
    """The shop's order page plus its messages and, for those allowed, the document password."""

    change_form_template = "admin/messaging/order_change_form.html"
    inlines = [*OrderAdmin.inlines, OrderMessageInline]

    def get_urls(self):
        return [
            path(
                "<int:pk>/document-password/",
                self.admin_site.admin_view(
                    require_http_methods(["GET", "POST"])(self.document_password_view)
                ),
                name="shop_order_document_password",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        resendable = []
        if request.user.has_perm("messaging.resend_message") and str(object_id).isdigit():
            # The order's latest customer message of each event: what a resend replaces.
            resendable = Message.objects.latest_per_order().filter(order_id=object_id)
        extra = {
            **(extra_context or {}),
            "can_reveal": can_reveal_password(request.user),
            "resendable": list(resendable.order_by("event")) if resendable else [],
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
            context["passwords"] = order_document_passwords(order)
            context["revealed"] = True
        response = TemplateResponse(request, "admin/messaging/document_password.html", context)
        return no_store(response)

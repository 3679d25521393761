"""Admin for the outbox: every message with its history, read-only for everyone (the engine
and the tracking webhooks write it); resending takes its own permission."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models.functions import Substr
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.views.decorators.http import require_POST

from stafftemplates.admin_pages import ReadOnlyInline

from .. import outbox
from ..models import Message, MessageEvent
from .common import admin_link


class MessageEventInline(ReadOnlyInline):
    """The message's history: append-only, so read-only here."""

    model = MessageEvent
    fields = ["occurred_at", "kind", "attempt", "detail", "size", "esp_event_type"]
    # When it happened, not when it was written: an attempt's lines are written with its outcome.
    ordering = ["occurred_at", "id"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """The outbox, read-only for everyone: the engine and the tracking webhooks write it."""

    change_form_template = "admin/messaging/message/change_form.html"
    list_display = [
        "id",
        "status",
        "event",
        "order_link",
        "recipient",
        "attempts",
        "error_excerpt",
        "is_proof",
        "sequence",
        "created_at",
        "updated_at",
        "sent_at",
    ]
    list_filter = ["status", "event", "is_proof", "created_at"]
    date_hierarchy = "created_at"
    search_fields = ["order__number", "recipient"]
    list_select_related = ["order"]
    actions = ["resend_selected"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "event",
                    "status",
                    "order_link",
                    "recipient",
                    "is_proof",
                    "sequence",
                    "resend_of_link",
                    "resends_list",
                ]
            },
        ),
        (
            "Delivery",
            {
                "fields": [
                    "attempts",
                    "next_attempt_at",
                    "claimed_until",
                    "esp_name",
                    "esp_message_id",
                    "last_error",
                    "created_at",
                    "updated_at",
                    "sent_at",
                ]
            },
        ),
        (
            "Rendered from",
            {"fields": ["template_revision_link", "layout_revision_link", "attachment_links"]},
        ),
    ]
    readonly_fields = [f for _, options in fieldsets for f in options["fields"]]
    inlines = [MessageEventInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            # The list shows an excerpt of the last error, never the whole text.
            queryset = queryset.defer("last_error").annotate(error_head=Substr("last_error", 1, 80))
        return queryset

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm("messaging.resend_message")

    @admin.display(description="order", ordering="order__number")
    def order_link(self, message: Message) -> str:
        return admin_link(message.order) if message.order_id else "— (sample)"

    @admin.display(description="last error")
    def error_excerpt(self, message: Message) -> str:
        return getattr(message, "error_head", None) or message.last_error

    @admin.display(description="resend of")
    def resend_of_link(self, message: Message) -> str:
        return admin_link(message.resend_of)

    @admin.display(description="resent as")
    def resends_list(self, message: Message) -> str:
        resends = list(message.resends.all())
        if not resends:
            return "—"
        return format_html_join(", ", "{}", ((admin_link(m, f"#{m.pk}"),) for m in resends))

    @admin.display(description="message template revision")
    def template_revision_link(self, message: Message) -> str:
        return admin_link(message.template_revision)

    @admin.display(description="layout revision")
    def layout_revision_link(self, message: Message) -> str:
        return admin_link(message.layout_revision)

    @admin.display(description="attachment template revisions")
    def attachment_links(self, message: Message) -> str:
        links = message.attachment_links.select_related("attachment_revision")
        if not links:
            return "—"
        return format_html_join(
            ", ", "{}", ((admin_link(link.attachment_revision),) for link in links)
        )

    @admin.action(description="Resend selected messages", permissions=["resend"])
    def resend_selected(self, request: HttpRequest, queryset) -> None:
        """Queue a resend of each selected message; the workers send them, not this request."""
        queued = skipped = 0
        for message in queryset.select_related(None).only("pk", "event").order_by("pk"):
            if self._resend(request, message) is None:
                skipped += 1
            else:
                queued += 1
        level = messages.SUCCESS if queued else messages.WARNING
        text = f"{queued} resend(s) queued."
        if skipped:
            text += f" {skipped} skipped (proofs, already resent, or resent minutes ago)."
        self.message_user(request, text, level)

    def _resend(self, request: HttpRequest, message: Message) -> Message | None:
        resend = outbox.resend_message(
            message_id=message.pk, reason="from admin", by=request.user.get_username()
        )
        if resend is not None:
            self.log_change(request, message, f"Resent as message #{resend.pk}.")
        return resend

    def get_urls(self):
        return [
            path(
                "<int:pk>/resend/",
                self.admin_site.admin_view(require_POST(self.resend_view)),
                name="messaging_message_resend",
            ),
            *super().get_urls(),
        ]

    def resend_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The detail page's Resend button: 403 without the dedicated permission."""
        if not self.has_resend_permission(request):
            raise PermissionDenied
        message = get_object_or_404(Message, pk=pk)
        resend = self._resend(request, message)
        if resend is None:
            self.message_user(
                request,
                "Not resent: a proof, already resent, or itself a resend queued minutes ago.",
                messages.WARNING,
            )
            return HttpResponseRedirect(reverse("admin:messaging_message_change", args=[pk]))
        self.message_user(request, f"Resend queued as message #{resend.pk}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:messaging_message_change", args=[resend.pk]))

    def changelist_view(self, request, extra_context=None):
        """The list, with the one condition that stops every email at once said loudly."""
        outage = MessageEvent.objects.sender_outage()
        if outage is not None:
            waiting = f"{outage.waiting} message{'' if outage.waiting == 1 else 's'} waiting"
            since = date_format(timezone.localtime(outage.since), "DATETIME_FORMAT")
            self.message_user(
                request,
                f"The ESP is refusing our credentials (since {since}): {outage.reason} "
                f"{waiting}: they are not failed, and go out by themselves once EMAIL_BACKEND "
                "and the ANYMAIL_* settings are fixed and the workers restarted.",
                messages.ERROR,
            )
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {**(extra_context or {}), "can_resend": self.has_resend_permission(request)}
        return super().change_view(request, object_id, form_url, extra)

"""Events and their senders in admin: events are read-only (senders write them through
`send_event`), their data never shown (it is the recipient's personal data, encrypted at rest);
what support reads is the status, its reason and the event's messages."""

from __future__ import annotations

from django.contrib import admin

from stafftemplates.admin_pages import ReadOnlyInline

from ..models import Client, Event, Message
from .common import admin_link


class EventMessageInline(ReadOnlyInline):
    model = Message
    fields = ["message", "sequence", "status", "recipient", "attempts", "sent_at"]
    ordering = ["sequence", "created_at"]
    verbose_name_plural = "messages"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(is_proof=False)

    @admin.display(description="message")
    def message(self, message: Message) -> str:
        return admin_link(message, f"#{message.pk}")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["id", "type", "status", "reference", "recipient", "client", "created_at"]
    list_filter = ["status", "type", "client", "created_at"]
    search_fields = ["reference"]
    list_select_related = ["type", "client"]
    show_full_result_count = False
    fields = [
        "type",
        "status",
        "status_reason",
        "reference",
        "recipient",
        "recipient_name",
        "language",
        "client",
        "idempotency_key",
        "scheduled_at",
        "expires_at",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    inlines = [EventMessageInline]

    def get_queryset(self, request):
        # The list and the page never decrypt the data.
        return super().get_queryset(request).defer("data")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]

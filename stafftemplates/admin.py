"""Event types in admin: managed by staff with the event type permissions (add/change/delete),
a save refused with the reason when the schema, its example or the type's published templates
disagree (`EventType.clean`)."""

from django.contrib import admin

from .models import EventType


@admin.register(EventType)
class EventTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "updated_at"]
    search_fields = ["code", "name", "description"]
    readonly_fields = ["created_at", "updated_at"]
    fields = ["code", "name", "description", "schema", "example", "created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # Senders and templates name a type by its code: renaming it would orphan them.
        return [*self.readonly_fields, "code"] if obj is not None else self.readonly_fields

"""Event types in admin: managed by staff with the event type permissions (add/change/delete),
a save refused with the reason when the schema, its example or the type's published templates
disagree (`EventType.clean`)."""

import json

from django import forms
from django.contrib import admin

from .admin_pages import CODE_FIELD
from .models import EventType


class IndentedJSONField(forms.JSONField):
    """JSON shown indented, one key a line: a schema on one line cannot be read or edited."""

    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2)


@admin.register(EventType)
class EventTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "updated_at"]
    search_fields = ["code", "name", "description"]
    readonly_fields = ["created_at", "updated_at"]
    fields = ["code", "name", "description", "schema", "example", "created_at", "updated_at"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in ("schema", "example"):
            kwargs["form_class"] = IndentedJSONField
            kwargs["widget"] = CODE_FIELD
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # Senders and templates name a type by its code: renaming it would orphan them.
        return [*self.readonly_fields, "code"] if obj is not None else self.readonly_fields

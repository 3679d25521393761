"""API keys in admin: made here or with `create_api_key`; the key is shown once, after adding."""

from django.contrib import admin
from django.template.response import TemplateResponse

from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["prefix", "client", "scopes", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["client", ("revoked_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    filter_horizontal = ["event_types"]
    actions = ["revoke"]

    @admin.display(description="Key")
    def prefix(self, obj: ApiKey) -> str:
        return f"{obj.prefix}…" if obj.key_id else "(shown once, after saving)"

    @admin.display(description="Event types")
    def scopes(self, obj: ApiKey) -> str:
        return ", ".join(t.code for t in obj.event_types.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("event_types")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        # A key not made yet has no times to show.
        return fields if obj else [f for f in fields if f not in self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        # The client of a key is fixed: another client would read the first one's events.
        return [*self.readonly_fields, "client"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            # On the request, not on this admin (shared by every request of the process).
            request.api_key_shown_once = obj.new_secret()
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        return TemplateResponse(
            request,
            "admin/api/apikey/created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "api_key": obj,
                "key": request.api_key_shown_once,
                "title": "API key created",
            },
        )

    @admin.action(description="Revoke the selected keys (requests with them get 401)")
    def revoke(self, request, queryset):
        for api_key in queryset:
            api_key.revoke()
        self.message_user(request, f"Revoked {queryset.count()} key(s).")

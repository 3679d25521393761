"""Admin pieces shared by the apps: extra pages about one object (previews, proofs, password
reveals) and read-only inlines (histories, an order's messages).

The extra pages' templates extend `admin/attachments/object_page.html` (breadcrumbs down to
the object) and fill in `{% block crumb %}`.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404


class ObjectPageMixin:
    """For a ModelAdmin: the object an extra page is about, if this user may see it."""

    def viewable_object(
        self, request: HttpRequest, pk: int, queryset: QuerySet | None = None
    ) -> Model:
        """The object (404 if missing), for users who may view or change it (else 403)."""
        obj = get_object_or_404(self.model if queryset is None else queryset, pk=pk)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj


class ReadOnlyInline(admin.TabularInline):
    """A record shown on its parent's page and never edited there (history, messages):
    subclasses set `model` and `fields`; every field is read-only."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

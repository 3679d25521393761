"""Admin pieces shared by the apps: extra pages about one object (previews, proofs, password
reveals), the responses they send, and read-only inlines (histories, an order's messages).

The extra pages' templates extend `admin/stafftemplates/object_page.html` (breadcrumbs down to
the object) and fill in `{% block crumb %}`.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers, patch_cache_control


def no_store(response: HttpResponse) -> HttpResponse:
    """Previews hold personal data and passwords: no cache (browser or proxy) keeps them."""
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response


def file_response(
    request: HttpRequest, *, content: bytes, filename: str, mimetype: str
) -> HttpResponse:
    """A previewed document: inline (for our own preview page's frame) or, with `?download=1`,
    as a download; never cached. The file name was sanitised to ASCII when it was built."""
    response = HttpResponse(content, content_type=mimetype)
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return no_store(response)


# Staff-written email HTML runs nothing and fetches nothing: it is shown in a sandboxed frame
# and served with a policy that only allows inline styles and data: images.
EMAIL_HTML_POLICY = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:"
)


def sandboxed_html(html: str) -> HttpResponse:
    """An email's HTML for a sandboxed frame on one of our own pages (previews, the dev inbox)."""
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = EMAIL_HTML_POLICY
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


def text_error(text: str) -> HttpResponse:
    """A preview that cannot be drawn: the reason as plain text (a 400), never cached."""
    return no_store(HttpResponse(text, status=400, content_type="text/plain"))


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

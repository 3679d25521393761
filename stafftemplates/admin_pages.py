"""Admin pieces shared by the apps: extra pages about one object (previews, proofs, password
reveals), the responses they send, and read-only inlines (histories, an order's messages).

The extra pages' templates extend `admin/stafftemplates/object_page.html` (breadcrumbs down to
the object) and fill in `{% block crumb %}`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST


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


# The code fields of every staff template editor: monospace, never soft-wrapped (so the line
# numbers `stafftemplates/static/stafftemplates/editor.js` draws beside them match the lines
# errors quote).
CODE_FIELD = forms.Textarea(attrs={"rows": 16, "cols": 110, "class": "code-field", "wrap": "off"})


def variables_list_html(names: Iterable[str]) -> str:
    """The variables a template can use, listed beside the editor; with JavaScript each one is
    a button inserting it at the cursor (`data-insert`)."""
    items = format_html_join(
        "",
        '<li><code data-insert="{{{{ {} }}}}">{{{{ {} }}}}</code></li>',
        ((name, name) for name in names),
    )
    loop = "{% for line in lines %}{{ line.product }}{% endfor %}"
    return format_html(
        '<ul class="template-variables" data-testid="template-variables">{}</ul>'
        '<p>Lists: <code data-insert="{}">{}</code></p>',
        items,
        loop,
        loop,
    )


def preview_notice(title: str, lines: Iterable[str]) -> HttpResponse:
    """A preview that cannot be drawn, as a short page for the editor's sandboxed frame: what
    is wrong, field by field (syntax errors quote their line)."""
    items = format_html_join("", "<li>{}</li>", ((line,) for line in lines))
    html = format_html(
        '<!doctype html><html><head><meta charset="utf-8"><title>{}</title><style>'
        "body {{ font: 14px sans-serif; margin: 16px; color: #1f2933; }}"
        "h1 {{ font-size: 16px; color: #ba2121; }} li {{ margin: 4px 0; }}"
        "</style></head><body><h1>{}</h1><ul>{}</ul></body></html>",
        title,
        title,
        items,
    )
    return no_store(sandboxed_html(html))


def text_page(title: str, text: str) -> HttpResponse:
    """Plain text (an email's subject and text body) as a page for a sandboxed frame."""
    html = format_html(
        '<!doctype html><html><head><meta charset="utf-8"><title>{}</title><style>'
        "body {{ margin: 16px; font: 14px sans-serif; }}"
        "pre {{ white-space: pre-wrap; font: 14px/1.5 monospace; }}"
        "</style></head><body><pre>{}</pre></body></html>",
        title,
        text,
    )
    return no_store(sandboxed_html(html))


class UnsavedPreviewMixin:
    """For a staff template's ModelAdmin: preview what is in the editor, unsaved.

    The change form posts its own fields (CSRF token included) to `<pk>/preview/unsaved/`
    into a sandboxed frame beside the editor (`stafftemplates/static/stafftemplates/editor.js`;
    without JavaScript the frame stays hidden and the saved preview page still works). Only
    those who may change the object may post it. Subclasses implement `render_unsaved_preview`
    and list the parts the frame can show in `unsaved_preview_parts` ((value, label) pairs).
    """

    unsaved_preview_parts: tuple[tuple[str, str], ...] = (("html", "HTML"), ("text", "Text"))

    class Media:
        # The editor's enhancements: live preview, line numbers, variables, policy field.
        css = {"all": ["stafftemplates/editor.css"]}
        js = ["stafftemplates/editor.js"]

    def render_unsaved_preview(self, request: HttpRequest, obj: Model, part: str) -> HttpResponse:
        raise NotImplementedError

    def unsaved_preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = get_object_or_404(self.model, pk=pk)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        parts = dict(self.unsaved_preview_parts)
        part = request.POST.get("_preview_part", "")
        if part not in parts:
            part = next(iter(parts))
        return no_store(self.render_unsaved_preview(request, obj, part))

    def unsaved_preview_url(self) -> URLPattern:
        opts = self.model._meta
        return path(
            "<int:pk>/preview/unsaved/",
            self.admin_site.admin_view(require_POST(self.unsaved_preview_view)),
            name=f"{opts.app_label}_{opts.model_name}_preview_unsaved",
        )

    def unsaved_preview_context(self, request: HttpRequest, obj: Model | None) -> dict | None:
        """What the change form needs to show the frame (None: no frame, e.g. on *Add*)."""
        if obj is None or not self.has_change_permission(request, obj):
            return None
        opts = self.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_preview_unsaved", args=[obj.pk])
        return {"url": url, "parts": self.unsaved_preview_parts}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        extra["unsaved_preview"] = self.unsaved_preview_context(
            request, self.get_object(request, object_id)
        )
        return super().change_view(request, object_id, form_url, extra)

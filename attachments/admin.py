"""Admin for attachment templates: edit (syntax checked on save), revisions, preview."""

from __future__ import annotations

import difflib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_GET, require_POST

from .engine import AttachmentError
from .models import CONTENT_FIELDS, AttachmentTemplate, AttachmentTemplateRevision, PasswordPolicy
from .passwords import PASSWORD_BITS, password_guess_space, seconds_to_guess
from .preview import preview_source
from .rendering import build_attachment


def guess_space_warning(template: AttachmentTemplate) -> str | None:
    """The admin warning for a guessable password policy, or None for the generated one."""
    if template.password_policy != PasswordPolicy.TEMPLATE:
        return None
    space = password_guess_space(template)
    seconds = seconds_to_guess(space)
    when = f"{seconds:,.1f} seconds" if seconds < 120 else f"{seconds / 86400:,.1f} days"
    return (
        f"Passwords from customer data are guessable: about {space:,} possibilities, all "
        f"tried in {when} on one GPU by someone who has the email. The generated policy "
        f"has {PASSWORD_BITS} bits."
    )


def revision_changes(revision: AttachmentTemplateRevision) -> list[tuple[str, str]]:
    """(field, unified diff) for each field this revision changed from the one before it."""
    before = (
        AttachmentTemplateRevision.objects.filter(
            template_id=revision.template_id, number__lt=revision.number
        )
        .order_by("-number")
        .first()
    )
    changes = []
    for field in CONTENT_FIELDS:
        old = getattr(before, field) if before else ""
        new = getattr(revision, field)
        if old != new:
            diff = difflib.unified_diff(
                old.splitlines(), new.splitlines(), "before", "after", lineterm=""
            )
            changes.append((field, "\n".join(diff)))
    return changes


class RevisionInline(admin.TabularInline):
    """The append-only history, read-only: a revision is never edited."""

    model = AttachmentTemplateRevision
    fields = ["number_link", "created_at", "created_by", "changed_fields"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ["-number"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="revision")
    def number_link(self, revision: AttachmentTemplateRevision) -> str:
        url = reverse("admin:attachments_attachmenttemplaterevision_change", args=[revision.pk])
        return format_html('<a href="{}">#{}</a>', url, revision.number)

    @admin.display(description="what changed")
    def changed_fields(self, revision: AttachmentTemplateRevision) -> str:
        if revision.number == 1:
            return "First revision."
        return ", ".join(field for field, _ in revision_changes(revision)) or "No change."


@admin.register(AttachmentTemplate)
class AttachmentTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "password_policy", "active", "updated_at", "preview_link"]
    list_filter = ["active", "password_policy"]
    search_fields = ["name"]
    readonly_fields = ["password_strength", "preview_link", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "active", "preview_link"]}),
        ("Document", {"fields": ["html", "css", "filename_template"]}),
        (
            "Password",
            {"fields": ["password_policy", "password_template", "password_strength"]},
        ),
        ("History", {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [RevisionInline]
    formfield_overrides = {
        models.TextField: {
            "widget": forms.Textarea(
                attrs={"rows": 24, "cols": 110, "style": "font-family: monospace;"}
            )
        },
    }

    def get_queryset(self, request):
        # The change list shows none of the heavy text.
        return super().get_queryset(request).defer("html", "css")

    def save_model(self, request, obj, form, change):
        obj.save(revised_by=request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if request.method == "GET" and obj is not None and (warning := guess_space_warning(obj)):
            messages.warning(request, warning)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="password strength")
    def password_strength(self, obj: AttachmentTemplate) -> str:
        if obj.pk is None:
            return "—"
        return guess_space_warning(obj) or f"Generated: {PASSWORD_BITS} random bits per order."

    @admin.display(description="preview")
    def preview_link(self, obj: AttachmentTemplate) -> str:
        if obj.pk is None:
            return "Save first to preview."
        url = reverse("admin:attachments_attachmenttemplate_preview", args=[obj.pk])
        return format_html('<a href="{}">Preview the PDF</a>', url)

    # --- preview ------------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/preview/",
                view(require_GET(self.preview_view)),
                name="attachments_attachmenttemplate_preview",
            ),
            path(
                "<int:pk>/preview.pdf",
                view(require_GET(self.preview_pdf_view)),
                name="attachments_attachmenttemplate_preview_pdf",
            ),
            path(
                "<int:pk>/revisions/<int:revision_pk>/restore/",
                view(require_POST(self.restore_view)),
                name="attachments_attachmenttemplate_restore",
            ),
            *super().get_urls(),
        ]

    def restore_view(self, request: HttpRequest, pk: int, revision_pk: int) -> HttpResponse:
        """Copy an old revision back (a new revision records it); editors only, logged."""
        template = get_object_or_404(AttachmentTemplate, pk=pk)
        if not self.has_change_permission(request, template):
            raise PermissionDenied
        revision = get_object_or_404(template.revisions, pk=revision_pk)
        try:
            template.restore(revision, revised_by=request.user)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
        else:
            self.log_change(request, template, f"Restored revision {revision.number}.")
            self.message_user(request, f"Revision {revision.number} restored.", messages.SUCCESS)
        return HttpResponseRedirect(
            reverse("admin:attachments_attachmenttemplate_change", args=[template.pk])
        )

    def _preview_template(self, request: HttpRequest, pk: int) -> AttachmentTemplate:
        template = get_object_or_404(AttachmentTemplate, pk=pk)
        if not self.has_view_or_change_permission(request, template):
            raise PermissionDenied
        return template

    def _source(self, request: HttpRequest, template: AttachmentTemplate):
        return preview_source(
            template,
            order_number=request.GET.get("order", "")[:40],
            user=request.user,
            session_key=request.session.session_key or "",
        )

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """A page with the PDF embedded, its password, and a form to pick an order."""
        template = self._preview_template(request, pk)
        order = request.GET.get("order", "").strip()[:40]
        source, error = None, None
        try:
            source = self._source(request, template)
        except AttachmentError as exc:
            error = str(exc)
        if source is None and error is None:
            error = f"No order {order!r}."
        query = f"?order={order}" if order else ""
        pdf_url = reverse("admin:attachments_attachmenttemplate_preview_pdf", args=[pk])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": template,
            "title": f"Preview: {template.name}",
            "order": order,
            "source": source,
            "error": error,
            "warning": guess_space_warning(template),
            "pdf_url": pdf_url + query,
            "download_url": pdf_url + (query + "&" if query else "?") + "download=1",
        }
        response = TemplateResponse(
            request, "admin/attachments/attachmenttemplate/preview.html", context
        )
        return no_store(response)

    def preview_pdf_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The encrypted PDF, inline (for the frame) or as a download."""
        template = self._preview_template(request, pk)
        try:
            source = self._source(request, template)
            if source is None:
                raise Http404("No such order.")
            attachment = build_attachment(template, source.context, source.password)
        except AttachmentError as exc:
            return no_store(HttpResponse(str(exc), status=400, content_type="text/plain"))
        response = HttpResponse(attachment.content, content_type=attachment.mimetype)
        disposition = "attachment" if request.GET.get("download") else "inline"
        response["Content-Disposition"] = f'{disposition}; filename="{attachment.filename}"'
        return no_store(response)


def no_store(response: HttpResponse) -> HttpResponse:
    """Previews hold personal data and passwords: no cache (browser or proxy) keeps them."""
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response


@admin.register(AttachmentTemplateRevision)
class AttachmentTemplateRevisionAdmin(admin.ModelAdmin):
    """Revisions are an append-only log: viewable, never added, changed or deleted here."""

    list_display = ["template", "number", "created_at", "created_by"]
    list_filter = ["template"]
    list_select_related = ["template", "created_by"]
    fields = [
        "template",
        "number",
        "created_at",
        "created_by",
        "changes",
        "name",
        "html",
        "css",
        "filename_template",
        "password_policy",
        "password_template",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("html", "css")

    @admin.display(description="changes from the previous revision")
    def changes(self, revision: AttachmentTemplateRevision) -> str:
        changes = revision_changes(revision)
        if not changes:
            return "No change."
        return format_html_join(
            "", '<p><strong>{}</strong></p><pre style="white-space: pre-wrap;">{}</pre>', changes
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        revision = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        template_admin = self.admin_site._registry[AttachmentTemplate]
        if revision is not None and template_admin.has_change_permission(
            request, revision.template
        ):
            extra["restore_url"] = reverse(
                "admin:attachments_attachmenttemplate_restore",
                args=[revision.template_id, revision.pk],
            )
        return super().change_view(request, object_id, form_url, extra)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

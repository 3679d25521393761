"""Admin for attachment templates: edit (syntax checked on save), revisions, preview."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.html import format_html
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from stafftemplates.admin_pages import ObjectPageMixin, file_response, no_store, text_error
from stafftemplates.errors import StaffTemplateError
from stafftemplates.revision_admin import (
    NormalisedTextAdminMixin,
    RestoreRevisionMixin,
    RevisionAdmin,
    RevisionInline,
)

from .errors import AttachmentError
from .models import AttachmentTemplate, AttachmentTemplateRevision, PasswordPolicy
from .passwords import PASSWORD_BITS, password_guess_space, seconds_to_guess
from .preview import PreviewRefused, find_source, preview_password
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


POLICY_FIELDS = ["password_policy", "password_template"]
POLICY_PERMISSION = "attachments.change_password_policy"


def can_change_password_policy(user) -> bool:
    """May this user choose how documents are locked (the policy and its expression)?"""
    return bool(user.has_perm(POLICY_PERMISSION))


class AttachmentTemplateRevisionInline(RevisionInline):
    model = AttachmentTemplateRevision


@admin.register(AttachmentTemplate)
class AttachmentTemplateAdmin(
    NormalisedTextAdminMixin, ObjectPageMixin, RestoreRevisionMixin, admin.ModelAdmin
):
    list_display = ["name", "language", "password_policy", "active", "updated_at", "preview_link"]
    list_filter = ["language", "active", "password_policy"]
    search_fields = ["name"]
    readonly_fields = ["password_strength", "preview_link", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "language", "active", "preview_link"]}),
        ("Document", {"fields": ["html", "css", "filename_template"]}),
        (
            "Password",
            {"fields": ["password_policy", "password_template", "password_strength"]},
        ),
        ("History", {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [AttachmentTemplateRevisionInline]
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

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not can_change_password_policy(request.user):
            # Shown, not editable: editing the document does not include choosing how every
            # future customer's copy is locked.
            fields += POLICY_FIELDS
        return fields

    def restore_problems(self, request, obj, revision) -> list[str]:
        changes_policy = any(getattr(revision, f) != getattr(obj, f) for f in POLICY_FIELDS)
        if changes_policy and not can_change_password_policy(request.user):
            return ["this revision has another password policy, which you may not change."]
        return []

    def save_model(self, request, obj, form, change):
        obj.save(author=request.user)

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
            self.restore_url(),
            *super().get_urls(),
        ]

    def _preview(self, request: HttpRequest, template: AttachmentTemplate):
        """The order the query string names (or the sample) and the password its PDF opens
        with; None when there is no such order. Raises `PreviewRefused`."""
        source = find_source(request.GET.get("order", "")[:40], user=request.user)
        if source is None:
            return None, None
        password = preview_password(
            template, source, user=request.user, session_key=request.session.session_key or ""
        )
        return source, password

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """A page with the PDF embedded, its password, and a form to pick an order."""
        template = self.viewable_object(request, pk)
        order = request.GET.get("order", "").strip()[:40]
        source, password, error = None, None, None
        try:
            with translation.override(template.language):  # the order in the PDF's language
                source, password = self._preview(request, template)
        except (AttachmentError, StaffTemplateError, PreviewRefused) as exc:
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
            "password": password,
            "error": error,
            "warning": guess_space_warning(template),
            "pdf_url": pdf_url + query,
            "download_url": pdf_url + (query + "&" if query else "?") + "download=1",
        }
        response = TemplateResponse(
            request, "admin/attachments/attachmenttemplate/preview.html", context
        )
        return no_store(response)

    @xframe_options_sameorigin  # framed by our own preview page
    def preview_pdf_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The encrypted PDF, inline (for the frame) or as a download."""
        template = self.viewable_object(request, pk)
        try:
            with translation.override(template.language):  # the PDF's own language
                source, password = self._preview(request, template)
                if source is None:
                    raise Http404("No such order.")
                attachment = build_attachment(template, source.context, password.password)
        except PreviewRefused as exc:
            raise (PermissionDenied if exc.forbidden else Http404)(str(exc)) from None
        except (AttachmentError, StaffTemplateError) as exc:
            return text_error(str(exc))
        return file_response(
            request,
            content=attachment.content,
            filename=attachment.filename,
            mimetype=attachment.mimetype,
        )


@admin.register(AttachmentTemplateRevision)
class AttachmentTemplateRevisionAdmin(RevisionAdmin):
    fields = [
        "template",
        "number",
        "created_at",
        "created_by",
        "note",
        "changes",
        *AttachmentTemplate.REVISION_FIELDS,
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("html", "css")

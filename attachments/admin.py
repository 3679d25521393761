"""Admin for attachment templates: edit (syntax checked on save), revisions, preview."""

from __future__ import annotations

from django import forms
from django.conf import settings
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

from stafftemplates.admin_pages import (
    CODE_FIELD,
    ObjectPageMixin,
    UnsavedPreviewMixin,
    file_response,
    no_store,
    preview_notice,
    sandboxed_html,
    text_error,
    variables_list_html,
)
from stafftemplates.errors import StaffTemplateError
from stafftemplates.revision_admin import (
    NormalisedTextAdminMixin,
    PublishRevisionMixin,
    RestoreRevisionMixin,
    RevisionAdmin,
    RevisionInline,
    field_label,
)

from .errors import AttachmentError
from .isolation import preview_attachment, preview_pages
from .models import AttachmentTemplate, AttachmentTemplateRevision, PasswordPolicy
from .passwords import (
    GENERATED_GUESS_SPACE,
    duration_in_words,
    password_guess_space,
    seconds_to_guess,
)
from .preview import (
    PreviewRefused,
    context_variables,
    find_source,
    preview_password,
    sample_source,
)

# What staff read about the generated policy: a time, not a bit count.
GENERATED_GUESS_TIME = duration_in_words(seconds_to_guess(GENERATED_GUESS_SPACE))
GENERATED_STRENGTH = (
    "Generated: every order gets its own 16-character password, shown to the customer. "
    f"Trying every possible one would take {GENERATED_GUESS_TIME} on one graphics card, so it "
    "cannot be guessed."
)


def guess_space_warning(template: AttachmentTemplate) -> str | None:
    """The admin warning for a guessable password policy, or None for the generated one."""
    if template.password_policy != PasswordPolicy.TEMPLATE:
        return None
    space = password_guess_space(template)
    when = duration_in_words(seconds_to_guess(space))
    return (
        f"Passwords from customer data are guessable: about {space:,} possibilities, all "
        f"tried in {when} on one graphics card by someone who has the email. Trying every "
        f"generated password would take {GENERATED_GUESS_TIME}."
    )


POLICY_FIELDS = ["password_policy", "password_template"]
POLICY_PERMISSION = "attachments.change_password_policy"


def can_change_password_policy(user) -> bool:
    """May this user choose how documents are locked (the policy and its expression)?"""
    return bool(user.has_perm(POLICY_PERMISSION))


class AttachmentTemplateRevisionInline(RevisionInline):
    model = AttachmentTemplateRevision


class AttachmentTemplateForm(forms.ModelForm):
    """The policy's expression counts only under the "from customer data" policy: under the
    generated one it is hidden in the editor and whatever was posted for it is ignored (the
    saved expression is kept, for switching back), so a stale expression can neither block a
    save nor change anything."""

    def clean(self):
        cleaned = super().clean()
        if (
            "password_template" in self.fields
            and cleaned.get("password_policy", self.instance.password_policy)
            != PasswordPolicy.TEMPLATE
        ):
            self._errors.pop("password_template", None)
            cleaned["password_template"] = self.instance.password_template
        return cleaned


@admin.register(AttachmentTemplate)
class AttachmentTemplateAdmin(
    NormalisedTextAdminMixin,
    UnsavedPreviewMixin,
    ObjectPageMixin,
    PublishRevisionMixin,
    RestoreRevisionMixin,
    admin.ModelAdmin,
):
    change_form_template = "admin/stafftemplates/editor_change_form.html"
    form = AttachmentTemplateForm
    unsaved_preview_parts = (("pages", "PDF pages"),)
    list_display = [
        "name",
        "event_type",
        "language",
        "password_policy",
        "active",
        "updated_at",
        "preview_link",
    ]
    list_filter = ["event_type", "language", "active", "password_policy"]
    search_fields = ["name"]
    readonly_fields = [
        "password_strength",
        "variables",
        "preview_link",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["name", "event_type", "language", "active", "preview_link"]}),
        (
            "Document",
            {"fields": ["html", "css", "filename_template", "title_template", "variables"]},
        ),
        (
            "Password",
            {"fields": ["password_policy", "password_template", "password_strength"]},
        ),
        ("History", {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [AttachmentTemplateRevisionInline]
    formfield_overrides = {models.TextField: {"widget": CODE_FIELD}}

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

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if (
            obj is not None
            and obj.password_policy != PasswordPolicy.TEMPLATE
            and not can_change_password_policy(request.user)
        ):
            # Read-only and unused: an expression the policy ignores only confuses.
            fieldsets = [
                (name, {**opts, "fields": [f for f in opts["fields"] if f != "password_template"]})
                for name, opts in fieldsets
            ]
        return fieldsets

    @admin.display(description="available variables")
    def variables(self, obj) -> str:
        return variables_list_html(context_variables())

    def render_unsaved_preview(self, request, obj: AttachmentTemplate, part: str):
        """The document in the editor, unsaved, built for the sample order as customers get it
        (encrypted) and shown as page images (`page_images.py`)."""
        fields = ["html", "css", "filename_template", "title_template"]
        if can_change_password_policy(request.user):
            fields += POLICY_FIELDS
        saved = {f: getattr(obj, f) for f in POLICY_FIELDS}
        draft = AttachmentTemplate(
            **(saved | {f: request.POST.get(f, "") for f in fields}), name=obj.name
        )
        if draft.password_policy != PasswordPolicy.TEMPLATE:
            draft.password_template = ""
        draft.normalise_line_endings()
        if errors := draft.compile_errors():
            return preview_notice(
                "Not previewed: fix these first",
                [f"{field_label(AttachmentTemplate, f)}: {m}" for f, m in errors.items()],
            )
        # In the language chosen in the form: the sample's amounts and dates are written in it.
        language = request.POST.get("language", "")
        if language not in dict(settings.LANGUAGES):
            language = getattr(obj, "language", None) or settings.LANGUAGE_CODE
        try:
            with translation.override(language):
                source = sample_source(draft.event_type if draft.event_type_id else None)
                password = preview_password(
                    draft, source, user=request.user, session_key=request.session.session_key or ""
                )
                html = preview_pages(
                    draft,
                    source.context,
                    password.password,
                    title=obj.name or draft.name,
                    staff=request.user.pk,
                )
        except (AttachmentError, StaffTemplateError) as exc:
            return preview_notice("Not previewed", [str(exc)])
        return sandboxed_html(html)

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
        return guess_space_warning(obj) or GENERATED_STRENGTH

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
                "<int:pk>/preview/pages/",
                view(require_GET(self.preview_pages_view)),
                name="attachments_attachmenttemplate_preview_pages",
            ),
            self.unsaved_preview_url(),
            self.restore_url(),
            self.publish_url(),
            *super().get_urls(),
        ]

    def _preview(self, request: HttpRequest, template: AttachmentTemplate):
        """The order the query string names (or the sample) and the password its PDF opens
        with; None when there is no such order. Raises `PreviewRefused`."""
        source = find_source(
            request.GET.get("order", "")[:40], user=request.user, event_type=template.event_type
        )
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
            "pages_url": reverse("admin:attachments_attachmenttemplate_preview_pages", args=[pk])
            + query,
            "download_url": pdf_url + (query + "&" if query else "?") + "download=1",
        }
        response = TemplateResponse(
            request, "admin/attachments/attachmenttemplate/preview.html", context
        )
        return no_store(response)

    def preview_pages_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The PDF's pages as images, for the preview page's sandboxed frame: what the customer
        sees, without the browser's password prompt (the PDF itself stays encrypted)."""
        template = self.viewable_object(request, pk)
        try:
            with translation.override(template.language):  # as the PDF and its download
                source, password = self._preview(request, template)
                if source is None:
                    raise Http404("No such order.")
                html = preview_pages(
                    template,
                    source.context,
                    password.password,
                    title=template.name,
                    staff=request.user.pk,
                )
        except PreviewRefused as exc:
            raise (PermissionDenied if exc.forbidden else Http404)(str(exc)) from None
        except (AttachmentError, StaffTemplateError) as exc:
            return text_error(str(exc))
        return no_store(sandboxed_html(html))

    @xframe_options_sameorigin  # framed by our own preview page
    def preview_pdf_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The encrypted PDF, inline (for the frame) or as a download."""
        template = self.viewable_object(request, pk)
        try:
            with translation.override(template.language):  # the PDF's own language
                source, password = self._preview(request, template)
                if source is None:
                    raise Http404("No such order.")
                attachment = preview_attachment(
                    template, source.context, password.password, staff=request.user.pk
                )
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

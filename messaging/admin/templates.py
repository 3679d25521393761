"""Admin for what staff edit: layouts and message templates, with their revisions (restore
through `stafftemplates.revision_admin`); the preview and proof pages are in `previews`.

Thin on purpose: pages render and check permissions; anything that changes data calls a model
method or a workflow, and every change lands in Django's admin log.
"""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html

from stafftemplates.admin_pages import UnsavedPreviewMixin
from stafftemplates.languages import default_language, language_name, pick_version
from stafftemplates.revision_admin import (
    NormalisedTextAdminMixin,
    PublishRevisionMixin,
    RestoreRevisionMixin,
    RevisionAdmin,
    RevisionInline,
)

from .. import preview
from ..models import (
    Layout,
    LayoutRevision,
    MessageTemplate,
    MessageTemplateAttachment,
    MessageTemplateRevision,
)
from ..template_checks import layout_errors, message_template_errors
from .common import MONOSPACE, flat_errors, variables_list
from .previews import TemplatePreviewMixin, editor_preview_response, posted_copy

# --- layouts --------------------------------------------------------------------------------


class LayoutRevisionInline(RevisionInline):
    model = LayoutRevision


@admin.register(Layout)
class LayoutAdmin(
    NormalisedTextAdminMixin,
    UnsavedPreviewMixin,
    PublishRevisionMixin,
    RestoreRevisionMixin,
    admin.ModelAdmin,
):
    change_form_template = "admin/stafftemplates/editor_change_form.html"
    list_display = ["name", "language", "active", "updated_at"]
    list_filter = ["language", "active"]
    search_fields = ["name"]
    readonly_fields = ["variables", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "language", "active"]}),
        (
            "HTML",
            {
                "fields": ["html_header", "html_footer", "css", "variables"],
                "description": "The template's HTML body goes between the header and the "
                "footer; the stylesheet goes into a &lt;style&gt; in the email's head.",
            },
        ),
        ("Text", {"fields": ["text_header", "text_footer"]}),
        ("History", {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [LayoutRevisionInline]
    formfield_overrides = {models.TextField: {"widget": MONOSPACE}}

    def get_queryset(self, request):
        return super().get_queryset(request).defer("html_header", "html_footer", "css")

    def save_model(self, request, obj, form, change):
        obj.save(author=request.user)

    def get_urls(self):
        return [
            self.unsaved_preview_url(),
            self.restore_url(),
            self.publish_url(),
            *super().get_urls(),
        ]

    def render_unsaved_preview(self, request, obj: Layout, part: str):
        """The layout in the editor, unsaved, around the body of an email that uses it (the
        active one first), or a placeholder when none does yet."""
        draft = posted_copy(Layout, request, Layout.REVISION_FIELDS)
        email = MessageTemplate.objects.filter(layout=obj).order_by("-active").first()
        body = email or MessageTemplate(
            subject="Subject of the email",
            text_body="The email's own text goes here.",
            html_body="<p>The email's own content goes here.</p>",
        )
        return editor_preview_response(
            Layout,
            draft,
            part=part,
            render=lambda: preview.render_editor_preview(template=body, layout=draft),
        )

    def restore_problems(self, request, obj, revision) -> list[str]:
        return flat_errors(
            layout_errors(
                html_header=revision.html_header,
                html_footer=revision.html_footer,
                css=revision.css,
            )
        )

    @admin.display(description="available variables")
    def variables(self, obj) -> str:
        return variables_list()


@admin.register(LayoutRevision)
class LayoutRevisionAdmin(RevisionAdmin):
    list_display = ["layout", "number", "created_at", "created_by", "note"]
    list_filter = ["layout"]
    list_select_related = ["layout", "created_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("html_header", "html_footer", "css")

    fields = [
        "layout",
        "number",
        "created_at",
        "created_by",
        "note",
        "changes",
        *Layout.REVISION_FIELDS,
    ]
    readonly_fields = fields


# --- message templates ----------------------------------------------------------------------


class DocumentChoiceField(forms.ModelChoiceField):
    """A PDF named as the document it is, not as one language version of it: each message
    carries the version in its own language (the default language's where there is none)."""

    def __init__(self, *args, languages: dict[str, list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.languages = languages

    def label_from_instance(self, obj) -> str:
        names = [language_name(code) for code in self.languages.get(obj.name, [obj.language])]
        if len(names) == 1:
            return f"{obj.name} — {names[0]} for every message"
        return f"{obj.name} — sent in the message’s language ({', '.join(sorted(names))})"


class AttachmentLinkInline(admin.TabularInline):
    """The PDFs a message carries, in order, each named as a document (all its languages)."""

    model = MessageTemplateAttachment
    fields = ["attachment_template", "position"]
    extra = 0
    verbose_name = "attachment"
    verbose_name_plural = "attachments (in order)"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name != "attachment_template":
            return super().formfield_for_foreignkey(db_field, request, **kwargs)
        # The link stores one version's row; which version goes out is picked by language at
        # send time. Offer one row per document: the one this message links, else the default
        # language's (a translation can then be deleted, and messages fall back to it).
        documents = list(db_field.remote_field.model.objects.only("pk", "name", "language"))
        match = request.resolver_match
        object_id = match.kwargs.get("object_id") if match else None
        links = MessageTemplateAttachment.objects.filter(template_id=object_id)
        linked = set(links.values_list("attachment_template_id", flat=True)) if object_id else set()
        by_name: dict[str, list] = {}
        for document in documents:
            by_name.setdefault(document.name, []).append(document)
        shown = [
            next((v for v in versions if v.pk in linked), None)
            or pick_version(versions, default_language())
            for versions in by_name.values()
        ]
        active = db_field.remote_field.model.objects.filter(active=True)
        languages: dict[str, list[str]] = {}
        for name, language in active.values_list("name", "language"):
            languages.setdefault(name, []).append(language)
        kwargs["queryset"] = db_field.remote_field.model.objects.filter(
            pk__in=[document.pk for document in shown]
        )
        kwargs["form_class"] = partial(DocumentChoiceField, languages=languages)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MessageTemplateRevisionInline(RevisionInline):
    model = MessageTemplateRevision


@admin.register(MessageTemplate)
class MessageTemplateAdmin(
    NormalisedTextAdminMixin,
    TemplatePreviewMixin,
    PublishRevisionMixin,
    RestoreRevisionMixin,
    admin.ModelAdmin,
):
    change_form_template = "admin/stafftemplates/editor_change_form.html"
    list_display = ["name", "event", "language", "layout", "active", "updated_at", "preview_link"]
    list_filter = ["event", "language", "active", "layout"]
    search_fields = ["name", "subject"]
    list_select_related = ["layout"]
    readonly_fields = ["variables", "preview_link", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "event", "language", "active", "layout", "preview_link"]}),
        ("Content", {"fields": ["subject", "text_body", "html_body", "variables"]}),
        ("Sender", {"fields": ["from_email", "reply_to"]}),
        ("History", {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [AttachmentLinkInline, MessageTemplateRevisionInline]
    formfield_overrides = {models.TextField: {"widget": MONOSPACE}}

    def get_queryset(self, request):
        # The change list shows none of the heavy text.
        return super().get_queryset(request).defer("text_body", "html_body")

    def save_model(self, request, obj, form, change):
        obj.save(author=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The attachment links are saved after the template: record them (no-op if unchanged).
        form.instance.record_revision(author=request.user)

    @admin.display(description="available variables")
    def variables(self, obj) -> str:
        return variables_list()

    def restore_problems(self, request, obj, revision) -> list[str]:
        return flat_errors(
            message_template_errors(
                html_body=revision.html_body,
                from_email=revision.from_email,
                reply_to=revision.reply_to,
            )
        )

    def get_urls(self):
        return [
            *self.preview_urls(),
            self.unsaved_preview_url(),
            self.restore_url(),
            self.publish_url(),
            *super().get_urls(),
        ]

    @admin.display(description="preview")
    def preview_link(self, obj: MessageTemplate) -> str:
        if obj.pk is None:
            return "Save first to preview."
        url = reverse("admin:messaging_messagetemplate_preview", args=[obj.pk])
        return format_html('<a href="{}">Preview and send a proof</a>', url)


@admin.register(MessageTemplateRevision)
class MessageTemplateRevisionAdmin(RevisionAdmin):
    fields = [
        "template",
        "number",
        "created_at",
        "created_by",
        "note",
        "changes",
        "layout",
        "subject",
        "text_body",
        "html_body",
        "from_email",
        "reply_to",
        "attachments",
    ]
    readonly_fields = fields

    @admin.display(description="attachments (in order)")
    def attachments(self, revision: MessageTemplateRevision) -> str:
        return ", ".join(revision.attachment_names()) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).defer("text_body", "html_body")

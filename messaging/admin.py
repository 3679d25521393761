"""The back office: message templates and layouts (with revisions, preview and proofs), the
outbox with its history, and each order's messages.

Thin on purpose: pages render and check permissions; anything that changes data calls a model
method or a service, and every change lands in Django's admin log.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models.functions import Substr
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from attachments.admin import no_store
from attachments.admin_pages import ObjectPageMixin, ReadOnlyInline
from attachments.documents import AttachmentError, can_reveal_password
from attachments.preview import PreviewRefused, check_order_number
from attachments.revision_admin import RestoreRevisionMixin, RevisionAdmin, RevisionInline
from shop.admin import OrderAdmin
from shop.models import Order

from . import preview, services
from .addresses import proof_recipient_allowed
from .inbox import EMAIL_HTML_POLICY
from .models import (
    Layout,
    LayoutRevision,
    Message,
    MessageEvent,
    MessageTemplate,
    MessageTemplateAttachment,
    MessageTemplateRevision,
)
from .passwords import order_document_passwords
from .rendering import MessageTemplateError
from .template_checks import layout_errors, message_template_errors

MONOSPACE = forms.Textarea(attrs={"rows": 16, "cols": 110, "style": "font-family: monospace;"})


# --- layouts --------------------------------------------------------------------------------


class LayoutRevisionInline(RevisionInline):
    model = LayoutRevision


class LayoutForm(forms.ModelForm):
    """The model's checks, plus where the layout's HTML and CSS may point (the admin supplies
    the model and fields)."""

    def clean(self):
        cleaned = super().clean()
        errors = layout_errors(
            html_header=cleaned.get("html_header", ""),
            html_footer=cleaned.get("html_footer", ""),
            css=cleaned.get("css", ""),
        )
        for field, messages_ in errors.items():
            self.add_error(field, messages_)
        return cleaned


def flat_errors(errors: dict) -> list[str]:
    """`{field: [message]}` as `field: message` lines, for a restore refused with a notice."""
    return [f"{field}: {message}" for field, texts in errors.items() for message in texts]


@admin.register(Layout)
class LayoutAdmin(RestoreRevisionMixin, admin.ModelAdmin):
    form = LayoutForm
    list_display = ["name", "active", "updated_at"]
    list_filter = ["active"]
    search_fields = ["name"]
    readonly_fields = ["variables", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "active"]}),
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
        return [self.restore_url(), *super().get_urls()]

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


def variables_list() -> str:
    names = list(preview.context_variables())
    items = format_html_join("", "<li><code>{{{{ {} }}}}</code></li>", ((n,) for n in names))
    return format_html(
        '<ul style="margin: 0; columns: 2;">{}</ul><p>Lists: <code>{}</code></p>',
        items,
        "{% for line in lines %}{{ line.product }}{% endfor %}",
    )


class AttachmentLinkInline(admin.TabularInline):
    """The PDFs a message carries, in order."""

    model = MessageTemplateAttachment
    fields = ["attachment_template", "position"]
    extra = 0
    verbose_name = "attachment"
    verbose_name_plural = "attachments (in order)"


class MessageTemplateRevisionInline(RevisionInline):
    model = MessageTemplateRevision


class MessageTemplateForm(forms.ModelForm):
    """The model's checks, plus addresses the ESP can parse and where the HTML may point."""

    def clean(self):
        cleaned = super().clean()
        errors = message_template_errors(
            html_body=cleaned.get("html_body", ""),
            from_email=cleaned.get("from_email", ""),
            reply_to=cleaned.get("reply_to", ""),
        )
        for field, messages_ in errors.items():
            self.add_error(field, messages_)
        return cleaned


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ObjectPageMixin, RestoreRevisionMixin, admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ["name", "event", "layout", "active", "updated_at", "preview_link"]
    list_filter = ["event", "active", "layout"]
    search_fields = ["name", "subject"]
    list_select_related = ["layout"]
    readonly_fields = ["variables", "preview_link", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "event", "active", "layout", "preview_link"]}),
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

    @admin.display(description="preview")
    def preview_link(self, obj: MessageTemplate) -> str:
        if obj.pk is None:
            return "Save first to preview."
        url = reverse("admin:messaging_messagetemplate_preview", args=[obj.pk])
        return format_html('<a href="{}">Preview and send a proof</a>', url)

    # --- preview and proof --------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/preview/",
                view(require_GET(self.preview_view)),
                name="messaging_messagetemplate_preview",
            ),
            path(
                "<int:pk>/preview/html/",
                view(require_GET(self.preview_html_view)),
                name="messaging_messagetemplate_preview_html",
            ),
            path(
                "<int:pk>/preview/attachments/<int:position>/",
                view(require_GET(self.preview_attachment_view)),
                name="messaging_messagetemplate_preview_attachment",
            ),
            path(
                "<int:pk>/proof/",
                view(require_POST(self.proof_view)),
                name="messaging_messagetemplate_proof",
            ),
            self.restore_url(),
            *super().get_urls(),
        ]

    def _viewable(self, request: HttpRequest, pk: int) -> MessageTemplate:
        return self.viewable_object(request, pk, MessageTemplate.objects.select_related("layout"))

    def _source(self, request: HttpRequest) -> preview.PreviewSource:
        """The order named in the query string (or the sample); 404 for an unknown or malformed
        one, 403 for staff who may not view orders (the page itself turns those into form
        errors, the frames it embeds just fail)."""
        number = request.GET.get("order", "").strip().upper()[:40]
        if number:
            try:
                check_order_number(number=number, user=request.user)
            except PreviewRefused as exc:
                raise (PermissionDenied if exc.forbidden else Http404)(str(exc)) from None
        source = preview.find_source(number)
        if source is None:
            raise Http404("No such order.")
        return source

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Subject, the HTML in a sandboxed frame, the text, each PDF and its password."""
        template = self._viewable(request, pk)
        form = PreviewForm(request.GET or None, user=request.user)
        source, rendered, error, attachments = None, None, None, []
        if form.is_bound and not form.is_valid():
            pass  # the form shows its own error
        else:
            source = form.source if form.is_bound else preview.find_source("")
            try:
                rendered = preview.render_preview(template, source)
            except MessageTemplateError as exc:
                error = str(exc)
            attachments = self._attachment_rows(request, template, source)
        query = f"?order={source.number}" if source and source.number else ""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": template,
            "title": f"Preview: {template.name}",
            "form": form,
            "source": source,
            "rendered": rendered,
            "error": error,
            "attachments": attachments,
            "html_url": reverse("admin:messaging_messagetemplate_preview_html", args=[pk]) + query,
            "proof_form": ProofForm(
                initial={"email": request.user.email, "order": source.number if source else ""},
                user=request.user,
            ),
            "proof_url": reverse("admin:messaging_messagetemplate_proof", args=[pk]),
            "can_send_proof": self.has_change_permission(request, template),
        }
        response = TemplateResponse(
            request, "admin/messaging/messagetemplate/preview.html", context
        )
        return no_store(response)

    def _attachment_rows(self, request, template, source) -> list[dict]:
        query = f"?order={source.number}" if source.number else ""
        rows = []
        for position, attachment_template in enumerate(preview.preview_attachments(template)):
            url = reverse(
                "admin:messaging_messagetemplate_preview_attachment", args=[template.pk, position]
            )
            rows.append(
                {
                    "name": attachment_template.name,
                    "url": url + query,
                    "download_url": url + (query + "&" if query else "?") + "download=1",
                    "password": preview.preview_password(
                        attachment_template,
                        source,
                        user=request.user,
                        session_key=request.session.session_key or "",
                    ),
                }
            )
        return rows

    def preview_html_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The HTML email alone, for the sandboxed frame: it runs and fetches nothing."""
        template = self._viewable(request, pk)
        try:
            rendered = preview.render_preview(template, self._source(request))
        except MessageTemplateError as exc:
            return no_store(HttpResponse(str(exc), status=400, content_type="text/plain"))
        response = HttpResponse(rendered.html, content_type="text/html; charset=utf-8")
        response["Content-Security-Policy"] = EMAIL_HTML_POLICY
        response["X-Frame-Options"] = "SAMEORIGIN"
        return no_store(response)

    @xframe_options_sameorigin  # framed by our own preview page
    def preview_attachment_view(self, request: HttpRequest, pk: int, position: int) -> HttpResponse:
        """One encrypted PDF of the preview, inline (for the frame) or as a download."""
        template = self._viewable(request, pk)
        attachment_templates = preview.preview_attachments(template)
        if position >= len(attachment_templates):
            raise Http404("No such attachment.")
        attachment_template = attachment_templates[position]
        source = self._source(request)
        password = preview.preview_password(
            attachment_template,
            source,
            user=request.user,
            session_key=request.session.session_key or "",
        )
        try:
            attachment = preview.preview_attachment(attachment_template, source, password.password)
        except AttachmentError as exc:
            return no_store(HttpResponse(str(exc), status=400, content_type="text/plain"))
        response = HttpResponse(attachment.content, content_type=attachment.mimetype)
        disposition = "attachment" if request.GET.get("download") else "inline"
        response["Content-Disposition"] = f'{disposition}; filename="{attachment.filename}"'
        return no_store(response)

    def proof_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Queue a proof to the address staff typed; the worker sends it like any message."""
        template = self._viewable(request, pk)
        if not self.has_change_permission(request, template):
            raise PermissionDenied
        form = ProofForm(request.POST, user=request.user)
        preview_url = reverse("admin:messaging_messagetemplate_preview", args=[pk])
        if not form.is_valid():
            errors = "; ".join(e for field in form.errors.values() for e in field)
            self.message_user(request, f"No proof sent: {errors}", messages.ERROR)
            return HttpResponseRedirect(preview_url)
        source = form.cleaned_data["source"]
        proof = services.queue_proof(
            template=template,
            recipient=form.cleaned_data["email"],
            order=source.order,
            requested_by=request.user.get_username(),
        )
        what = f"order {source.number}" if source.number else "the sample order"
        self.log_change(
            request,
            template,
            f"Sent a proof (message #{proof.pk}) from {what} to {proof.recipient}.",
        )
        self.message_user(
            request,
            f"Proof queued as message #{proof.pk} to {proof.recipient} ({what}).",
            messages.SUCCESS,
        )
        query = f"?order={source.number}" if source.number else ""
        return HttpResponseRedirect(preview_url + query)


class PreviewForm(forms.Form):
    """Which order to preview: a number, or blank for the demo sample."""

    order = forms.CharField(
        label="Order number",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "blank: the demo sample"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_order(self) -> str:
        number = self.cleaned_data["order"].strip().upper()
        if number:
            try:
                check_order_number(number=number, user=self.user)
            except PreviewRefused as exc:
                raise ValidationError(str(exc), code="order") from None
        self.source = preview.find_source(number)
        if self.source is None:
            raise ValidationError(f"There is no order {number}.", code="unknown_order")
        return number


class ProofForm(PreviewForm):
    email = forms.EmailField(label="Send a proof to")
    order = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        # A proof of a real order is that customer's email: it goes to staff, nowhere else.
        if not proof_recipient_allowed(email):
            raise ValidationError(
                f"Proofs go only to active staff users' addresses or to the domains in "
                f"PROOF_ALLOWED_DOMAINS; {email} is neither.",
                code="proof_recipient",
            )
        return email

    def clean(self):
        cleaned = super().clean()
        if hasattr(self, "source"):
            cleaned["source"] = self.source
        return cleaned


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
        "attachment_template_ids",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("text_body", "html_body")


# --- messages -------------------------------------------------------------------------------


class MessageEventInline(ReadOnlyInline):
    """The message's history: append-only, so read-only here."""

    model = MessageEvent
    fields = ["occurred_at", "kind", "attempt", "detail", "size", "esp_event_type"]
    # When it happened, not when it was written: an attempt's lines are written with its outcome.
    ordering = ["occurred_at", "id"]


def admin_link(obj, text: str | None = None) -> str:
    if obj is None:
        return "—"
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text or str(obj))


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """The outbox, read-only for everyone: the engine and the tracking webhooks write it."""

    change_form_template = "admin/messaging/message/change_form.html"
    list_display = [
        "id",
        "status",
        "event",
        "order_link",
        "recipient",
        "attempts",
        "error_excerpt",
        "is_proof",
        "sequence",
        "created_at",
        "updated_at",
        "sent_at",
    ]
    list_filter = ["status", "event", "is_proof", "created_at"]
    date_hierarchy = "created_at"
    search_fields = ["order__number", "recipient"]
    list_select_related = ["order"]
    actions = ["resend_selected"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "event",
                    "status",
                    "order_link",
                    "recipient",
                    "is_proof",
                    "sequence",
                    "resend_of_link",
                    "resends_list",
                ]
            },
        ),
        (
            "Delivery",
            {
                "fields": [
                    "attempts",
                    "next_attempt_at",
                    "claimed_until",
                    "esp_name",
                    "esp_message_id",
                    "last_error",
                    "created_at",
                    "updated_at",
                    "sent_at",
                ]
            },
        ),
        (
            "Rendered from",
            {"fields": ["template_revision_link", "layout_revision_link", "attachment_links"]},
        ),
    ]
    readonly_fields = [f for _, options in fieldsets for f in options["fields"]]
    inlines = [MessageEventInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            # The list shows an excerpt of the last error, never the whole text.
            queryset = queryset.defer("last_error").annotate(error_head=Substr("last_error", 1, 80))
        return queryset

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm("messaging.resend_message")

    @admin.display(description="order", ordering="order__number")
    def order_link(self, message: Message) -> str:
        return admin_link(message.order) if message.order_id else "— (sample)"

    @admin.display(description="last error")
    def error_excerpt(self, message: Message) -> str:
        return getattr(message, "error_head", None) or message.last_error

    @admin.display(description="resend of")
    def resend_of_link(self, message: Message) -> str:
        return admin_link(message.resend_of)

    @admin.display(description="resent as")
    def resends_list(self, message: Message) -> str:
        resends = list(message.resends.all())
        if not resends:
            return "—"
        return format_html_join(", ", "{}", ((admin_link(m, f"#{m.pk}"),) for m in resends))

    @admin.display(description="message template revision")
    def template_revision_link(self, message: Message) -> str:
        return admin_link(message.template_revision)

    @admin.display(description="layout revision")
    def layout_revision_link(self, message: Message) -> str:
        return admin_link(message.layout_revision)

    @admin.display(description="attachment template revisions")
    def attachment_links(self, message: Message) -> str:
        links = message.attachment_links.select_related("attachment_revision")
        if not links:
            return "—"
        return format_html_join(
            ", ", "{}", ((admin_link(link.attachment_revision),) for link in links)
        )

    @admin.action(description="Resend selected messages", permissions=["resend"])
    def resend_selected(self, request: HttpRequest, queryset) -> None:
        """Queue a resend of each selected message; the workers send them, not this request."""
        queued = skipped = 0
        for message in queryset.select_related(None).only("pk", "event").order_by("pk"):
            if self._resend(request, message) is None:
                skipped += 1
            else:
                queued += 1
        level = messages.SUCCESS if queued else messages.WARNING
        text = f"{queued} resend(s) queued."
        if skipped:
            text += f" {skipped} skipped (proofs, already resent, or resent minutes ago)."
        self.message_user(request, text, level)

    def _resend(self, request: HttpRequest, message: Message) -> Message | None:
        resend = services.resend_message(
            message_id=message.pk, reason="from admin", by=request.user.get_username()
        )
        if resend is not None:
            self.log_change(request, message, f"Resent as message #{resend.pk}.")
        return resend

    def get_urls(self):
        return [
            path(
                "<int:pk>/resend/",
                self.admin_site.admin_view(require_POST(self.resend_view)),
                name="messaging_message_resend",
            ),
            *super().get_urls(),
        ]

    def resend_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The detail page's Resend button: 403 without the dedicated permission."""
        if not self.has_resend_permission(request):
            raise PermissionDenied
        message = get_object_or_404(Message, pk=pk)
        resend = self._resend(request, message)
        if resend is None:
            self.message_user(
                request,
                "Not resent: a proof, already resent, or itself a resend queued minutes ago.",
                messages.WARNING,
            )
            return HttpResponseRedirect(reverse("admin:messaging_message_change", args=[pk]))
        self.message_user(request, f"Resend queued as message #{resend.pk}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:messaging_message_change", args=[resend.pk]))

    def changelist_view(self, request, extra_context=None):
        """The list, with the one condition that stops every email at once said loudly."""
        outage = MessageEvent.objects.sender_outage()
        if outage is not None:
            waiting = f"{outage.waiting} message{'' if outage.waiting == 1 else 's'} waiting"
            since = date_format(timezone.localtime(outage.since), "DATETIME_FORMAT")
            self.message_user(
                request,
                f"The ESP is refusing our credentials (since {since}): {outage.reason} "
                f"{waiting}: they are not failed, and go out by themselves once EMAIL_BACKEND "
                "and the ANYMAIL_* settings are fixed and the workers restarted.",
                messages.ERROR,
            )
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {**(extra_context or {}), "can_resend": self.has_resend_permission(request)}
        return super().change_view(request, object_id, form_url, extra)


# --- orders ---------------------------------------------------------------------------------
# `shop` never imports `messaging`: its order page gets the messages from here.


class OrderMessageInline(ReadOnlyInline):
    model = Message
    fk_name = "order"
    fields = [
        "message",
        "event",
        "sequence",
        "is_proof",
        "status",
        "recipient",
        "attempts",
        "sent_at",
    ]
    ordering = ["sequence", "created_at"]
    verbose_name_plural = "messages"

    @admin.display(description="message")
    def message(self, message: Message) -> str:
        return admin_link(message, f"#{message.pk}")


admin.site.unregister(Order)


@admin.register(Order)
class OrderWithMessagesAdmin(ObjectPageMixin, OrderAdmin):
    """The shop's order page plus its messages and, for those allowed, the document password."""

    change_form_template = "admin/messaging/order_change_form.html"
    inlines = [*OrderAdmin.inlines, OrderMessageInline]

    def get_urls(self):
        return [
            path(
                "<int:pk>/document-password/",
                self.admin_site.admin_view(require_POST(self.document_password_view)),
                name="shop_order_document_password",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {
            **(extra_context or {}),
            "can_reveal": can_reveal_password(request.user),
        }
        return super().change_view(request, object_id, form_url, extra)

    def document_password_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Reveal an order's document password (support calls): permission-checked, logged."""
        order = self.viewable_object(request, pk)
        if not can_reveal_password(request.user):
            raise PermissionDenied
        self.log_change(request, order, "Revealed the document password.")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": order,
            "title": f"Document password of order {order.number}",
            # What the customer's PDFs really open with: each attachment's own policy.
            "passwords": order_document_passwords(order),
        }
        response = TemplateResponse(request, "admin/messaging/document_password.html", context)
        return no_store(response)

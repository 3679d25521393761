"""Admin for the outbox: every message with its history, read-only for everyone (the engine
and the tracking webhooks write it); resending takes its own permission."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Substr
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods

from attachments.api import AttachmentError
from stafftemplates.admin_pages import (
    ObjectPageMixin,
    ReadOnlyInline,
    file_response,
    no_store,
    sandboxed_html,
    text_error,
)
from stafftemplates.errors import StaffTemplateError
from stafftemplates.languages import default_language, language_name

from .. import outbox
from ..compose import build_pinned_attachment, context_and_token, render_as_sent
from ..forms import reason_field
from ..models import Event, Message, MessageEvent
from .common import admin_link

ERASED = "the customer's data was erased on request"


def to_the_second(moment) -> str:
    """A timestamp as support reads it against the ESP's logs: local time, to the second."""
    if moment is None:
        return "—"
    return date_format(timezone.localtime(moment), "Y-m-d H:i:s")


class ResendForm(forms.Form):
    reason = reason_field(
        "Why it is resent (e.g. “customer says it never arrived”): it goes into the new "
        "message's history and the admin log."
    )


class MessageEventInline(ReadOnlyInline):
    """The message's history: append-only, so read-only here."""

    model = MessageEvent
    fields = ["occurred", "kind", "attempt", "detail", "file_size", "esp_event_type"]
    # When it happened, not when it was written: an attempt's lines are written with its outcome.
    ordering = ["occurred_at", "id"]

    @admin.display(description="occurred at", ordering="occurred_at")
    def occurred(self, event: MessageEvent) -> str:
        return to_the_second(event.occurred_at)

    @admin.display(description="size")
    def file_size(self, event: MessageEvent) -> str:
        return filesizeformat(event.size) if event.size is not None else ""


# The timestamps of a message's page, shown to the second.
TIMESTAMPS = ["created", "updated", "sent", "next_attempt", "claimed"]


class RecipientKindFilter(admin.SimpleListFilter):
    """Customers' messages or staff proofs ("is proof: yes/no" read as a fault)."""

    title = "sent to"
    parameter_name = "is_proof__exact"  # the parameter Django's own filter used: links keep working

    def lookups(self, request, model_admin):
        return [("0", "Customers"), ("1", "Staff (proofs)")]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(is_proof=self.value() == "1")
        return queryset


@admin.register(Message)
class MessageAdmin(ObjectPageMixin, admin.ModelAdmin):
    """The outbox, read-only for everyone: the engine and the tracking webhooks write it."""

    change_form_template = "admin/messaging/message/change_form.html"
    # What support reads; the engine's own columns (sequence, proof flag, updated_at…) are on
    # each message's page and in the filters.
    # The event is the template's (and a filter); when it was sent is on the message's page.
    list_display = [
        "id",
        "status_badge",
        "template_name",
        "event_link",
        "recipient",
        "attempts",
        "error_excerpt",
        "created_short",
    ]
    # No date hierarchy: its year links are a DISTINCT over every row's date (0.3-0.5 s at
    # 10⁶ messages, measured by bench/scale_backoffice.py); the created_at filter (today, past
    # 7 days, this month, this year) answers from the index.
    list_filter = ["status", "event__type", RecipientKindFilter, "created_at"]
    # A whole reference (an order number) or address finds its messages through an index (see
    # get_search_results); anything else is a substring search.
    search_fields = ["event__reference", "recipient"]
    list_select_related = ["event", "template_revision__template"]
    # No COUNT(*) of the whole outbox on every page: at 10⁶ rows it costs more than the page.
    show_full_result_count = False
    actions = ["resend_selected"]

    class Media:
        css = {"all": ["messaging/admin/outbox.css"]}

    fieldsets = [
        (
            None,
            {
                "fields": [
                    "event_link",
                    "status",
                    "recipient",
                    "sent_to",
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
                    "next_attempt",
                    "claimed",
                    "esp_name",
                    "esp_message_id",
                    "last_error",
                    "created",
                    "updated",
                    "sent",
                ]
            },
        ),
        (
            "Rendered from",
            {
                "fields": [
                    "language_name",
                    "template_revision_link",
                    "layout_revision_link",
                    "attachment_links",
                ]
            },
        ),
    ]
    readonly_fields = [f for _, options in fieldsets for f in options["fields"]]
    inlines = [MessageEventInline]

    def get_fieldsets(self, request, obj=None):
        """A next attempt only while queued, a claim only while sending: a sent message has
        neither, and showing the stale values reads as if it were still waiting."""
        hidden = set()
        if obj is not None and obj.status != Message.Status.QUEUED:
            hidden.add("next_attempt")
        if obj is not None and obj.status != Message.Status.SENDING:
            hidden.add("claimed")
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for name, options in super().get_fieldsets(request, obj)
        ]

    @admin.display(description="status", ordering="status")
    def status_badge(self, message: Message) -> str:
        return format_html(
            '<span class="message-status message-status-{}">{}</span>',
            message.status,
            message.get_status_display(),
        )

    @admin.display(description="sent to")
    def sent_to(self, message: Message) -> str:
        if message.is_proof:
            return "Staff, as a proof (not counted as the customer’s message)"
        return "The customer"

    @admin.display(description="language")
    def language_name(self, message: Message) -> str:
        if not message.language:
            # Messages from before languages render in the default language.
            return f"{language_name(default_language())} (the default: queued before languages)"
        return language_name(message.language)

    @admin.display(description="template", ordering="template_revision__template__name")
    def template_name(self, message: Message) -> str:
        revision = message.template_revision
        return revision.template.name if revision is not None else "—"

    @admin.display(description="created at", ordering="created_at")
    def created_short(self, message: Message) -> str:
        return to_the_second(message.created_at)

    @admin.display(description="created at")
    def created(self, message: Message) -> str:
        return to_the_second(message.created_at)

    @admin.display(description="updated at")
    def updated(self, message: Message) -> str:
        return to_the_second(message.updated_at)

    @admin.display(description="sent at")
    def sent(self, message: Message) -> str:
        return to_the_second(message.sent_at)

    @admin.display(description="next attempt at")
    def next_attempt(self, message: Message) -> str:
        return to_the_second(message.next_attempt_at)

    @admin.display(description="claimed until")
    def claimed(self, message: Message) -> str:
        return to_the_second(message.claimed_until)

    def get_search_results(self, request, queryset, search_term):
        """An event's whole reference (an order number, in any letter case) or a whole email
        address: an exact lookup the indexes answer (the reference's index; lower(recipient)),
        in milliseconds at 10⁶ messages where the substring search scans them all (~5 s,
        bench/scale_backoffice.py). Anything else — part of a reference or an address — is
        the substring search."""
        term = search_term.strip()
        references = {term, term.upper()}
        if term and Event.objects.filter(reference__in=references).exists():
            return queryset.filter(event__reference__in=references), False
        if _is_email_address(term):
            matching = Message.objects.to_recipient(term).values("pk")
            return queryset.filter(pk__in=matching), False
        return super().get_search_results(request, queryset, search_term)

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

    @admin.display(description="event", ordering="event__reference")
    def event_link(self, message: Message) -> str:
        if not message.event_id:
            return "— (sample)"
        event = message.event
        text = event.reference or f"#{event.pk}"
        return format_html('<span class="message-nowrap">{}</span>', admin_link(event, text))

    @admin.display(description="last error")
    def error_excerpt(self, message: Message) -> str:
        # The list annotates the excerpt and defers the text: an empty excerpt must not load
        # the deferred column, one query per row.
        head = getattr(message, "error_head", None)
        return head if head is not None else message.last_error

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

    @admin.action(description="Resend selected messages…", permissions=["resend"])
    def resend_selected(self, request: HttpRequest, queryset) -> HttpResponse | None:
        """Ask for confirmation and a reason, then queue a resend of each selected message;
        the workers send them, not this request."""
        form = ResendForm(request.POST if "confirm" in request.POST else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Resend the selected messages?",
                "form": form,
                "count": queryset.count(),
                "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
                "select_across": request.POST.get("select_across", "0"),
            }
            return TemplateResponse(
                request, "admin/messaging/message/resend_selected.html", context
            )
        reason = form.cleaned_data["reason"]
        queued = skipped = erased = 0
        for message in queryset.select_related(None).only("pk", "event").order_by("pk"):
            try:
                resend = self._resend(request, message, reason)
            except outbox.CustomerErased:
                erased += 1
                continue
            if resend is None:
                skipped += 1
            else:
                queued += 1
        level = messages.SUCCESS if queued else messages.WARNING
        text = f"{queued} resend(s) queued."
        if skipped:
            text += f" {skipped} skipped (proofs, already resent, or resent minutes ago)."
        if erased:
            text += f" {erased} not resent: {ERASED}."
        self.message_user(request, text, level)
        return None

    def _resend(
        self, request: HttpRequest, message: Message, reason: str = "from admin"
    ) -> Message | None:
        resend = outbox.resend_message(
            message_id=message.pk, reason=reason, by=request.user.get_username()
        )
        if resend is not None:
            self.log_change(request, message, f"Resent as message #{resend.pk}: {reason}")
        return resend

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/resend/",
                view(require_http_methods(["GET", "POST"])(self.resend_view)),
                name="messaging_message_resend",
            ),
            path(
                "<int:pk>/as-sent/",
                view(require_GET(self.as_sent_view)),
                name="messaging_message_as_sent",
            ),
            path(
                "<int:pk>/as-sent/html/",
                view(require_GET(self.as_sent_html_view)),
                name="messaging_message_as_sent_html",
            ),
            path(
                "<int:pk>/as-sent/attachments/<int:position>/",
                view(require_GET(self.as_sent_attachment_view)),
                name="messaging_message_as_sent_attachment",
            ),
            *super().get_urls(),
        ]

    def resend_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Resend one message: GET asks for confirmation and a reason, POST queues it. 403
        without the dedicated permission."""
        if not self.has_resend_permission(request):
            raise PermissionDenied
        queryset = Message.objects.select_related("event")
        message = self.viewable_object(request, pk, queryset)
        form = ResendForm(request.POST if request.method == "POST" else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": message,
                "title": f"Resend {message}?",
                "form": form,
                "resendable": not message.is_proof and message.event_id is not None,
                "erased": message.event_id is not None and message.event.is_erased,
            }
            return TemplateResponse(request, "admin/messaging/message/resend.html", context)
        try:
            resend = self._resend(request, message, form.cleaned_data["reason"])
        except outbox.CustomerErased:
            self.message_user(request, f"Not resent: {ERASED}.", messages.WARNING)
            return HttpResponseRedirect(reverse("admin:messaging_message_change", args=[pk]))
        if resend is None:
            self.message_user(
                request,
                "Not resent: a proof, already resent, or itself a resend queued minutes ago.",
                messages.WARNING,
            )
            return HttpResponseRedirect(reverse("admin:messaging_message_change", args=[pk]))
        self.message_user(request, f"Resend queued as message #{resend.pk}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:messaging_message_change", args=[resend.pk]))

    # --- the email as sent ----------------------------------------------------------------------

    def has_as_sent_permission(self, request: HttpRequest) -> bool:
        """The email as sent shows the event's personal data: it needs both view rights."""
        user = request.user
        return user.has_perm("messaging.view_message") and user.has_perm("messaging.view_event")

    def _as_sent_message(self, request: HttpRequest, pk: int) -> Message:
        if not self.has_as_sent_permission(request):
            raise PermissionDenied
        queryset = Message.objects.select_related(
            "event__type", "template_revision", "layout_revision"
        )
        return self.viewable_object(request, pk, queryset)

    @staticmethod
    def _may_see_documents(request: HttpRequest) -> bool:
        return request.user.has_perm(settings.DOCUMENT_PASSWORD_REVEAL_PERMISSION)

    def as_sent_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Subject, text and HTML re-rendered from the message's pinned revisions against its
        event (the HTML in a sandboxed frame); its PDFs only for staff who may reveal
        document passwords."""
        message = self._as_sent_message(request, pk)
        rendered, error = None, None
        try:
            rendered = render_as_sent(message, context_and_token(message)[0])
        except StaffTemplateError as exc:
            error = str(exc)
        links = list(message.attachment_links.select_related("attachment_revision"))
        may_see_documents = self._may_see_documents(request)
        attachments = [
            {
                "name": str(link.attachment_revision),
                "url": reverse("admin:messaging_message_as_sent_attachment", args=[pk, position]),
            }
            for position, link in enumerate(links)
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": message,
            "title": f"{message} as sent",
            "rendered": rendered,
            "error": error,
            "html_url": reverse("admin:messaging_message_as_sent_html", args=[pk]),
            "attachments": attachments if may_see_documents else [],
            "hidden_attachments": 0 if may_see_documents else len(links),
        }
        response = TemplateResponse(request, "admin/messaging/message/as_sent.html", context)
        return no_store(response)

    def as_sent_html_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The HTML alone, for the sandboxed frame: it runs and fetches nothing."""
        message = self._as_sent_message(request, pk)
        try:
            rendered = render_as_sent(message, context_and_token(message)[0])
        except StaffTemplateError as exc:
            return text_error(str(exc))
        return no_store(sandboxed_html(rendered.html))

    @xframe_options_sameorigin  # framed by the as-sent page
    def as_sent_attachment_view(self, request: HttpRequest, pk: int, position: int) -> HttpResponse:
        """One PDF as the worker builds it (encrypted with the password its revision's policy
        gives), for staff who may reveal document passwords."""
        message = self._as_sent_message(request, pk)
        if not self._may_see_documents(request):
            raise PermissionDenied
        links = list(message.attachment_links.select_related("attachment_revision"))
        if position >= len(links):
            raise Http404("No such attachment.")
        revision = links[position].attachment_revision
        context, token = context_and_token(message, revision.template.language)
        try:
            attachment = build_pinned_attachment(revision, context, token)
        except (AttachmentError, StaffTemplateError) as exc:
            return text_error(str(exc))
        return file_response(
            request,
            content=attachment.content,
            filename=attachment.filename,
            mimetype=attachment.mimetype,
        )

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
        extra = {
            **(extra_context or {}),
            "can_resend": self.has_resend_permission(request),
            "can_view_as_sent": self.has_as_sent_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra)


def _is_email_address(term: str) -> bool:
    """A whole address (`@example.com` or `alice@exa` are parts: the substring search)."""
    try:
        validate_email(term)
    except ValidationError:
        return False
    return True

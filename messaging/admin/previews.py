"""The message template's preview and proof pages: the email as saved now, against a real
order or the sample, each PDF with the password it opens with, and a proof sent to staff.

The order, its context and every password come from the one preview system
(`attachments.api.find_source` / `preview_password`), the same one the attachment template
admin uses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from attachments.api import (
    AttachmentError,
    PreviewRefused,
    PreviewSource,
    find_source,
    preview_attachment,
    preview_pages,
    preview_password,
)
from stafftemplates.admin_pages import (
    ObjectPageMixin,
    UnsavedPreviewMixin,
    file_response,
    no_store,
    preview_notice,
    sandboxed_html,
    text_error,
    text_page,
)
from stafftemplates.errors import StaffTemplateError
from stafftemplates.languages import language_name
from stafftemplates.revision_admin import field_label

from .. import outbox, preview
from ..forms import PreviewForm, ProofForm
from ..models import Event, Layout, MessageTemplate
from ..rendering import RenderedMessage


def posted_copy(model, request: HttpRequest, fields) -> Any:
    """An unsaved instance holding the editor's posted text `fields` (LF line endings)."""
    obj = model(**{field: request.POST.get(field, "") for field in fields})
    obj.normalise_line_endings()
    return obj


def editor_preview_response(
    model, obj, *, part: str, render: Callable[[], RenderedMessage]
) -> HttpResponse:
    """The frame beside the editor: `obj`'s syntax errors with their lines, a render error, or
    the rendered HTML email (`part="html"`) or subject and text."""
    if errors := obj.compile_errors():
        return preview_notice(
            "Not previewed: fix these first",
            [f"{field_label(model, field)}: {message}" for field, message in errors.items()],
        )
    try:
        rendered = render()
    except StaffTemplateError as exc:
        return preview_notice("Not previewed", [str(exc)])
    if part == "text":
        return text_page("Text preview", f"Subject: {rendered.subject}\n\n{rendered.text}")
    if not rendered.html:
        return preview_notice("No HTML", ["This email has no HTML body: customers get the text."])
    return no_store(sandboxed_html(rendered.html))


# Where the preview page remembers the last proof address (this staff user's session only).
PROOF_EMAIL_KEY = "messaging.proof_email"


class TemplatePreviewMixin(UnsavedPreviewMixin, ObjectPageMixin):
    """For `MessageTemplateAdmin`: add `self.preview_urls()` to `get_urls()`."""

    def preview_urls(self) -> list[URLPattern]:
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
        ]

    def render_unsaved_preview(
        self, request: HttpRequest, obj: MessageTemplate, part: str
    ) -> HttpResponse:
        """The editor's subject and bodies, unsaved, inside the layout chosen in the form."""
        draft = posted_copy(MessageTemplate, request, MessageTemplate.TEMPLATE_FIELDS)
        layout_id = request.POST.get("layout", "")
        draft.layout = (
            Layout.objects.filter(pk=layout_id, active=True).first()
            if layout_id.isascii() and layout_id.isdigit()  # "²".isdigit() is True too
            else None
        )
        # In the language chosen in the form: the sample's amounts and dates are written in it.
        language = request.POST.get("language", "")
        if language not in dict(settings.LANGUAGES):
            language = getattr(obj, "language", None) or settings.LANGUAGE_CODE

        def render() -> RenderedMessage:
            with translation.override(language):
                return preview.render_editor_preview(template=draft, layout=draft.layout)

        return editor_preview_response(MessageTemplate, draft, part=part, render=render)

    def _viewable(self, request: HttpRequest, pk: int) -> MessageTemplate:
        return self.viewable_object(request, pk, MessageTemplate.objects.select_related("layout"))

    def _source(self, request: HttpRequest, template: MessageTemplate) -> PreviewSource:
        """The order named in the query string (or the sample); 404 for an unknown or malformed
        one, 403 for staff who may not view orders (the page itself turns those into form
        errors, the frames it embeds just fail)."""
        try:
            source = find_source(
                request.GET.get("order", "")[:40], user=request.user, event_type=template.event
            )
        except PreviewRefused as exc:
            raise (PermissionDenied if exc.forbidden else Http404)(str(exc)) from None
        if source is None:
            raise Http404("No such order.")
        return source

    def _password(self, request: HttpRequest, attachment_template, source: PreviewSource):
        return preview_password(
            attachment_template,
            source,
            user=request.user,
            session_key=request.session.session_key or "",
        )

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Subject, the HTML in a sandboxed frame, the text, each PDF and its password — in the
        template's language, with the other languages' templates a click away."""
        template = self._viewable(request, pk)
        # The order (or sample) is written in the template's language, as a customer's would be.
        with translation.override(template.language):
            return self._preview_page(request, template)

    def _preview_page(self, request: HttpRequest, template: MessageTemplate) -> HttpResponse:
        pk = template.pk
        form = PreviewForm(request.GET or None, user=request.user, event_type=template.event)
        source, rendered, error, attachments = None, None, None, []
        if not form.is_bound or form.is_valid():  # else the form shows its own error
            source = (
                form.source
                if form.is_bound
                else find_source("", user=request.user, event_type=template.event)
            )
            try:
                rendered = preview.render_preview(template, source)
            except StaffTemplateError as exc:
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
                initial={
                    # The address the last proof went to: staff proof again and again.
                    "email": request.session.get(PROOF_EMAIL_KEY) or request.user.email,
                    "order": source.number if source else "",
                },
                user=request.user,
            ),
            "proof_url": reverse("admin:messaging_messagetemplate_proof", args=[pk]),
            "can_send_proof": self.has_change_permission(request, template),
            "language": language_name(template.language),
            "languages": self._language_rows(template, query),
            "fallbacks": preview.preview_fallbacks(template),
        }
        response = TemplateResponse(
            request, "admin/messaging/messagetemplate/preview.html", context
        )
        return no_store(response)

    def _language_rows(self, template: MessageTemplate, query: str) -> list[dict]:
        """Each language: the template its customers get (linked to its preview, same order),
        or that it falls back to another language's."""
        rows = []
        for row in preview.language_rows(template.event):
            url = None
            if row.template is not None:
                preview_url = "admin:messaging_messagetemplate_preview"
                url = reverse(preview_url, args=[row.template.pk]) + query
            rows.append(
                {
                    "name": row.name,
                    "template": row.template,
                    "current": row.template is not None and row.template.pk == template.pk,
                    "falls_back_to": language_name(row.template.language)
                    if row.falls_back
                    else None,
                    "url": url,
                }
            )
        return rows

    def _attachment_rows(self, request, template, source: PreviewSource) -> list[dict]:
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
                    "pages_url": url + (query + "&" if query else "?") + "pages=1",
                    "password": self._password(request, attachment_template, source),
                }
            )
        return rows

    def preview_html_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The HTML email alone, for the sandboxed frame: it runs and fetches nothing."""
        template = self._viewable(request, pk)
        try:
            with translation.override(template.language):
                rendered = preview.render_preview(template, self._source(request, template))
        except StaffTemplateError as exc:
            return text_error(str(exc))
        return no_store(sandboxed_html(rendered.html))

    @xframe_options_sameorigin  # framed by our own preview page
    def preview_attachment_view(self, request: HttpRequest, pk: int, position: int) -> HttpResponse:
        """One encrypted PDF of the preview, as a download, inline, or (`?pages=1`) as page
        images for the preview page's frame."""
        template = self._viewable(request, pk)
        attachment_templates = preview.preview_attachments(template)
        if position >= len(attachment_templates):
            raise Http404("No such attachment.")
        attachment_template = attachment_templates[position]
        # The document's own language (a fallback PDF may differ from the email's).
        with translation.override(attachment_template.language):
            source = self._source(request, template)
            try:
                password = self._password(request, attachment_template, source)
                # Drawn in a child process the storefront outranks (attachments/isolation.py).
                if request.GET.get("pages"):
                    # Page images for the preview's frame: no password prompt, and the PDF
                    # itself never leaves the server unencrypted.
                    html = preview_pages(
                        attachment_template,
                        source.context,
                        password.password,
                        title=attachment_template.name,
                        staff=request.user.pk,
                    )
                    return no_store(sandboxed_html(html))
                attachment = preview_attachment(
                    attachment_template, source.context, password.password, staff=request.user.pk
                )
            except (AttachmentError, StaffTemplateError) as exc:
                return text_error(str(exc))
        return file_response(
            request,
            content=attachment.content,
            filename=attachment.filename,
            mimetype=attachment.mimetype,
        )

    def proof_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Queue a proof to the address staff typed; the worker sends it like any message."""
        template = self._viewable(request, pk)
        if not self.has_change_permission(request, template):
            raise PermissionDenied
        form = ProofForm(request.POST, user=request.user, event_type=template.event)
        preview_url = reverse("admin:messaging_messagetemplate_preview", args=[pk])
        if not form.is_valid():
            errors = "; ".join(e for field in form.errors.values() for e in field)
            self.message_user(request, f"No proof sent: {errors}", messages.ERROR)
            return HttpResponseRedirect(preview_url)
        source = form.cleaned_data["source"]
        # A real order's proof renders the data its event arrived with.
        event = (
            Event.objects.latest_for(reference=source.number, type=template.event_id)
            if source.number
            else None
        )
        try:
            proof = outbox.queue_proof(
                template=template,
                recipient=form.cleaned_data["email"],
                event=event,
                requested_by=request.user.get_username(),
                requester=request.user,
                draft=form.cleaned_data["version"] != "published",
            )
        except ValueError as exc:  # nothing published to proof, or over the proof limit
            self.message_user(request, f"No proof sent: {exc}", messages.ERROR)
            return HttpResponseRedirect(preview_url)
        request.session[PROOF_EMAIL_KEY] = proof.recipient
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

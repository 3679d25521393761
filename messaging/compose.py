"""Composing one message: its staff templates rendered, each PDF built and encrypted — all in
memory, outside any transaction, from the revisions pinned when it was queued."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import translation

from attachments.api import build_attachment, document_password, sample_source
from stafftemplates.errors import StaffTemplateError

from .models import Message, MessageEvent
from .rendering import RenderedMessage, render_message


def message_language(message: Message) -> str:
    """The language `message` renders in: the one chosen when it was queued (messages from
    before languages: the default language)."""
    return message.language or settings.LANGUAGE_CODE


def context_and_token(message: Message, language: str = "") -> tuple[dict[str, Any], str]:
    """The flat context a message renders against, and the token its generated passwords
    derive from: its event's data as it arrived and its event's token, or for a proof without
    an event the sample the previews show, written in `language` (the message's own by
    default; a PDF that fell back to another language gets its own)."""
    language = language or message_language(message)
    if message.event_id is None:
        with translation.override(language):
            sample = sample_source(message.template_revision.template.event)
        return dict(sample.context), sample.token
    return message.event.template_context(language=language), message.event.token


PROOF_PREFIX = "[Proof] "


@dataclass(frozen=True)
class ComposedEmail:
    """A message rendered and its attachments built: the email to send, and the history lines
    of those steps (unsaved: written with the attempt's outcome, one commit per attempt)."""

    email: EmailMultiAlternatives
    history: list[MessageEvent]


class ComposeFailed(Exception):
    """Composing stopped at a step: `error` is what that step raised (a `StaffTemplateError`
    or an `AttachmentError`, both permanent), `history` the lines of the steps that succeeded
    (the history shows how far the attempt got)."""

    def __init__(self, error: Exception, history: list[MessageEvent]):
        super().__init__(str(error))
        self.error = error
        self.history = history


def compose_email(*, message: Message) -> ComposedEmail:
    """Render the message and build its attachments, in memory, outside any transaction.

    Raises `ComposeFailed` with the step's error and the history lines written so far.
    """
    history: list[MessageEvent] = []
    try:
        email = _compose(message, history)
    except Exception as exc:
        raise ComposeFailed(exc, history) from exc
    return ComposedEmail(email=email, history=history)


def render_as_sent(message: Message, context: dict[str, Any]) -> RenderedMessage:
    """Subject, text and HTML of `message` from its pinned template and layout revisions (the
    worker's step, and the back office's *View the email as sent* page); proofs get their
    subject prefix."""
    revision = message.template_revision
    if revision is None:
        raise StaffTemplateError("No active message template for this event's type.")
    # Django's `date` and number filters inside the template write the message's language.
    with translation.override(message_language(message)):
        rendered = render_message(
            subject=revision.subject,
            text=revision.text_body,
            html=revision.html_body,
            context=context,
            layout=message.layout_revision,
        )
    if message.is_proof:
        # Staff tell a proof from a real customer email at a glance, in any mail client.
        rendered = replace(rendered, subject=f"{PROOF_PREFIX}{rendered.subject}")
    return rendered


def build_pinned_attachment(revision, context: dict[str, Any], token: str):
    """One of a message's PDFs, as the worker builds it: encrypted with the password its pinned
    revision's own policy gives (the one the customer was shown), whatever the template is now.

    Django's `date` and number filters in it write the document's own language."""
    password = document_password(revision, context=context, token=token)
    with translation.override(revision.template.language):
        return build_attachment(revision, context, password)


def _attachment_links(message: Message):
    """The message's pinned PDFs with their templates: loaded with the claim when a batch
    claimed it (one query for the whole batch), else one query now."""
    if "attachment_links" in getattr(message, "_prefetched_objects_cache", {}):
        return message.attachment_links.all()
    return message.attachment_links.select_related("attachment_revision__template")


def _compose(message: Message, history: list[MessageEvent]) -> EmailMultiAlternatives:
    """The email of `message`; appends a line to `history` as each step succeeds."""
    context, token = context_and_token(message)
    rendered = render_as_sent(message, context)
    revision = message.template_revision
    history.append(
        MessageEvent(
            message=message,
            kind=MessageEvent.Kind.RENDERED,
            attempt=message.attempts,
            detail=f"Template revision {revision.number}.",
        )
    )
    email = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=revision.from_email or settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        reply_to=[revision.reply_to] if revision.reply_to else None,
    )
    if rendered.html:
        email.attach_alternative(rendered.html, "text/html")
    contexts = {message_language(message): context}
    for link in _attachment_links(message):
        revision = link.attachment_revision
        language = revision.template.language
        if language not in contexts:  # a PDF in another language than the email
            contexts[language] = context_and_token(message, language)[0]
        started = time.perf_counter()
        attachment = build_pinned_attachment(revision, contexts[language], token)
        # For /metrics' PDF build histogram: render, draw, encrypt and prove, as a worker does.
        built_in = time.perf_counter() - started
        email.attach(attachment.filename, attachment.content, attachment.mimetype)
        history.append(
            MessageEvent(
                message=message,
                kind=MessageEvent.Kind.ATTACHMENT_BUILT,
                attempt=message.attempts,
                detail=attachment.filename,
                size=len(attachment.content),
                duration=built_in,
            )
        )
    # Anymail reads these attributes from any EmailMessage; the id lets tracking find the row
    # even before our own write of the ESP's message id.
    email.metadata = {"message_id": str(message.pk)}
    if message.is_proof:
        email.metadata["proof"] = "true"
    # One tag: Postmark (and others) accept no more, and refuse the whole email otherwise.
    email.tags = [message.template_revision.template.event_id]
    return email

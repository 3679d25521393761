"""Which revisions a message is rendered from: the published ones for customers, the newest
(drafts included) for a proof staff want to check before publishing.

A message pins its template revision, that revision's layout and its attachments, all of the
same kind (published or newest), so a draft never reaches a customer and a proof of a draft
shows the draft throughout. Something a customer message needs that was never published is a
`problem` (a phrase naming it): the outbox fails the message with it, for staff to publish
and resend.

The layout and each PDF are the versions in the message's language (`messaging.languages`):
the layout in the email's own, each PDF in the customer's, else the default language's;
`fallbacks` are the history lines saying where one was missing, and which PDF was left out
(deleted, or switched off in every language): the email still goes, never silently without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .languages import document_version, layout_for
from .models import (
    LayoutRevision,
    MessageTemplate,
    MessageTemplateAttachment,
    MessageTemplateRevision,
)
from .shared_choices import memoized


@dataclass(frozen=True)
class PinnedRevisions:
    template_revision: MessageTemplateRevision | None
    layout_revision: LayoutRevision | None = None
    attachment_revisions: list = field(default_factory=list)
    problem: str = ""
    fallbacks: list[str] = field(default_factory=list)


def pinned_revisions(
    template: MessageTemplate, *, draft: bool, language: str = ""
) -> PinnedRevisions:
    """The revisions a message of `template` renders from: the newest with `draft`, else the
    published ones; `problem` says what was never published. The PDFs are in `language` (the
    customer's; by default the template's) where a version exists. Shared by the events of one
    batch (`messaging.shared_choices`)."""
    language = language or template.language
    key = ("pinned_revisions", template.pk, template.published_revision_id, draft, language)
    return memoized(key, lambda: _pinned_revisions(template, draft=draft, language=language))


def _pinned_revisions(template: MessageTemplate, *, draft: bool, language: str) -> PinnedRevisions:
    fallbacks: list[str] = []
    revision = template.revision_for(draft=draft)
    if revision is None:
        return PinnedRevisions(
            None,
            problem=f"the message template “{template}” has never been published",
        )
    problems = []
    layout_revision = None
    # One email, one language: the layout in the email's.
    layout, notes = layout_for(revision.layout, template.language, published=not draft)
    fallbacks += notes
    if layout is not None:
        layout_revision = layout.revision_for(draft=draft)
        if layout_revision is None:
            problems.append(f"its layout “{layout}” has never been published")
    # The model through the link (messaging reaches attachments only through attachments.api).
    documents_model = MessageTemplateAttachment._meta.get_field("attachment_template").related_model
    documents = documents_model.objects.in_bulk(revision.attachment_template_ids)
    attachment_revisions = []
    for pk in revision.attachment_template_ids:
        linked = documents.get(pk)
        if linked is None:
            # Deleted since: sent without it, and the history says so (the customer was told
            # a PDF comes; staff must be able to see why it did not).
            fallbacks.append(f"A PDF of this email (#{pk}) not attached: it was deleted.")
            continue
        document, notes = document_version(linked, language, published=not draft)
        if document is None:
            fallbacks.append(
                f"PDF “{linked.name}” not attached: no version of it is active in any language."
            )
            continue
        fallbacks += notes
        if (document_revision := document.revision_for(draft=draft)) is None:
            problems.append(f"its attachment “{document}” has never been published")
        else:
            attachment_revisions.append(document_revision)
    problem = ""
    if problems:
        problem = f"{'; '.join(problems)} (message template “{template}”)"
    return PinnedRevisions(revision, layout_revision, attachment_revisions, problem, fallbacks)

"""Which language version of each staff template a message is rendered from.

Every message template, layout and attachment template exists once per language (the versions
of one layout or document share its name). A message for an order in Swedish gets the Swedish
email inside the Swedish layout with the Swedish PDF; a version that does not exist (or is
inactive) falls back to the default language's, then to any other (`stafftemplates.languages`),
and each fallback is a line in the message's history — never a failure, never an empty email.

Chosen once, when the message is queued (`outbox` picks the email, `pinning` its layout and
PDFs): the revisions are pinned there, so a retry, the *as sent* page and the worker all render
what was chosen then. The preview pages show the same choice for the template staff open.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stafftemplates.languages import language_name, pick_version

from .models import Layout, MessageTemplate


@dataclass(frozen=True)
class TemplateChoice:
    """The versions one message renders from, and why any is not in the wanted language."""

    template: MessageTemplate | None
    layout: Layout | None
    attachments: list = field(default_factory=list)  # attachment templates, in order
    fallbacks: list[str] = field(default_factory=list)  # history lines

    @property
    def language(self) -> str:
        """The language the email is written in: its template's ("" without a template)."""
        return self.template.language if self.template else ""


def fallback_note(what: str, used: str, wanted: str, *, unpublished: bool = False) -> str:
    """The history line of a fallback: "PDF “Receipt” rendered in English: no Swedish version.",
    or, when the wanted version exists but is still a draft, "…: the Swedish version is not
    published." (staff looking for a missing translation would find one and be misled)."""
    used_name, wanted_name = language_name(used), language_name(wanted)
    if unpublished:
        return f"{what} rendered in {used_name}: the {wanted_name} version is not published."
    return f"{what} rendered in {used_name}: no {wanted_name} version."


def _unpublished_in(versions, language: str, *, published: bool) -> bool:
    """Whether an active version in `language` exists but was left out for being a draft."""
    return published and any(
        v.language == language and not v.published_revision_id for v in versions
    )


def template_for(*, event: str, language: str) -> tuple[MessageTemplate | None, list[str]]:
    """The active email of `event` a customer ordering in `language` gets, and the history line
    when it is another language's. A published version is preferred (a translation still in
    draft counts as missing); with none published, any active one (the outbox then fails the
    message for want of a published revision, as it always did)."""
    active = list(MessageTemplate.objects.active().filter(event=event))
    template = pick_version(_candidates(active, published=True), language)
    if template is None or template.language == language:
        return template, []
    unpublished = _unpublished_in(active, language, published=True)
    note = fallback_note(
        f"Email “{template.name}”", template.language, language, unpublished=unpublished
    )
    return template, [note]


def _candidates(versions, *, published: bool) -> list:
    """For a customer (`published`), the versions that have a published revision, if any:
    a translation still in draft counts as missing."""
    versions = list(versions)
    if not published:
        return versions
    return [v for v in versions if v.published_revision_id] or versions


def layout_version(
    layout: Layout, language: str, *, published: bool = False
) -> tuple[Layout, list[str]]:
    """The version of `layout` (same name, active) in `language`, or its fallback."""
    versions = list(layout.active_versions())
    version = pick_version(_candidates(versions, published=published), language) or layout
    if version.language == language:
        return version, []
    unpublished = _unpublished_in(versions, language, published=published)
    note = fallback_note(
        f"Layout “{version.name}”", version.language, language, unpublished=unpublished
    )
    return version, [note]


def layout_for(
    linked: Layout | None, language: str, *, published: bool = False
) -> tuple[Layout | None, list[str]]:
    """The layout an email linked to `linked` renders inside: its version in `language`, else
    another language's (with the history line). None when there is no layout, or when it is
    switched off in every language (the email then renders alone, as an inactive layout
    always did); switching off one translation is a missing translation, not "no layout"."""
    if linked is None or not (linked.active or linked.active_versions().exists()):
        return None, []
    return layout_version(linked, language, published=published)


def document_version(
    document, language: str, *, published: bool = False
) -> tuple[object | None, list[str]]:
    """The version of an attachment template (same name, active) in `language`, or its
    fallback; None when no version of it is active."""
    versions = list(document.active_versions())
    version = pick_version(_candidates(versions, published=published), language)
    if version is None or version.language == language:
        return version, []
    unpublished = _unpublished_in(versions, language, published=published)
    note = fallback_note(
        f"PDF “{version.name}”", version.language, language, unpublished=unpublished
    )
    return version, [note]


def versions_for(template: MessageTemplate) -> TemplateChoice:
    """`template` as saved now with the layout and attachment versions in its language (the
    preview pages: what a message of it would carry)."""
    fallbacks: list[str] = []
    layout, notes = layout_for(template.layout, template.language)
    fallbacks += notes
    attachments = []
    for linked in template.ordered_attachment_templates():
        document, notes = document_version(linked, template.language)
        if document is not None:  # no active version at all: the email goes without it
            attachments.append(document)
            fallbacks += notes
    return TemplateChoice(
        template=template, layout=layout, attachments=attachments, fallbacks=fallbacks
    )

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
from .shared_choices import memoized


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


def _choose(versions, language: str, *, kind: str, published: bool) -> tuple[object | None, list]:
    """The version in `language` among `versions` (active versions of one template), or the
    fallback with its history line; None when there is none at all. For a customer
    (`published`) a version that has a published revision is preferred: a translation still
    in draft counts as missing."""
    versions = list(versions)
    candidates = [v for v in versions if v.published_revision_id] if published else []
    version = pick_version(candidates or versions, language)
    if version is None or version.language == language:
        return version, []
    unpublished = published and any(
        v.language == language and not v.published_revision_id for v in versions
    )
    note = fallback_note(
        f"{kind} “{version.name}”", version.language, language, unpublished=unpublished
    )
    return version, [note]


def template_for(*, event: str, language: str) -> tuple[MessageTemplate | None, list[str]]:
    """The active email of `event` a customer ordering in `language` gets, and the history line
    when it is another language's. With no version published, any active one (the outbox then
    fails the message for want of a published revision, as it always did)."""

    def choose():
        active = MessageTemplate.objects.active().filter(event=event)
        return _choose(active, language, kind="Email", published=True)

    return memoized(("template_for", event, language), choose)


def layout_for(
    linked: Layout | None, language: str, *, published: bool = False
) -> tuple[Layout | None, list[str]]:
    """The layout an email linked to `linked` renders inside: its version in `language`, else
    another language's (with the history line). None when there is no layout, or when it is
    switched off in every language (the email then renders alone, as an inactive layout
    always did); switching off one translation is a missing translation, not "no layout"."""
    if linked is None:
        return None, []
    return _choose(linked.active_versions(), language, kind="Layout", published=published)


def document_version(
    document, language: str, *, published: bool = False
) -> tuple[object | None, list[str]]:
    """The version of an attachment template (same name, active) in `language`, or its
    fallback; None when no version of it is active."""
    versions = document.active_versions()
    return _choose(versions, language, kind="PDF", published=published)


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

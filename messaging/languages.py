"""Which language version of each staff template a message is rendered from.

Every message template, layout and attachment template exists once per language (the versions
of one layout or document share its name). A message for an order in Swedish gets the Swedish
email inside the Swedish layout with the Swedish PDF; a version that does not exist (or is
inactive) falls back to the default language's, then to any other (`stafftemplates.languages`),
and each fallback is a line in the message's history — never a failure, never an empty email.

Chosen once, when the message is queued (`outbox`): the revisions are pinned there, so a retry,
the *as sent* page and the worker all render what was chosen then. The preview pages show the
same choice for the language staff pick.
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


def _fallback_note(what: str, used: str, wanted: str) -> str:
    return f"{what} rendered in {language_name(used)}: no {language_name(wanted)} version."


def templates_for(*, event: str, language: str) -> TemplateChoice:
    """The active email of `event` in `language` (or its fallback), with its layout and PDFs."""
    template = pick_version(MessageTemplate.objects.active().filter(event=event), language)
    if template is None:
        return TemplateChoice(template=None, layout=None)
    fallbacks = []
    if template.language != language:
        fallbacks.append(_fallback_note(f"Email “{template.name}”", template.language, language))
    return versions_for(template, wanted=language, fallbacks=fallbacks)


def versions_for(
    template: MessageTemplate, *, wanted: str | None = None, fallbacks: list[str] | None = None
) -> TemplateChoice:
    """`template` with the layout and attachment versions its messages use.

    The layout follows the email's own language (one email, one language); each PDF follows
    `wanted`, the customer's language (by default the template's), so a Swedish customer whose
    email fell back to English still gets the Swedish PDF when there is one.
    """
    wanted = wanted or template.language
    fallbacks = list(fallbacks or [])
    layout = None
    if linked := template.applied_layout():
        layout = pick_version(linked.active_versions(), template.language) or linked
        if layout.language != template.language:
            fallbacks.append(
                _fallback_note(f"Layout “{layout.name}”", layout.language, template.language)
            )
    attachments = []
    for linked in template.ordered_attachment_templates():
        document = pick_version(linked.active_versions(), wanted)
        if document is None:
            continue  # no active version at all: the email goes without it, as before
        if document.language != wanted:
            fallbacks.append(_fallback_note(f"PDF “{document.name}”", document.language, wanted))
        attachments.append(document)
    return TemplateChoice(
        template=template, layout=layout, attachments=attachments, fallbacks=fallbacks
    )

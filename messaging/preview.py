"""What the message template admin previews: a template as saved now, against a real order or
the sample, through the one preview system of `attachments.api` (`find_source`,
`preview_password`).

Only staff requests render here (the preview pages). Customers' messages never do: the worker
renders them from the revisions pinned at queue time (`compose.compose_email`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from attachments.api import PreviewSource, sample_source
from stafftemplates.languages import pick_version

from .languages import versions_for
from .models import MessageTemplate
from .rendering import LayoutParts, RenderedMessage, render_message


def render_preview(template: MessageTemplate, source: PreviewSource) -> RenderedMessage:
    """Render the template as saved now, inside the layout version it uses, like the worker
    will (call it with the template's language active, as the preview pages do)."""
    return render_message(
        subject=template.subject,
        text=template.text_body,
        html=template.html_body,
        context=source.context,
        layout=versions_for(template).layout,
    )


def render_editor_preview(
    *, template: MessageTemplate, layout: LayoutParts | None = None
) -> RenderedMessage:
    """Render what is in an editor, unsaved, against the sample order: `template` is an
    unsaved copy holding the form's subject and bodies; `layout` the one it renders inside
    (an unsaved copy too when the layout is what is being edited)."""
    return render_message(
        subject=template.subject,
        text=template.text_body,
        html=template.html_body,
        context=sample_source(template.event if template.event_id else None).context,
        layout=layout,
    )


def preview_attachments(template: MessageTemplate) -> list:
    """The attachment template versions a message of `template` carries now, in order."""
    return versions_for(template).attachments


def preview_fallbacks(template: MessageTemplate) -> list[str]:
    """The layout and PDFs of `template` that are not in its language (the history lines a
    message of it would get)."""
    return versions_for(template).fallbacks


@dataclass(frozen=True)
class LanguageRow:
    """What a customer ordering in one language gets for an event: its own template, or
    another language's."""

    code: str
    name: str
    template: MessageTemplate | None

    @property
    def falls_back(self) -> bool:
        return self.template is not None and self.template.language != self.code


def language_rows(event: str) -> list[LanguageRow]:
    """For each of the shop's languages, the active template of `event` its customers get."""
    active = list(MessageTemplate.objects.active().filter(event=event))
    return [
        LanguageRow(code, name, pick_version(active, code)) for code, name in settings.LANGUAGES
    ]

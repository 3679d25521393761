"""What the message template admin previews: a template as saved now, against a real order or
the sample, through the one preview system of `attachments.api` (`find_source`,
`preview_password`).

Only staff requests render here (the preview pages). Customers' messages never do: the worker
renders them from the revisions pinned at queue time (`compose.compose_email`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from attachments.api import PreviewSource, sample_source
from stafftemplates.languages import pick_version

from .languages import versions_for
from .models import MessageTemplate
from .rendering import RenderedMessage, render_message


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


def context_variables(value: Any = None, prefix: str = "") -> Iterator[str]:
    """The dotted names templates can use (`order.number`, `lines[].product`…), from the sample.

    Derived from the sample order rather than written down, so the list beside the editor
    cannot drift from what the context builder really provides.
    """
    if value is None and not prefix:
        value = sample_source().context
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from context_variables(item, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, list | tuple):
        if value:
            yield from context_variables(value[0], f"{prefix}[]")
        else:
            yield f"{prefix}[]"
    else:
        yield prefix

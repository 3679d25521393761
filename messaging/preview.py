"""What the message template admin previews: a template as saved now, against a real order or
the sample, through the one preview system of `attachments.api` (`find_source`,
`preview_password`).

Only staff requests render here (the preview pages). Customers' messages never do: the worker
renders them from the revisions pinned at queue time (`compose.compose_email`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from attachments.api import PreviewSource, sample_source

from .models import MessageTemplate
from .rendering import RenderedMessage, render_message


def render_preview(template: MessageTemplate, source: PreviewSource) -> RenderedMessage:
    """Render the template as saved now, inside its layout, like the worker will."""
    return render_message(
        subject=template.subject,
        text=template.text_body,
        html=template.html_body,
        context=source.context,
        layout=template.applied_layout(),
    )


def preview_attachments(template: MessageTemplate) -> list:
    """The attachment templates a message of `template` carries now, in order."""
    return [a for a in template.ordered_attachment_templates() if a.active]


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

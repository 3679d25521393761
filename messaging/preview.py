"""What the message template admin previews: a template as saved now, against a real order or
the sample, through the one preview system of `attachments.api` (`find_source`,
`preview_password`).

Only staff requests render here (the preview pages). Customers' messages never do: the worker
renders them from the revisions pinned at queue time (`compose.compose_email`).
"""

from __future__ import annotations

from attachments.api import PreviewSource, sample_source

from .models import MessageTemplate
from .rendering import LayoutParts, RenderedMessage, render_message


def render_preview(template: MessageTemplate, source: PreviewSource) -> RenderedMessage:
    """Render the template as saved now, inside its layout, like the worker will."""
    return render_message(
        subject=template.subject,
        text=template.text_body,
        html=template.html_body,
        context=source.context,
        layout=template.applied_layout(),
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
        context=sample_source().context,
        layout=layout,
    )


def preview_attachments(template: MessageTemplate) -> list:
    """The attachment templates a message of `template` carries now, in order."""
    return [a for a in template.ordered_attachment_templates() if a.active]

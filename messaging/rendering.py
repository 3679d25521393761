"""Rendering staff-written message templates against a flat context.

Staff edit subjects, bodies and layouts in admin, so they go through the same dedicated engine
as attachment templates (`attachments.engine`): no loaders, only loops, conditions and filters,
and a context of plain values only (see DESIGN.md, "Templates staff can edit"). HTML bodies
autoescape; subjects and text bodies do not, since they are not HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils.html import escape

from attachments.engine import (
    AttachmentError,
    ensure_plain,
    render_template,
    syntax_error_message,
    validate_template_syntax,
)

# One engine for every staff-written template, emails and documents alike: the attachments app
# owns it (messaging depends on attachments, never the reverse). These names are re-exported
# for messaging's models and migrations.
from attachments.template_urls import remote_url_problems

__all__ = [
    "MessageTemplateError",
    "RenderedMessage",
    "render_message",
    "syntax_error_message",
    "validate_template_syntax",
]


class MessageTemplateError(Exception):
    """A staff message template does not compile or does not render: a permanent failure."""


def render_source(source: str, context: Mapping[str, Any], *, autoescape: bool, label: str) -> str:
    """Render one staff template; every failure becomes `MessageTemplateError` naming the field."""
    try:
        return render_template(source, context, label=label, autoescape=autoescape)
    except AttachmentError as exc:
        raise MessageTemplateError(str(exc)) from exc


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


class LayoutParts(Protocol):
    """What rendering needs of a layout (a `Layout` or one of its revisions)."""

    name: str
    html_header: str
    html_footer: str
    css: str
    text_header: str
    text_footer: str


# The email document a layout produces. The stylesheet goes in <head> (clients that keep
# <style> apply it; the rest still get readable HTML); it was refused on save if it could
# close the <style> element.
EMAIL_DOCUMENT = (
    "<!DOCTYPE html>\n"
    '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    "<title>{title}</title>\n<style>\n{css}\n</style>\n</head>\n"
    "<body>\n{header}\n{body}\n{footer}\n</body>\n</html>\n"
)


def render_message(
    *,
    subject: str,
    text: str,
    html: str,
    context: Mapping[str, Any],
    layout: LayoutParts | None = None,
) -> RenderedMessage:
    """Render a message's three parts against a flat context, inside `layout` if given.

    The subject is collapsed onto one line: a newline in a header is at best ugly and at
    worst rejected by the ESP. Layout parts render against the same context as the body, each
    on its own (so a syntax error names its own field, never a neighbour's).
    """
    try:
        ensure_plain(context)
    except AttachmentError as exc:
        raise MessageTemplateError(str(exc)) from exc
    rendered_subject = " ".join(
        render_source(subject, context, autoescape=False, label="subject").split()
    )
    rendered_text = render_source(text, context, autoescape=False, label="text body")
    rendered_html = render_source(html, context, autoescape=True, label="HTML body") if html else ""
    if layout is not None:
        # Errors name the layout: one layout frames many templates.
        where = f"layout “{layout.name}”"
        parts = [
            render_source(
                layout.text_header, context, autoescape=False, label=f"{where} text header"
            ),
            rendered_text,
            render_source(
                layout.text_footer, context, autoescape=False, label=f"{where} text footer"
            ),
        ]
        # Joined by a blank line: form fields strip the newlines staff typed around the parts.
        rendered_text = "\n\n".join(p.strip("\r\n") for p in parts if p.strip()) + "\n"
        if rendered_html:
            rendered_html = EMAIL_DOCUMENT.format(
                title=escape(rendered_subject),
                css=layout.css,
                header=render_source(
                    layout.html_header, context, autoescape=True, label=f"{where} HTML header"
                ),
                body=rendered_html,
                footer=render_source(
                    layout.html_footer, context, autoescape=True, label=f"{where} HTML footer"
                ),
            )
    # Saving refused remote addresses outside the allow-list; this catches any a template
    # computes (or one saved before the check existed) before a mail client fetches it.
    if rendered_html and (
        problems := remote_url_problems(
            rendered_html, allowed_hosts=settings.EMAIL_ALLOWED_URL_HOSTS
        )
    ):
        raise MessageTemplateError("The HTML email was refused: " + "; ".join(problems[:3]))
    return RenderedMessage(subject=rendered_subject, text=rendered_text, html=rendered_html)

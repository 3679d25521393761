"""Rendering staff-written message templates against a flat context.

Staff edit subjects, bodies and layouts in admin, so they go through the same dedicated engine
as documents (`stafftemplates.engine`): no loaders, only loops, conditions and filters, and a
context of plain values only (docs/developers/architecture.md, "Staff templates"). HTML bodies
autoescape; subjects and text bodies do not, since they are not HTML. Every failure is a
`StaffTemplateError` naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils.html import escape

from stafftemplates.engine import ensure_plain, render_template
from stafftemplates.errors import TemplateRefused
from stafftemplates.template_urls import remote_url_problems

__all__ = ["RenderedMessage", "render_message"]


def render_source(source: str, context: Mapping[str, Any], *, autoescape: bool, label: str) -> str:
    """Render one staff template; a failure is a `StaffTemplateError` naming the field."""
    return render_template(source, context, label=label, autoescape=autoescape)


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
    ensure_plain(context)
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
        raise TemplateRefused("The HTML email was refused: " + "; ".join(problems[:3]))
    return RenderedMessage(subject=rendered_subject, text=rendered_text, html=rendered_html)

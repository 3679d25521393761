"""Rendering staff-written message templates against a flat context.

Staff edit subjects and bodies in admin, so they are compiled by a dedicated `Engine`: no
loaders (nothing can be included from disk), no app template libraries, and a context of plain
values only (see DESIGN.md, "Templates staff can edit"). HTML bodies autoescape; subjects and
text bodies do not, since they are not HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.utils.html import escape


class MessageTemplateError(Exception):
    """A staff message template does not compile or does not render: a permanent failure."""


def _engine(*, autoescape: bool, debug: bool) -> Engine:
    return Engine(
        dirs=[],
        app_dirs=False,
        loaders=[],
        libraries={},
        autoescape=autoescape,
        debug=debug,
        string_if_invalid="",
    )


_ENGINES = {
    # (autoescape, debug): the rendering engines skip debug (faster); validation keeps lines.
    (True, False): _engine(autoescape=True, debug=False),
    (False, False): _engine(autoescape=False, debug=False),
}
_VALIDATION_ENGINE = _engine(autoescape=True, debug=True)

PLAIN_SCALARS = (str, int, float, bool, Decimal, date, datetime, time, type(None))


def ensure_plain(value: Any, *, path: str = "context") -> None:
    """Refuse anything but dicts, lists and plain scalars, so no model instance reaches staff.

    Django's template language calls zero-argument methods and walks attributes; only a flat
    context keeps `{{ order.customer.user.password }}` from rendering a hash.
    """
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise MessageTemplateError(f"{path} has a non-string key.")
            ensure_plain(item, path=f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            ensure_plain(item, path=f"{path}[{index}]")
    elif not isinstance(value, PLAIN_SCALARS):
        raise MessageTemplateError(f"{path} is a {type(value).__name__}, not a plain value.")


@lru_cache(maxsize=256)
def compile_template(source: str, *, autoescape: bool) -> Template:
    """Compile once per process per text: revisions are immutable, so the text is the key."""
    try:
        return _ENGINES[(autoescape, False)].from_string(source)
    except TemplateSyntaxError as exc:
        raise MessageTemplateError(syntax_error_message(source) or str(exc)) from exc


def syntax_error_message(source: str) -> str | None:
    """The syntax error of `source` with its line number, or None when it compiles."""
    try:
        _VALIDATION_ENGINE.from_string(source)
    except TemplateSyntaxError as exc:
        info = getattr(exc, "template_debug", None) or {}
        line = info.get("line")
        return f"Line {line}: {exc}" if line else str(exc)
    return None


def validate_template_syntax(source: str) -> None:
    """Model/form field validator: a `ValidationError` naming the line of a syntax error."""
    message = syntax_error_message(source)
    if message:
        raise ValidationError(message, code="template_syntax")


def render_source(source: str, context: Mapping[str, Any], *, autoescape: bool, label: str) -> str:
    """Render one staff template; every failure becomes `MessageTemplateError` naming the field."""
    template = compile_template(source, autoescape=autoescape)
    try:
        return template.render(Context(dict(context), autoescape=autoescape))
    except Exception as exc:
        # A filter can raise on odd input (e.g. `floatformat` on text): say which field failed,
        # by class only, since the message may quote context values.
        raise MessageTemplateError(f"The {label} failed to render ({type(exc).__name__}).") from exc


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


class LayoutParts(Protocol):
    """What rendering needs of a layout (a `Layout` or one of its revisions)."""

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
        parts = [
            render_source(
                layout.text_header, context, autoescape=False, label="layout text header"
            ),
            rendered_text,
            render_source(
                layout.text_footer, context, autoescape=False, label="layout text footer"
            ),
        ]
        # Joined by a blank line: form fields strip the newlines staff typed around the parts.
        rendered_text = "\n\n".join(p.strip("\r\n") for p in parts if p.strip()) + "\n"
        if rendered_html:
            rendered_html = EMAIL_DOCUMENT.format(
                title=escape(rendered_subject),
                css=layout.css,
                header=render_source(
                    layout.html_header, context, autoescape=True, label="layout HTML header"
                ),
                body=rendered_html,
                footer=render_source(
                    layout.html_footer, context, autoescape=True, label="layout HTML footer"
                ),
            )
    return RenderedMessage(subject=rendered_subject, text=rendered_text, html=rendered_html)

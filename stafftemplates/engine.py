"""The template engine for every staff-written template: email subjects, bodies and layouts,
document bodies, file names and password expressions.

A dedicated `Engine` (no loaders, no app libraries, autoescape on, a minimal set of tags) so a
template can only format the flat context it is given: see docs/developers/architecture.md, "Staff
templates". Every failure is a `StaffTemplateError` naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.template import Engine, Template, TemplateSyntaxError

from .errors import StaffTemplateError
from .limits import BudgetContext, bound_template, render_budget

__all__ = [
    "compile_template",
    "ensure_plain",
    "render_template",
    "syntax_error_message",
]

BUILTINS = ["stafftemplates.library"]


class StaffTemplateEngine(Engine):
    """An engine whose builtins are only ours: `Engine` always prepends Django's full set."""

    default_builtins = []


def _engine(*, debug: bool) -> Engine:
    # `dirs=[]`, `app_dirs=False` and no loaders: `{% include %}`/`{% extends %}` are not even
    # registered, and this makes sure nothing could be loaded from disk if they were.
    return StaffTemplateEngine(
        dirs=[],
        app_dirs=False,
        loaders=[],
        libraries={},
        builtins=BUILTINS,
        autoescape=True,
        debug=debug,
        string_if_invalid="",
    )


# The rendering engine runs without debug (faster); the validating one keeps line numbers.
render_engine = _engine(debug=False)
validation_engine = _engine(debug=True)

PLAIN_SCALARS = (str, int, float, bool, Decimal, date, datetime, time, type(None))


def ensure_plain(value: Any, *, path: str = "context") -> None:
    """Refuse anything but dicts, lists and plain scalars, so no model instance reaches a template.

    Django's template language calls zero-argument methods and walks attributes; a flat
    context is what keeps `{{ order.customer.user.password }}` from rendering a hash.
    """
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise StaffTemplateError(f"{path} has a non-string key {key!r}.")
            ensure_plain(item, path=f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            ensure_plain(item, path=f"{path}[{index}]")
    elif not isinstance(value, PLAIN_SCALARS):
        raise StaffTemplateError(
            f"{path} is a {type(value).__name__}: templates only get plain values."
        )


@lru_cache(maxsize=128)
def compile_template(source: str) -> Template:
    """Compile once per process per source text (revisions are immutable, so text is a key).

    The result is instrumented to spend a render budget (`limits`) at every node.
    """
    try:
        return bound_template(render_engine.from_string(source))
    except TemplateSyntaxError as exc:
        raise StaffTemplateError(syntax_error_message(source) or str(exc)) from exc


def render_template(
    source: str, context: Mapping[str, Any], *, label: str = "template", autoescape: bool = True
) -> str:
    """Render `source` against a plain context; any failure becomes `StaffTemplateError`.

    `autoescape=False` is for text that is not HTML (a file name, a password): escaping would
    turn “O'Brien” into “O&#x27;Brien”.

    Every render is bounded in time and output size (`limits`): over either bound it raises
    `TemplateLimitExceeded` naming `label`.
    """
    template = compile_template(source)
    try:
        with render_budget(label):
            return template.render(BudgetContext(dict(context), autoescape=autoescape))
    except StaffTemplateError:
        raise
    except Exception as exc:
        # A filter can raise on odd input (e.g. `floatformat` on text); say which field failed.
        raise StaffTemplateError(f"The {label} failed to render: {exc}") from exc


# How much of a long line a syntax error quotes: enough to find the spot in the editor.
QUOTE_CHARS = 80


def syntax_error_message(source: str) -> str | None:
    """The syntax error of `source`, or None when it compiles: "Line 2: Unclosed tag: 'if'. …
    The line: “<p>{% if customer.first_name %}</p>”" — the line number once (Django's message
    repeats it), and the line quoted, around the offending tag when it is long."""
    try:
        validation_engine.from_string(source)
    except TemplateSyntaxError as exc:
        info = getattr(exc, "template_debug", None) or {}
        line = info.get("line")
        if not line:
            return str(exc)
        message = re.sub(r" on line \d+", "", str(exc)).rstrip()
        if not message.endswith((".", "?", "!")):
            message += "."
        text = source.splitlines()[line - 1] if line <= len(source.splitlines()) else ""
        quoted = _quote(text.strip(), info.get("during", ""))
        return (
            f"Line {line}: {message} The line: “{quoted}”" if quoted else f"Line {line}: {message}"
        )
    return None


def _quote(text: str, token: str) -> str:
    """`text`, or the part of it around `token` when it is longer than QUOTE_CHARS."""
    if len(text) <= QUOTE_CHARS:
        return text
    at = max(text.find(token), 0) if token else 0
    start = max(0, min(at - (QUOTE_CHARS - len(token)) // 2, len(text) - QUOTE_CHARS))
    end = start + QUOTE_CHARS
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")

"""The only tags and filters a staff-written template (email or document) may use.

Django's full builtins include tags that reach outside the context (`{% load %}`,
`{% include %}`, `{% extends %}`, `{% url %}`, `{% debug %}`, `{% csrf_token %}`). Staff templates
render a flat dict of plain values into a document; they need loops, conditions and formatting,
nothing that touches the project. This library copies that subset from Django's own.

Every filter is wrapped to spend the render budget (`limits`): its result counts against the
time limit and may not exceed the output cap. The filters that take a width allocate it before
anyone could check the result, so they refuse a width over `limits.MAX_WIDTH` first.
"""

import functools
import re
from decimal import Decimal, InvalidOperation

from django.template import Library, defaultfilters, defaulttags

from .limits import MAX_WIDTH, check_text_input, check_width, current_budget

register = Library()

ALLOWED_TAGS = (
    "autoescape",
    "comment",
    "cycle",
    "filter",
    "firstof",
    "for",
    "if",
    "ifchanged",
    "now",
    "regroup",
    "spaceless",
    "templatetag",
    "verbatim",
    "widthratio",
    "with",
)

for _name in ALLOWED_TAGS:
    register.tags[_name] = defaulttags.register.tags[_name]


def _width_of(arg) -> int:
    try:
        return int(arg)
    except (TypeError, ValueError):
        return 0  # the filter itself handles a non-number (it returns its input)


def _capped_width(name: str, func):
    """`ljust`/`rjust`/`center`: their argument is the width of the string they build."""

    @functools.wraps(func)
    def capped(value, arg):
        check_width(name, _width_of(arg))
        return func(value, arg)

    return capped


_FORMAT_NUMBERS = re.compile(r"\d+")


def _capped_stringformat(func):
    """`stringformat:"0500000000d"` pads to 500 MB: refuse widths/precisions over the cap."""

    @functools.wraps(func)
    def capped(value, arg):
        for number in _FORMAT_NUMBERS.findall(str(arg)):
            check_width("stringformat", int(number))
        return func(value, arg)

    return capped


_DECIMALS = re.compile(r"-?\d+")
# Decimal("1e999999") is a tiny literal whose digits `floatformat` would spell out.
MAX_EXPONENT = 100


def _capped_floatformat(func):
    @functools.wraps(func)
    def capped(text, arg=-1):
        if match := _DECIMALS.search(str(arg)):
            check_width("floatformat", int(match.group()))
        try:
            exponent = Decimal(str(text)).adjusted()
        except (InvalidOperation, ValueError, TypeError):
            exponent = 0  # not a number: floatformat returns "" itself
        if abs(exponent) > MAX_EXPONENT:
            check_width("floatformat", exponent)  # over MAX_WIDTH or not, far too many digits
        return func(text, arg)

    return capped


def _capped_join(func):
    """`join` builds its whole result before anyone could measure it: measure it first."""

    @functools.wraps(func)
    def capped(value, arg, autoescape=True):
        budget = current_budget()
        if budget is not None and isinstance(value, list | tuple):
            size = sum(len(str(item)) for item in value) + len(str(arg)) * max(len(value) - 1, 0)
            if size > budget.max_output:
                raise budget.too_large(size)
        return func(value, arg, autoescape=autoescape)

    return capped


# Filters whose cost grows faster than their input (HTML parsing, heavy regular expressions).
EXPENSIVE_TEXT_FILTERS = (
    "truncatewords_html",
    "truncatechars_html",
    "truncatewords",
    "truncatechars",
    "urlize",
    "urlizetrunc",
    "striptags",
    "wordwrap",
    "linebreaks",
    "linebreaksbr",
)


def _capped_input(name: str, func):
    @functools.wraps(func)
    def capped(value, *args, **kwargs):
        check_text_input(name, value)
        return func(value, *args, **kwargs)

    return capped


def _spends_budget(func):
    """Any filter: its result is checked against the time and size budget."""

    @functools.wraps(func)
    def bounded(*args, **kwargs):
        result = func(*args, **kwargs)
        if budget := current_budget():
            budget.check_value(result)
        return result

    return bounded


_filters = dict(defaultfilters.register.filters)
for _name in ("ljust", "rjust", "center"):
    _filters[_name] = _capped_width(_name, _filters[_name])
_filters["stringformat"] = _capped_stringformat(_filters["stringformat"])
_filters["floatformat"] = _capped_floatformat(_filters["floatformat"])
_filters["join"] = _capped_join(_filters["join"])
for _name in EXPENSIVE_TEXT_FILTERS:
    _filters[_name] = _capped_input(_name, _filters[_name])

# Every default filter is a pure function of its input: keep them all, each bounded.
register.filters.update({name: _spends_budget(func) for name, func in _filters.items()})

__all__ = ["ALLOWED_TAGS", "MAX_WIDTH", "register"]

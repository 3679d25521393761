"""Bounds on every staff render: a wall-clock budget, an output cap and capped filter widths.

A staff template is code our processes run. Three nested `{% for %}` over literals are a
million iterations, `{{ "x"|ljust:"200000000" }}` is 200 MB. Every render through
`engine.render_template` therefore runs inside a `RenderBudget`:

* time: `STAFF_TEMPLATE_TIME_LIMIT` seconds of wall clock, checked before every node renders,
  at every loop iteration (`{% for %}` assigns its variable through the context) and after
  every filter. Cooperative checks, because an alarm signal only reaches a process's main
  thread, and renders run in Celery worker threads and processes and in web threads;
* size: `STAFF_TEMPLATE_MAX_OUTPUT` characters, counted as the leaf nodes (text, variables,
  output tags) produce them, and the same cap on every single filter result, so a chain of
  `{% with %}` doublings stops too;
* widths: `ljust`, `rjust`, `center`, `stringformat` and `floatformat` refuse widths and
  precisions above `MAX_WIDTH` before allocating anything (overridden in
  `library`).

Exceeding a bound raises `TemplateLimitExceeded`, a `StaffTemplateError`: admin shows it on
save or preview, and the delivery engine fails the message with its text (a permanent failure,
like any template error).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.template import Context, Template
from django.template.base import Node, NodeList

from .errors import TemplateLimitExceeded

# The widest `ljust`/`center`/`stringformat` field and the most `floatformat` decimals a staff
# template may ask for: a receipt column is a few dozen characters.
MAX_WIDTH = 1_000


@dataclass
class RenderBudget:
    """What one render may still spend; one per `render_template` call."""

    label: str
    seconds: float
    deadline: float
    max_output: int
    produced: int = 0

    def check_time(self) -> None:
        """Raise once the wall-clock budget is spent."""
        if time.monotonic() > self.deadline:
            raise TemplateLimitExceeded(
                f"The {self.label} took longer than {self.seconds:g} s to render "
                "(STAFF_TEMPLATE_TIME_LIMIT): simplify its loops."
            )

    def add_output(self, size: int) -> None:
        """Count `size` characters of output; raise over the cap."""
        self.produced += size
        if self.produced > self.max_output:
            raise self.too_large(self.produced)

    def check_value(self, value: object) -> None:
        """A filter's result: within the time budget and, if sized, within the output cap."""
        self.check_time()
        if isinstance(value, str | list | tuple) and len(value) > self.max_output:
            raise self.too_large(len(value))

    def too_large(self, size: int) -> TemplateLimitExceeded:
        return TemplateLimitExceeded(
            f"The {self.label} produced more than {self.max_output:,} characters "
            f"(STAFF_TEMPLATE_MAX_OUTPUT; {size:,} so far)."
        )


_current: ContextVar[RenderBudget | None] = ContextVar("staff_render_budget", default=None)


def current_budget() -> RenderBudget | None:
    """The budget of the render running in this thread/task, if any."""
    return _current.get()


@contextmanager
def render_budget(label: str) -> Iterator[RenderBudget]:
    """Run a render under a fresh budget (a context variable: per thread and per task)."""
    seconds = float(settings.STAFF_TEMPLATE_TIME_LIMIT)
    budget = RenderBudget(
        label=label,
        seconds=seconds,
        deadline=time.monotonic() + seconds,
        max_output=int(settings.STAFF_TEMPLATE_MAX_OUTPUT),
    )
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)


def check_width(name: str, width: int) -> None:
    """Refuse a field width or precision over `MAX_WIDTH` before anything is allocated."""
    if abs(width) > MAX_WIDTH:
        budget = current_budget()
        label = budget.label if budget else "template"
        raise TemplateLimitExceeded(
            f"The {label} asks “{name}” for a width of {width:,}; at most {MAX_WIDTH:,}."
        )


# The most text one of the filters that parse HTML or scan with heavy regular expressions
# (`truncatewords_html`, `urlize`…) may be given: on a string near the output cap, one call
# ran for 24 s, far past the time limit, which is only checked between calls.
MAX_TEXT_FILTER_INPUT = 20_000


def check_text_input(name: str, value: object) -> None:
    """Refuse an input too long for an expensive text filter before it starts."""
    size = len(str(value))
    if size > MAX_TEXT_FILTER_INPUT:
        budget = current_budget()
        label = budget.label if budget else "template"
        raise TemplateLimitExceeded(
            f"The {label} gives “{name}” {size:,} characters; at most {MAX_TEXT_FILTER_INPUT:,}."
        )


class BudgetContext(Context):
    """A context that spends the budget's time check on every loop iteration.

    `{% for %}` assigns its loop variable (or, unpacking, updates the context) once per item,
    even when the loop body is empty: the one place an iteration always goes through.
    """

    def __setitem__(self, key, value) -> None:
        if budget := _current.get():
            budget.check_time()
        super().__setitem__(key, value)

    def update(self, other_dict):
        if budget := _current.get():
            budget.check_time()
        return super().update(other_dict)


def _child_nodelists(node: Node) -> list[NodeList]:
    """The node lists a node holds, whatever its attribute names (`nodelist_loop`, the
    `(condition, nodelist)` pairs of `{% if %}`…)."""
    found = []
    for value in vars(node).values():
        if isinstance(value, NodeList):
            found.append(value)
        elif isinstance(value, list | tuple):
            for item in value:
                if isinstance(item, NodeList):
                    found.append(item)
                elif isinstance(item, tuple):
                    found.extend(part for part in item if isinstance(part, NodeList))
    return found


def _bound_node(node: Node) -> None:
    children = _child_nodelists(node)
    render = node.render_annotated
    # A container's output is its children's, already counted: count leaves only, so the
    # cap is about the size of the result, not the depth of the template.
    counts = not children

    def render_annotated(context):
        budget = _current.get()
        if budget is None:
            return render(context)
        budget.check_time()
        output = render(context)
        if counts:
            budget.add_output(len(output))
        return output

    # An instance attribute shadows the class's method for this node only: the template is
    # ours (compiled by the staff engine), nothing else in the project is affected.
    node.render_annotated = render_annotated
    for nodelist in children:
        for child in nodelist:
            _bound_node(child)


def bound_template(template: Template) -> Template:
    """Instrument a freshly compiled staff template so every node render spends the budget."""
    for node in template.nodelist:
        _bound_node(node)
    return template

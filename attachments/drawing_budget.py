"""The drawing budget: what a document may ask of xhtml2pdf, checked before it starts.

The staff-template limits (`stafftemplates/limits.py`) bound the *template*: its time and the
size of the HTML it produces. They do not bound xhtml2pdf's drawing of that HTML, which costs
far more per byte for some shapes: 20,000 unclosed `<div>`s render in milliseconds and take a
minute to parse (html5lib's parse is super-linear in nesting, and xhtml2pdf checks its own
depth limit only after it), 22,000 page breaks take half a minute to lay out.

`check_drawable` reads the rendered HTML once, before xhtml2pdf sees it, and refuses a document
that nests deeper than `ATTACHMENT_MAX_NESTING`, holds more than `ATTACHMENT_MAX_ELEMENTS`
elements or breaks into more than `ATTACHMENT_MAX_PAGES` pages. It is on every send's path, so
it is regular expressions and a short stack, not a parse (about 2 ms of CPU for a 200-line
order: docs/developers/architecture.md, "Drawing a document"). What runs long anyway is
stopped by the deadline (`drawing_deadline.py`).

It raises, as the deadline does, an `AttachmentError` naming the document and the setting: a
delivery fails with it permanently (drawing again draws the same thing), admin shows it on
save and in previews.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings

from .errors import AttachmentError


class DocumentTooComplex(AttachmentError):
    """The rendered HTML is over a drawing budget: refused before xhtml2pdf starts."""


_TAG = re.compile(r"<!--.*?-->|<(/?)([a-z][^\s/>]*)([^>]*)>", re.DOTALL)
_TAG_NAME = re.compile(r"<(/?)([a-z][^\s/>]*)")
# Elements html5lib never puts anything inside.
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
# Elements an opening sibling (or its parent's end) closes implicitly: `<li><li>` and
# `<p><p>` are siblings, not nested, so they never add depth on their own. The document's
# own `html`, `head` and `body` are a constant.
_SIBLINGS = frozenset(
    [
        "p",
        "li",
        "dt",
        "dd",
        "td",
        "th",
        "tr",
        "option",
        "optgroup",
        "thead",
        "tbody",
        "tfoot",
        "colgroup",
        "caption",
        "rb",
        "rt",
        "rp",
        "rtc",
        "html",
        "head",
        "body",
    ]
)
# html5lib nests a table's implied `tbody`, `tr` and `td` too: a table inside a cell is four
# levels deeper, a list item inside a list two.
_DEPTH = {"table": 4, "ul": 2, "ol": 2, "dl": 2, "select": 2}
# Matched on the lower-cased document: a pattern that starts with a literal ("<style",
# "break-") is found by a fast scan; an IGNORECASE or alternation-first one tries every position.
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.DOTALL)
# `page-break-after: always` and `break-after: page` alike (one match each).
_PAGE_BREAK = re.compile(r"break-(?:before|after)\s*:\s*(?:always|left|right|page|recto|verso)")
_NEXT_PAGE_MARKS = ("<pdf:nextpage", "<pdf:nexttemplate", "-pdf-next-page")
_RULE = re.compile(r"([^{}]*)\{([^{}]*)\}")
_CLASS_ATTRIBUTE = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_ID_ATTRIBUTE = re.compile(r"""\bid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


@dataclass(frozen=True)
class DrawingBudget:
    """What one document may ask of xhtml2pdf (from settings, read per document)."""

    max_nesting: int
    max_elements: int
    max_pages: int

    @classmethod
    def from_settings(cls) -> DrawingBudget:
        return cls(
            max_nesting=int(settings.ATTACHMENT_MAX_NESTING),
            max_elements=int(settings.ATTACHMENT_MAX_ELEMENTS),
            max_pages=int(settings.ATTACHMENT_MAX_PAGES),
        )


@dataclass(frozen=True)
class _BreakSelector:
    """The last compound of a selector whose rule breaks the page: a tag, classes, an id."""

    tag: str | None
    classes: frozenset[str]
    id: str | None


def _page_breaks(text: str) -> int:
    """Page breaks asked for in lower-cased `text` (declarations and xhtml2pdf's tags)."""
    return len(_PAGE_BREAK.findall(text)) + sum(text.count(mark) for mark in _NEXT_PAGE_MARKS)


def _break_selectors(html: str) -> list[_BreakSelector]:
    """Selectors of the document's `<style>` rules that break the page (conservatively: a
    selector we cannot reduce to a tag, classes or an id matches every element)."""
    found = []
    for block in _STYLE_BLOCK.findall(html):
        for selectors, declarations in _RULE.findall(block):
            if not _page_breaks(declarations):
                continue
            for selector in selectors.split(","):
                last = re.split(r"[\s>+~]+", selector.strip())[-1]
                last = re.sub(r"::?[\w-]+(?:\([^)]*\))?|\[[^\]]*\]", "", last)
                tag = re.match(r"[a-z][\w-]*", last)
                found.append(
                    _BreakSelector(
                        tag=tag[0] if tag else None,
                        classes=frozenset(re.findall(r"\.([\w-]+)", last)),
                        id=next(iter(re.findall(r"#([\w-]+)", last)), None),
                    )
                )
    return found


def _attribute(pattern: re.Pattern, attributes: str) -> str:
    found = pattern.search(attributes)
    return next((group for group in found.groups() if group is not None), "") if found else ""


def _breaks(name: str, attributes: str, selectors: list[_BreakSelector]) -> bool:
    classes = set(_attribute(_CLASS_ATTRIBUTE, attributes).split()) if attributes else set()
    element_id = _attribute(_ID_ATTRIBUTE, attributes) if attributes else ""
    return any(
        (selector.tag is None or selector.tag == name)
        and selector.classes <= classes
        and (selector.id is None or selector.id == element_id)
        for selector in selectors
    )


def check_drawable(html: str, *, name: str, budget: DrawingBudget | None = None) -> None:
    """Refuse, before drawing, HTML that would nest, hold or page more than the budget allows.

    Raises `DocumentTooComplex` naming the document `name`, what is over and the setting.
    Counts as html5lib will build the tree, closely enough to bound its cost: void elements
    hold nothing, implicitly closed siblings (`<p>`, `<li>`, `<td>`…) do not nest, an end tag
    closes what it matches. Pages are the page breaks asked for (inline, by `<pdf:nextpage>`
    or by a stylesheet rule matching the element) plus one.
    """
    budget = budget or DrawingBudget.from_settings()
    # Lower-cased once: tag names, CSS and attributes compare without case (class names over-
    # match at worst, which only over-counts).
    html = html.lower()
    selectors = _break_selectors(html)
    inline_breaks = _page_breaks(html) - sum(
        _page_breaks(block) for block in _STYLE_BLOCK.findall(html)
    )
    stack: list[str] = []
    depth = elements = rule_breaks = 0
    # Without page-break rules the attributes are not needed: the shorter pattern stops at the
    # name (a tag inside a comment then counts too, which only over-counts).
    pattern = _TAG if selectors else _TAG_NAME
    for match in pattern.finditer(html):
        closing, raw_name = match.group(1, 2)
        if raw_name is None:  # a comment
            continue
        tag = raw_name
        if closing:
            if tag in stack:
                while stack:
                    popped = stack.pop()
                    depth -= _DEPTH.get(popped, 1)
                    if popped == tag:
                        break
            continue
        elements += 1
        if selectors and _breaks(tag, match[3], selectors):
            rule_breaks += 1
        if tag in _VOID or tag in _SIBLINGS:
            continue
        stack.append(tag)
        depth += _DEPTH.get(tag, 1)
        if depth > budget.max_nesting:
            raise DocumentTooComplex(
                f"The document “{name}” nests its elements more than {budget.max_nesting} "
                "deep (ATTACHMENT_MAX_NESTING): close its tags, or flatten the nesting."
            )
    if elements > budget.max_elements:
        raise DocumentTooComplex(
            f"The document “{name}” has {elements:,} elements, more than "
            f"{budget.max_elements:,} (ATTACHMENT_MAX_ELEMENTS): simplify its loops."
        )
    pages = inline_breaks + rule_breaks + 1
    if pages > budget.max_pages:
        raise DocumentTooComplex(
            f"The document “{name}” asks for {pages:,} pages, more than {budget.max_pages:,} "
            "(ATTACHMENT_MAX_PAGES): check its page breaks."
        )

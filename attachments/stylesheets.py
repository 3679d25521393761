"""Stylesheets parsed once per process instead of once per document.

Every document starts from xhtml2pdf's user-agent stylesheet (`xhtml2pdf.default.DEFAULT_CSS`: sizes
of headings, margins of lists and tables…) and its template's own CSS; xhtml2pdf parses both again
for every document (about 3 and 1.3 ms of a 5-line order's ~45 ms; docs/developers/benchmarks.md,
"Documents"). A stylesheet's parse depends on its text alone — unless it has an at-rule or a
`url()`: `@page` and `@frame` build the document's page templates *while* they are parsed,
`@font-face` loads a font, `url()` is resolved against the document. So:

- `split_document_rules` moves a template's top-level `@page`, `@frame` and `@font-face` rules
  into a `<style>` of their own after the element rules (`rendering.render_html`), parsed for
  each document as before: they add no rule to the cascade, so their place does not matter;
  whatever it cannot move safely, it leaves whole;
- `share_parsed_stylesheets` keeps the parse of xhtml2pdf's defaults and of each document's
  *first* `<style>` (the template's element rules, from `render_html`) when its text has no
  `@`, no `url(`, no CSS escape and no custom property. Only the first: xhtml2pdf breaks ties
  between equally specific rules by a counter that runs for the whole process, so a parse kept
  from an earlier document ranks before everything parsed for this one — right for the first
  stylesheet, wrong for a later one (a `<style>` in the body would lose to the head's).
  Parsed rulesets are only read afterwards: xhtml2pdf merges them into each document's own
  ruleset, copying a declaration block before it changes one. (What xhtml2pdf logs while
  parsing — properties it does not implement — is logged for a process's first document.)

xhtml2pdf offers no public way to hand it a parsed stylesheet: this replaces one private method
of its per-document context, `pisaContext._parseCSSSource(text, sourceName)`, with a wrapper
that reads the context's list of `<style>` sources. Hence xhtml2pdf is pinned to the release
this was checked against (`CHECKED_VERSION`, pinned in requirements.lock) and
`tests/attachments/test_stylesheets.py` fails when the method, its caller or the version
change, and compares pages drawn with and without the shared parse pixel for pixel.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from functools import lru_cache
from importlib.metadata import version

from xhtml2pdf import parser as xhtml2pdf_parser
from xhtml2pdf.context import pisaContext

CHECKED_VERSION = "0.2.28"
# Distinct stylesheet texts kept: the defaults and each live template revision's, per
# language; the least recently used goes first.
MAX_PARSED = 64

_lock = threading.Lock()
_decided = False
_original_parse = pisaContext._parseCSSSource
# Stylesheet text → its parsed rulesets.
_parsed: OrderedDict[str, object] = OrderedDict()
# What makes a parse depend on the document, or the document on the parse: any at-rule, any
# url(); any CSS escape, which could spell either (`u\72 l(`); and any custom property (`--x`
# on :root is recorded while parsing, for a later `@page` to read with var()).
_DOCUMENT_BOUND = re.compile(r"@|url\(|\\|--", re.IGNORECASE)


def _shareable(context: pisaContext, text: str, sourceName: str) -> bool:
    """xhtml2pdf's defaults, or the document's first `<style>`, with a text whose parse
    depends on nothing else."""
    first = context.cssSources[0] if context.cssSources else None
    if sourceName != xhtml2pdf_parser.DEFAULT_CSS_SOURCE and first != (text, sourceName):
        return False
    return not _DOCUMENT_BOUND.search(text)


def _parse_css_source(context: pisaContext, text: str, sourceName: str):
    """`pisaContext._parseCSSSource`, but xhtml2pdf's defaults and a document's first
    stylesheet are parsed once per process (when their parse depends on their text alone)."""
    if not _shareable(context, text, sourceName):
        return _original_parse(context, text, sourceName)
    with _lock:
        parsed = _parsed.get(text)
        if parsed is not None:
            _parsed.move_to_end(text)
            return parsed
    parsed = _original_parse(context, text, sourceName)
    with _lock:
        _parsed[text] = parsed
        while len(_parsed) > MAX_PARSED:
            _parsed.popitem(last=False)
    return parsed


def share_parsed_stylesheets() -> None:
    """Install the shared parse once per process; cheap after the first call (a flag).

    On an xhtml2pdf release other than `CHECKED_VERSION` nothing is installed: documents are
    drawn as xhtml2pdf draws them, only slower, until someone checks the new release.
    """
    global _decided
    if _decided:
        return
    with _lock:
        if _decided:
            return
        if version("xhtml2pdf") == CHECKED_VERSION:
            pisaContext._parseCSSSource = _parse_css_source
        _decided = True


# --- a template's page rules apart --------------------------------------------------------

_DOCUMENT_RULE = re.compile(r"@(?:page|frame|font-face)(?![\w-])", re.IGNORECASE)
# Left in the rest, any of these would be parsed before the moved rules and could redefine or
# attach to their pages or fonts (`@page` inside `@media`; xhtml2pdf also takes `@pages-x`
# for `@page`).
_PAGE_WORDS = re.compile(r"@(?:page|frame|font-face)", re.IGNORECASE)
_WHOLE = ("", None)


@lru_cache(maxsize=MAX_PARSED)
def split_document_rules(css: str) -> tuple[str, str]:
    """(`css`'s top-level `@page`, `@frame` and `@font-face` rules, the rest of it), each in
    source order, a line break where each moved rule was.

    Whatever this cannot move without changing what xhtml2pdf draws comes back whole, as the
    rest (then parsed for every document as before): CSS the scan cannot follow (an unclosed
    comment, string or block, a stray `}`), an at-rule that does not start a statement,
    page rules left behind (nested, or spelled `@pages…`), a moved rule using `var()` (custom
    properties come from rules parsed before it), a comment marker inside a string (xhtml2pdf
    strips comments without regard to strings), and any `</style`.

    Kept per text, like the parse it is for (the scan is ~0.3 ms of Python per template).
    """
    moved, rest = _split(css)
    if rest is None or _PAGE_WORDS.search(rest) or re.search(r"var\(", moved, re.IGNORECASE):
        return "", css
    if re.search(r"</style", moved + rest, re.IGNORECASE):
        return "", css
    return moved, rest


def _split(css: str) -> tuple[str, str | None]:
    """The scan behind `split_document_rules`: (moved rules, rest), or `_WHOLE` (rest None)."""
    moved: list[str] = []
    rest: list[str] = []
    depth, kept_from, rule_from = 0, 0, None
    # At depth 0: whether the next character starts a statement (a rule xhtml2pdf reads on
    # its own), and whether the statement under way is an at-rule (`@import …;` ends at its
    # `;`; anywhere else a `;` at depth 0 is garbage xhtml2pdf skips along with what follows).
    statement_start, at_rule = True, False
    parentheses = 0  # ( and [ : xhtml2pdf skips a bad declaration counting them with braces
    i, end = 0, len(css)
    while i < end:
        char = css[i]
        if css.startswith("/*", i):
            closing = css.find("*/", i + 2)
            if closing < 0:
                return _WHOLE
            i = closing + 2
            continue
        if char in " \t\r\n\f":
            i += 1
            continue
        starts = depth == 0 and statement_start
        if char in "\"'":
            i += 1
            while i < end and css[i] != char and css[i] != "\n":
                if css.startswith(("/*", "*/"), i):
                    return _WHOLE
                i += 2 if css[i] == "\\" else 1
            if i >= end or css[i] != char:
                return _WHOLE
        elif char == "\\":
            i += 1  # an escaped character is never a brace, a quote or an at-sign
        elif char in "([":
            parentheses += 1
        elif char in ")]":
            parentheses = max(0, parentheses - 1)
        elif char in "{}" and parentheses:
            return _WHOLE
        elif char == "@" and starts and rule_from is None and _DOCUMENT_RULE.match(css, i):
            rest.append(css[kept_from:i])
            rule_from = i
        elif char == "@" and depth == 0 and _DOCUMENT_RULE.match(css, i):
            return _WHOLE  # inside another statement: xhtml2pdf would not read it as a rule
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return _WHOLE
            if depth == 0 and rule_from is not None:
                moved.append(css[rule_from : i + 1])
                rest.append("\n")
                rule_from, kept_from = None, i + 1
        elif char == ";" and depth == 0 and rule_from is not None:
            # An at-rule without a block (`@page;`): it ends here, nothing after it moves.
            moved.append(css[rule_from : i + 1])
            rest.append("\n")
            rule_from, kept_from = None, i + 1
        if depth == 0:
            if starts:
                at_rule = char == "@"
            if char == "}":
                statement_start, at_rule = True, False
            elif char == ";":
                statement_start, at_rule = at_rule, False
            else:
                statement_start = False
        i += 1
    if depth or rule_from is not None:
        return _WHOLE
    rest.append(css[kept_from:])
    return "\n".join(moved), "".join(rest)

"""xhtml2pdf's own default stylesheet, parsed once per process instead of once per document.

Every document starts from xhtml2pdf's user-agent stylesheet (`xhtml2pdf.default.DEFAULT_CSS`:
sizes of headings, margins of lists and tables…). xhtml2pdf parses it again for every document,
about 3 ms of a 5-line order's ~50 ms of drawing (README, "Benchmark"). Its text never changes
within a process, it holds no `@page`, `@font-face` or `url()` (nothing that touches the
document being drawn) and the parsed rulesets are only read once built, so one parse serves
every document.

xhtml2pdf offers no public way to hand it a parsed stylesheet: this replaces one private method
of its per-document context, `pisaContext._parseCSSSource(text, sourceName)`, with a wrapper
that keeps the result for the default stylesheet's source and passes everything else (the
template's own CSS, whose `@page` rules do build the document's pages) through unchanged.
Hence xhtml2pdf is pinned to the release this was checked against (`CHECKED_VERSION`, in
pyproject.toml) and `tests/attachments/test_stylesheets.py` fails when the method, its caller or
the version change, and compares pages drawn with and without the shared parse pixel for pixel.
"""

from __future__ import annotations

import threading
from importlib.metadata import version

from xhtml2pdf import parser as xhtml2pdf_parser
from xhtml2pdf.context import pisaContext

CHECKED_VERSION = "0.2.28"

_lock = threading.Lock()
_decided = False
_original_parse = pisaContext._parseCSSSource
# The default stylesheet's text → its parsed rulesets (one entry in practice).
_parsed: dict[str, object] = {}


def _parse_css_source(context: pisaContext, text: str, sourceName: str):
    """`pisaContext._parseCSSSource`, but the default stylesheet is parsed once per process."""
    if sourceName != xhtml2pdf_parser.DEFAULT_CSS_SOURCE:
        return _original_parse(context, text, sourceName)
    parsed = _parsed.get(text)
    if parsed is None:
        parsed = _original_parse(context, text, sourceName)
        _parsed[text] = parsed
    return parsed


def share_default_stylesheet() -> None:
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

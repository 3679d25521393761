"""The document font, registered with ReportLab once per process instead of once per document.

Documents draw in DejaVu Sans (`attachments/static/fonts/`, docs/developers/pdf-pipeline.md).
Declared with `@font-face`, xhtml2pdf re-reads and MD5-hashes both files (1.47 MB) for every
document to check that the family still names the same files: 3.4-4 ms a document. Registered here
once, the faces are known to ReportLab, and the family name templates write, `"DejaVu Sans"`, is
added to xhtml2pdf's table of font-family names (`xhtml2pdf.default.DEFAULT_FONT`, the public table
every document's context starts from), so `font-family: "DejaVu Sans"` resolves without any
`@font-face` rule.

A staff template that still declares `@font-face` for DejaVu keeps working: xhtml2pdf then
embeds the same files under its own names for that document, and the page is the same.

`tests/attachments/test_fonts.py` renders a document both ways and compares the pages pixel for
pixel; it also fails if a new xhtml2pdf stops reading its family table from `DEFAULT_FONT`.
"""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from xhtml2pdf import default as xhtml2pdf_default

# As templates write it in `font-family`; xhtml2pdf compares family names in lower case.
FAMILY = "DejaVu Sans"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}

_lock = threading.Lock()
_registered = False


def font_path(name: str) -> Path:
    """The file of face `name` (`REGULAR` or `BOLD`), shipped with this app (it is installed
    into projects that have no static directory of their own)."""
    return Path(__file__).resolve().parent / "static" / "fonts" / FILES[name]


def register_fonts() -> None:
    """Make `"DejaVu Sans"` (regular and bold) known to ReportLab and xhtml2pdf; idempotent.

    Cheap after the first call (a flag), so callers run it before every document.
    """
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        known = pdfmetrics.getRegisteredFontNames()
        for name in (REGULAR, BOLD):
            if name not in known:
                pdfmetrics.registerFont(TTFont(name, font_path(name)))
        # Italic and bold italic map to the bold face, as the two `@font-face` rules this
        # replaces did (xhtml2pdf gives the styles a family lacks to the last face declared):
        # documents keep drawing exactly as before. There is no DejaVu italic file here.
        pdfmetrics.registerFontFamily(
            REGULAR, normal=REGULAR, bold=BOLD, italic=BOLD, boldItalic=BOLD
        )
        xhtml2pdf_default.DEFAULT_FONT[FAMILY.lower()] = REGULAR
        _registered = True

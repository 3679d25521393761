"""DejaVu Sans registered once per process (attachments/fonts.py): the same pages as with the
`@font-face` rules it replaces, no font file read per document, and a guard on the xhtml2pdf
behaviour it relies on."""

import contextvars
import io
import logging
import subprocess
import sys
from contextlib import contextmanager

from pypdf import PdfReader

from attachments.fonts import FAMILY, register_fonts
from attachments.rendering import BASE_CSS, html_to_pdf, render_html

from .conftest import require_tool

# What every document's stylesheet declared before the fonts were registered once per process;
# staff templates may still declare it.
FONT_FACE_CSS = """
@font-face { font-family: "DejaVu Sans"; src: url("fonts/DejaVuSans.ttf"); }
@font-face { font-family: "DejaVu Sans"; src: url("fonts/DejaVuSans-Bold.ttf"); font-weight: bold; }
"""

# Every style a template can ask of the family, in the scripts documents carry.
STYLES = (
    "<p>regular Å ł Ω Ж <b>bold Å ł Ω Ж</b> <i>italic Å ł Ω Ж</i> "
    "<b><i>bold italic Å ł Ω Ж</i></b> <span style='font-weight: 600'>600</span></p>"
    "<h1>heading</h1><table><tr><th>th</th><td>td</td></tr></table>"
)


def with_font_face(html: str) -> str:
    """`html` as it was drawn before: the @font-face rules first in its stylesheets."""
    assert "<style>" in html
    return html.replace("<style>", f"<style>{FONT_FACE_CSS}", 1)


def rasterised(pdf: bytes) -> list[bytes]:
    """Each page as poppler draws it at 50 dpi, PNG bytes (from stdin to stdout: no file)."""
    tool = require_tool("pdftoppm")
    count = len(PdfReader(io.BytesIO(pdf)).pages)
    return [
        subprocess.run(
            [tool, "-r", "50", "-png", "-f", str(page), "-l", str(page), "-singlefile", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        ).stdout
        for page in range(1, count + 1)
    ]


def text_of(pdf: bytes) -> str:
    tool = require_tool("pdftotext")
    return subprocess.run(
        [tool, "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def assert_same_pages(html: str) -> None:
    registered = html_to_pdf(html)
    font_face = html_to_pdf(with_font_face(html))
    registered_again = html_to_pdf(html)  # after the @font-face path ran in this process

    pages = rasterised(registered)
    assert pages
    assert all(page.startswith(b"\x89PNG") for page in pages)
    assert rasterised(font_face) == pages
    assert rasterised(registered_again) == pages
    assert text_of(font_face) == text_of(registered) == text_of(registered_again)


def test_a_receipt_is_pixel_identical_with_and_without_font_face(receipt_template, context):
    context["lines"] = context["lines"] * 10  # two pages: the footer and repeated headers too
    assert_same_pages(render_html(receipt_template, context))


def test_every_style_is_pixel_identical_with_and_without_font_face():
    assert_same_pages(f"<html><head><style>{BASE_CSS}</style></head><body>{STYLES}</body></html>")


def test_a_staff_template_declaring_font_face_still_draws_dejavu():
    pdf = html_to_pdf(
        with_font_face(f"<html><head><style>{BASE_CSS}</style></head><body>{STYLES}</body></html>")
    )

    assert "bold italic Å ł Ω Ж" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert {"DejaVuSans", "DejaVuSans-Bold"} == embedded_fonts(pdf)


def embedded_fonts(pdf: bytes) -> set[str]:
    """The base names of the fonts the first page uses, subset prefixes removed."""
    fonts = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    names = {str(font.get_object()["/BaseFont"]).lstrip("/") for font in fonts.values()}
    return {name.split("+", 1)[-1] for name in names} - {"Helvetica"}


def test_xhtml2pdf_resolves_the_registered_family_without_font_face(caplog):
    # The guard on what fonts.py relies on: xhtml2pdf starts each document's font table from
    # `xhtml2pdf.default.DEFAULT_FONT`. If a release stops doing so, this fails (and the text
    # would be drawn in Helvetica, as ■ for Greek and Cyrillic).
    register_fonts()
    html = f"<p style='font-family: \"{FAMILY}\"'>Ω Ж <b>Ω Ж</b></p>"

    with caplog.at_level(logging.WARNING, logger="xhtml2pdf"):
        pdf = html_to_pdf(html)

    assert embedded_fonts(pdf) == {"DejaVuSans", "DejaVuSans-Bold"}
    assert not [r for r in caplog.records if "font" in r.getMessage().lower()]


# Audit hooks cannot be removed: one for the run, recording only while a test asks.
_opened: contextvars.ContextVar[list | None] = contextvars.ContextVar("opened", default=None)


def _record_font_opens(event: str, args: tuple) -> None:
    found = _opened.get()
    if found is not None and event == "open" and str(args[0]).endswith(".ttf"):
        found.append(str(args[0]))


sys.addaudithook(_record_font_opens)


@contextmanager
def fonts_opened():
    found: list[str] = []
    token = _opened.set(found)
    try:
        yield found
    finally:
        _opened.reset(token)


def test_no_font_file_is_read_per_document():
    html = f"<html><head><style>{BASE_CSS}</style></head><body>{STYLES}</body></html>"
    html_to_pdf(html)  # the first document of the process may load the fonts

    with fonts_opened() as registered:
        html_to_pdf(html)
    with fonts_opened() as font_face:
        html_to_pdf(with_font_face(html))

    assert registered == []
    # The recorder works: the @font-face path re-reads both files (to hash them) every time.
    assert {path.rsplit("/", 1)[-1] for path in font_face} == {
        "DejaVuSans.ttf",
        "DejaVuSans-Bold.ttf",
    }

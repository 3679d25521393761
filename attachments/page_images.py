"""Staff previews of a document as page images: what the customer's PDF looks like, without
the browser's password prompt and without an unencrypted PDF ever leaving the server.
Bounded: at most MAX_PREVIEW_PAGES pages, each at most MAX_PAGE_PIXELS, whatever page size the
document's stylesheet asks for.

The encrypted PDF (exactly what a customer receives) is opened in memory with the password it
was built with and drawn page by page with PDFium (`pypdfium2`, a self-contained wheel, so no
system package such as poppler is needed in production). The page images go into a small HTML
page served as sandboxed HTML (`stafftemplates.admin_pages.sandboxed_html`: it runs and fetches
nothing), so they never sit at a URL of their own. Nothing is written to disk.
"""

from __future__ import annotations

import base64
import io
import math

import pypdfium2 as pdfium
from django.utils.html import format_html, format_html_join

from .errors import AttachmentError

# Enough to check a layout; a 200-line order is 14 pages.
MAX_PREVIEW_PAGES = 20
# 1.5 × 72 dpi: an A4 page is 893 px wide, sharp on the preview's width, ~60-120 KB as PNG.
SCALE = 1.5
# The most pixels one page image may have (an A4 page at SCALE has 1.1 million, A3 2.3). A
# stylesheet chooses the page size (`@page { size: 200in 200in }`): drawn at SCALE that page
# is a 21,600 px square, 1.9 GB of bitmap and seconds of CPU in the web process, from any
# editor's preview. A larger page is drawn smaller instead, to this many pixels.
MAX_PAGE_PIXELS = 4_000_000


def page_scale(width: float, height: float) -> float:
    """The scale to draw a page of `width` by `height` points at: SCALE, or less for a page that
    would exceed MAX_PAGE_PIXELS."""
    area = max(width, 1.0) * max(height, 1.0)
    return min(SCALE, math.sqrt(MAX_PAGE_PIXELS / area))


def page_images(
    pdf: bytes, *, password: str, max_pages: int = MAX_PREVIEW_PAGES
) -> tuple[list[bytes], int]:
    """PNG images of the first `max_pages` pages of an encrypted `pdf` opened with `password`,
    and its number of pages."""
    try:
        document = pdfium.PdfDocument(pdf, password=password)
    except pdfium.PdfiumError as exc:
        raise AttachmentError(f"The preview could not open the PDF ({exc}).") from None
    try:
        images = []
        for index in range(min(len(document), max_pages)):
            page = document[index]
            image = page.render(scale=page_scale(*page.get_size())).to_pil()
            buffer = io.BytesIO()
            image.save(buffer, format="PNG", optimize=True)
            images.append(buffer.getvalue())
            page.close()
        return images, len(document)
    finally:
        document.close()


def pages_html(pdf: bytes, *, password: str, title: str) -> str:
    """A page showing the PDF's pages as images (data: URLs), for a sandboxed preview frame."""
    images, total = page_images(pdf, password=password)
    more = (
        format_html(
            '<p class="more">Showing the first {} of {} pages; download the PDF for all.</p>',
            len(images),
            total,
        )
        if total > len(images)
        else ""
    )
    figures = format_html_join(
        "",
        '<figure><img src="data:image/png;base64,{}" alt="Page {} of {}">'
        "<figcaption>Page {} of {}</figcaption></figure>",
        (
            (base64.b64encode(png).decode("ascii"), n, total, n, total)
            for n, png in enumerate(images, start=1)
        ),
    )
    return format_html(
        '<!doctype html><html><head><meta charset="utf-8"><title>{}</title><style>'
        "body {{ margin: 0; padding: 12px; background: #e5e7eb; font: 13px sans-serif; }}"
        "figure {{ margin: 0 auto 16px; max-width: 900px; }}"
        "img {{ display: block; width: 100%; height: auto; background: #fff;"
        " box-shadow: 0 1px 4px rgba(0,0,0,.3); }}"
        "figcaption, .more {{ text-align: center; color: #374151; margin-top: 4px; }}"
        "</style></head><body>{}{}</body></html>",
        title,
        figures,
        more,
    )

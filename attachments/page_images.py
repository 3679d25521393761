"""Staff previews of a document as page images: what the customer's PDF looks like, without
the browser's password prompt and without an unencrypted PDF ever leaving the server.

The encrypted PDF (exactly what a customer receives) is opened in memory with the password it
was built with and drawn page by page with PDFium (`pypdfium2`, a self-contained wheel, so no
system package such as poppler is needed in production). The page images go into a small HTML
page served as sandboxed HTML (`stafftemplates.admin_pages.sandboxed_html`: it runs and fetches
nothing), so they never sit at a URL of their own. Nothing is written to disk.
"""

from __future__ import annotations

import base64
import io

import pypdfium2 as pdfium
from django.utils.html import format_html, format_html_join

from .errors import AttachmentError

# Enough to check a layout; a 200-line order is 14 pages.
MAX_PREVIEW_PAGES = 20
# 1.5 × 72 dpi: an A4 page is 893 px wide, sharp on the preview's width, ~60-120 KB as PNG.
SCALE = 1.5


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
            image = page.render(scale=SCALE).to_pil()
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

"""Template + plain context + password → encrypted PDF bytes, entirely in memory.

Steps: render the staff HTML through the dedicated engine, draw it with xhtml2pdf (resources
only from the project's static files), encrypt with pypdf AES-256 (revision 6) and a random owner
password and prove the result is encrypted and opens with the password (`encryption`), then
check its size as an ESP counts it (after base64).
"""

from __future__ import annotations

import io
import logging
import math
import re
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.utils.html import escape
from reportlab import rl_config
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import RenderLimitError, ResourceAccessPolicy

from stafftemplates.engine import ensure_plain, render_template

from .drawing_budget import check_drawable
from .drawing_deadline import drawing_deadline
from .encryption import PERMISSIONS, encrypt_pdf, verify_encrypted
from .errors import AttachmentError, AttachmentTooLarge
from .fonts import register_fonts
from .stylesheets import share_parsed_stylesheets, split_document_rules

if TYPE_CHECKING:
    from .models import AttachmentTemplate, AttachmentTemplateRevision

log = logging.getLogger(__name__)

PDF_MIMETYPE = "application/pdf"

# Embedded as the default face: Helvetica has no Greek, Cyrillic or Polish ł and draws ■.
# Registered once per process (fonts.register_fonts), so no @font-face rule: see fonts.py.
BASE_CSS = """
html, body { font-family: "DejaVu Sans"; }
"""


# Streams plainly compressed, not also ASCII85-armoured (ReportLab's default, meant for 7-bit
# channels; the attachment is base64-encoded for email anyway): the page content is a fifth
# smaller, and the proof of encryption (encryption.py) inflates it without a pure-Python
# ASCII85 decode first. A documented ReportLab setting, read as each stream is written.
rl_config.useA85 = 0


@dataclass(frozen=True)
class Attachment:
    """A built attachment, ready for `EmailMessage.attach(filename, content, mimetype)`."""

    filename: str
    content: bytes
    mimetype: str = PDF_MIMETYPE


# --- resources --------------------------------------------------------------------------------


@cache
def static_roots() -> tuple[Path, ...]:
    """The project's static directories: the only places a document may read from."""
    roots = []
    for entry in settings.STATICFILES_DIRS:
        path = entry[1] if isinstance(entry, list | tuple) else entry
        roots.append(Path(path).resolve())
    return tuple(roots)


# A path that names nothing: returned for refused resources, because xhtml2pdf falls back to
# the original URI when link_callback returns a false value.
BLOCKED_RESOURCE = "data:,"


def resolve_static(uri: str) -> Path | None:
    """The file inside a static root that `uri` names, or None.

    Accepts `fonts/x.ttf`, `/static/fonts/x.ttf`, `static/fonts/x.ttf`; refuses any scheme,
    host, `..` segment or a symlink leading out of the root.
    """
    parts = urlsplit(uri)
    if parts.scheme or parts.netloc or parts.query or "\\" in uri:
        return None
    path = unquote(parts.path)
    static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    path = path.removeprefix(static_prefix).removeprefix(static_prefix[1:]).lstrip("/")
    relative = PurePosixPath(path)
    if not path or ".." in relative.parts:
        return None
    for root in static_roots():
        candidate = (root / relative).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


def link_callback(uri: str, rel: str | None) -> str:
    """xhtml2pdf's resolver: static files only; anything else is replaced by an empty resource."""
    if isinstance(uri, str) and (found := resolve_static(uri)):
        return str(found)
    # No URI in the log: a template could put customer data in one.
    log.warning("A document referred to a resource outside static files; it was not fetched.")
    return BLOCKED_RESOURCE


@cache
def resource_policy(render_seconds: float = 60) -> ResourceAccessPolicy:
    """xhtml2pdf's own fetch gate, as a second lock: no network, reads confined to static;
    and its own cooperative render limit (`drawing_deadline.drawing_deadline` explains both
    limits), `render_seconds`."""
    return ResourceAccessPolicy.server(
        base_dir=None,
        extra_roots=static_roots(),
        allow_remote=False,
        allow_remote_pdf_backgrounds=False,
        max_render_seconds=render_seconds,
    )


# --- steps ------------------------------------------------------------------------------------


def render_html(
    template: AttachmentTemplate | AttachmentTemplateRevision, context: Mapping[str, Any]
) -> str:
    """The complete HTML document: the embedded font, the template's CSS and rendered body."""
    body = render_template(template.html, context, label=f"HTML body of “{template.name}”")
    # The element rules first, the page rules in a <style> of their own after them: the first
    # stylesheet's parse can then be shared between documents (stylesheets.py).
    page_rules, element_rules = split_document_rules(template.css)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{escape(template.name)}</title>"
        f"<style>{BASE_CSS}\n{element_rules}</style>"
        + (f"<style>{page_rules}</style>" if page_rules else "")
        + f"</head><body>{body}</body></html>"
    )


def html_to_pdf(html: str, *, name: str = "document") -> bytes:
    """Draw `html` with xhtml2pdf into memory (the PDF never touches disk), within the drawing
    budget and deadline (`drawing_budget`, `drawing_deadline`; errors name the document
    `name`).

    The parse of `html`'s first `<style>` is kept for the process (stylesheets.py): it must
    hold no customer data. `render_html` puts the template's CSS there, never rendered."""
    check_drawable(html, name=name)
    register_fonts()
    share_parsed_stylesheets()
    output = io.BytesIO()
    seconds = float(settings.ATTACHMENT_DRAW_SECONDS)
    try:
        with drawing_deadline(name=name, seconds=seconds):
            status = pisa.CreatePDF(
                html,
                dest=output,
                link_callback=link_callback,
                resource_policy=resource_policy(seconds),
                encoding="utf-8",
                # Never spill to a temporary file: by default xhtml2pdf writes the source
                # (name, address, email) to disk above 100 KiB (about 290 order lines).
                capacity=-1,
            )
    except AttachmentError:
        raise
    except RenderLimitError:
        # xhtml2pdf's own limits: its render time (the deadline, checked cooperatively) or
        # its nesting depth (which the budget keeps a document well below).
        raise AttachmentError(
            f"The document “{name}” is over xhtml2pdf's limits (its drawing time, "
            "ATTACHMENT_DRAW_SECONDS, or its nesting): shorten or simplify it."
        ) from None
    except Exception as exc:
        # Only the type: xhtml2pdf messages can quote the document, i.e. personal data.
        raise AttachmentError(
            f"The PDF could not be drawn ({type(exc).__name__}); check the HTML and CSS."
        ) from None
    if status.err:
        raise AttachmentError(f"The PDF could not be drawn ({status.err} error(s)).")
    return output.getvalue()


def base64_size(size: int) -> int:
    """How many bytes `size` bytes take once base64-encoded in a MIME message (no line ends)."""
    return 4 * math.ceil(size / 3)


def check_size(content: bytes) -> None:
    """Refuse what the ESP would: limits are counted after base64."""
    limit = settings.ATTACHMENT_MAX_BYTES
    encoded = base64_size(len(content))
    if encoded > limit:
        raise AttachmentTooLarge(
            f"The attachment is {encoded:,} bytes once encoded, over the {limit:,} byte limit."
        )


# Letters NFKD does not decompose into ASCII.
_ASCII_FALLBACK = str.maketrans(
    {"ß": "ss", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "đ": "d", "Đ": "D"}
)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str, *, default: str = "document") -> str:
    """A short ASCII file name ending in `.pdf`: some ESPs garble or drop anything else."""
    ascii_name = (
        unicodedata.normalize("NFKD", name.translate(_ASCII_FALLBACK))
        .encode("ascii", "ignore")
        .decode()
    )
    stem = ascii_name.strip()
    if stem.lower().endswith(".pdf"):
        stem = stem[:-4]
    stem = _UNSAFE.sub("-", stem)
    stem = re.sub(r"-{2,}", "-", stem).strip(".-_")[:100].rstrip(".-_")
    return f"{stem or default}.pdf"


def render_filename(
    template: AttachmentTemplate | AttachmentTemplateRevision, context: Mapping[str, Any]
) -> str:
    """The template's file name for this context, sanitised."""
    name = render_template(
        template.filename_template or "",
        context,
        label=f"file name of “{template.name}”",
        autoescape=False,
    )
    return safe_filename(name)


def render_title(
    template: AttachmentTemplate | AttachmentTemplateRevision, context: Mapping[str, Any]
) -> str:
    """The document's title for this context (its title template, in the version's language),
    or its name when it has none: one line, at most 200 characters."""
    title = render_template(
        template.title_template or "",
        context,
        label=f"title of “{template.name}”",
        autoescape=False,
    )
    return " ".join(title.split())[:200] or template.name


def document_language(
    template: AttachmentTemplate | AttachmentTemplateRevision, context: Mapping[str, Any]
) -> str:
    """The language the document is written in: its version's (a message in a language the
    document has no version in gets the default language's version), else the context's."""
    version = getattr(template, "template", template)  # a revision's template holds it
    return getattr(version, "language", "") or str(context.get("language") or "")


def build_attachment(
    template: AttachmentTemplate | AttachmentTemplateRevision,
    context: Mapping[str, Any],
    password: str,
) -> Attachment:
    """Build the encrypted PDF attachment of `template` for `context`, opened by `password`.

    Raises `StaffTemplateError` for a template that does not compile or render,
    `AttachmentTooLarge` over `settings.ATTACHMENT_MAX_BYTES`, `AttachmentError` otherwise.
    """
    ensure_plain(context)
    filename = render_filename(template, context)
    pdf = html_to_pdf(render_html(template, context), name=template.name)
    content = encrypt_pdf(
        pdf,
        password,
        language=document_language(template, context),
        title=render_title(template, context),
    )
    check_size(content)
    return Attachment(filename=filename, content=content)


def warm_up() -> None:
    """Pay the first-document cost (imports, font parsing: 0.5-0.8 s) before the first customer.

    Call it once per worker process, e.g. from Celery's `worker_process_init` signal.
    """
    pdf = html_to_pdf(
        f"<html><head><style>{BASE_CSS}</style></head><body><b>Å ł Ω Ж</b></body></html>"
    )
    encrypt_pdf(pdf, secrets.token_urlsafe(8))


__all__ = [
    "PERMISSIONS",
    "Attachment",
    "AttachmentError",
    "AttachmentTooLarge",
    "build_attachment",
    "encrypt_pdf",
    "html_to_pdf",
    "render_html",
    "safe_filename",
    "verify_encrypted",
    "warm_up",
]

"""build_attachment: what a customer gets in the PDF, and what never leaks out of it."""

import contextvars
import io
import os
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from pypdf import PdfReader, PdfWriter

from attachments import rendering
from attachments.api import (
    Attachment,
    AttachmentError,
    AttachmentTooLarge,
    build_attachment,
)
from attachments.models import AttachmentTemplate
from attachments.rendering import (
    encrypt_pdf,
    html_to_pdf,
    render_html,
    safe_filename,
    verify_encrypted,
    warm_up,
)
from stafftemplates.errors import StaffTemplateError

from .conftest import MULTILINGUAL_OPTIONS, PASSWORD, decrypted_text, pdftotext, require_tool


def template_with(html: str, css: str = "", **fields) -> AttachmentTemplate:
    """An unsaved template: build_attachment needs no database."""
    return AttachmentTemplate(name="Test", html=html, css=css, **fields)


def expected_texts(context) -> list[str]:
    texts = [context["order"]["number"], context["customer"]["full_name"]]
    for line in context["lines"]:
        texts.append(line["product"])
        for option in line["options"]:
            texts += [option["name"], option["value"]]
    return texts


def test_pdf_text_holds_order_customer_and_every_option(receipt_template, context):
    attachment = build_attachment(receipt_template, context, PASSWORD)

    assert isinstance(attachment, Attachment)
    assert attachment.mimetype == "application/pdf"
    assert attachment.filename == f"order-{context['order']['number']}.pdf"
    text = decrypted_text(attachment.content, PASSWORD)
    for expected in expected_texts(context):
        assert expected in text, expected
    assert "■" not in text


def test_pdftotext_reads_every_language_as_letters(receipt_template, context):
    attachment = build_attachment(receipt_template, context, PASSWORD)

    text = pdftotext(attachment.content, PASSWORD)
    for expected in expected_texts(context):
        assert expected in text, expected
    assert {"Καλημέρα κόσμε", "Привет мир", "Zażółć łódź", "Größe straße"} <= {
        option["value"] for option in MULTILINGUAL_OPTIONS
    }


def test_opens_with_the_password_and_no_other(receipt_template, context):
    content = build_attachment(receipt_template, context, PASSWORD).content

    reader = PdfReader(io.BytesIO(content))
    assert reader.is_encrypted
    assert not reader.decrypt("")
    assert not reader.decrypt("K7M2-QX9D-4HRT-W3ZQ")
    assert not reader.decrypt(PASSWORD.lower())
    assert reader.decrypt(PASSWORD)


def test_pdftotext_refuses_a_wrong_password(receipt_template, context):
    content = build_attachment(receipt_template, context, PASSWORD).content
    tool = require_tool("pdftotext")

    wrong = subprocess.run([tool, "-upw", "guess", "-", "-"], input=content, capture_output=True)
    assert wrong.returncode != 0
    assert context["customer"]["full_name"].encode() not in wrong.stdout


def test_qpdf_reports_aes_256_revision_6_printing_and_copying_only(
    receipt_template, context, tmp_path
):
    content = build_attachment(receipt_template, context, PASSWORD).content
    qpdf = require_tool("qpdf")
    # qpdf reads files only; this copy is of the *encrypted* document.
    pdf = tmp_path / "encrypted.pdf"
    pdf.write_bytes(content)

    result = subprocess.run(
        [qpdf, "--show-encryption", f"--password={PASSWORD}", str(pdf)],
        capture_output=True,
        text=True,
        check=True,
    )
    report = result.stdout
    assert "R = 6" in report
    assert "file encryption method: AESv3" in report  # AESv3 is qpdf's name for AES-256
    assert "Supplied password is user password" in report
    assert "print high resolution: allowed" in report
    assert "extract for any purpose: allowed" in report  # copying: the receipt is theirs
    assert "extract for accessibility: allowed" in report
    assert "modify anything: not allowed" in report


def test_owner_password_is_random_and_not_the_user_password():
    pdf = build_attachment(template_with("<p>x</p>"), {}, PASSWORD).content
    encrypt = PdfReader(io.BytesIO(pdf)).trailer["/Encrypt"].get_object()
    # With the owner password equal to the user one, /O and /U validation salts would verify
    # the same password; pypdf tells which password opened it.
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.decrypt(PASSWORD).name == "USER_PASSWORD"
    assert encrypt["/V"] == 5
    assert encrypt["/R"] == 6


class RecordingHandler(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):
        RecordingHandler.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def spy_server():
    """An HTTP server on 127.0.0.1 that records every request it gets."""
    RecordingHandler.requests = []
    server = HTTPServer(("127.0.0.1", 0), RecordingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", RecordingHandler.requests
    server.shutdown()
    server.server_close()


def test_remote_and_local_resources_are_never_fetched(spy_server, context):
    base, requests = spy_server
    html = f"""
      <img src="{base}/img.png">
      <img src="file:///etc/passwd">
      <img src="/etc/passwd">
      <img src="../../../../etc/passwd">
      <img src="fonts/../../config/settings.py">
      <link rel="stylesheet" href="{base}/style.css">
      <p style="background-image: url('{base}/bg.png')">Order {{{{ order.number }}}}</p>
    """
    css = f"""
      @import url("{base}/import.css");
      @font-face {{ font-family: Evil; src: url("{base}/font.ttf"); }}
      @font-face {{ font-family: Passwd; src: url("file:///etc/passwd"); }}
      body {{ background-image: url("{base}/body.png"); }}
    """

    attachment = build_attachment(template_with(html, css), context, PASSWORD)

    assert requests == []
    text = decrypted_text(attachment.content, PASSWORD)
    assert context["order"]["number"] in text
    assert "root:" not in text


def test_reaching_into_objects_renders_nothing_sensitive(context):
    html = """
      <p>[{{ order.customer.user.password }}]</p>
      <p>[{{ customer.user.password }}]</p>
      <p>[{{ order.token }}]</p>
      <p>[{{ settings.SECRET_KEY }}]</p>
      <p>[{{ request.user }}]</p>
    """
    text = decrypted_text(
        build_attachment(template_with(html), context, PASSWORD).content, PASSWORD
    )

    assert text.split() == ["[]"] * 5


def test_a_model_instance_in_the_context_is_refused(context, django_user_model):
    context["customer"]["user"] = django_user_model(username="x", password="pbkdf2_sha256$hash")

    with pytest.raises(StaffTemplateError, match="plain values"):
        build_attachment(template_with("{{ customer.user.password }}"), context, PASSWORD)


@pytest.mark.parametrize(
    "tag", ["{% load static %}", "{% include 'base.html' %}", "{% debug %}", "{% url 'x' %}"]
)
def test_tags_that_reach_outside_the_context_do_not_exist(tag):
    with pytest.raises(StaffTemplateError, match="Line 1"):
        build_attachment(template_with(tag), {}, PASSWORD)


def test_building_writes_no_file(receipt_template, context, tmp_path, monkeypatch):
    empty = tmp_path / "tmp"
    empty.mkdir()
    monkeypatch.setenv("TMPDIR", str(empty))
    monkeypatch.setattr(tempfile, "tempdir", str(empty))

    build_attachment(receipt_template, context, PASSWORD)

    assert list(empty.iterdir()) == []


# Audit hooks cannot be removed: one hook for the whole run, recording only while a test
# sets the flag (in its own thread and context, so other code is never slowed or recorded).
_recording: contextvars.ContextVar[list | None] = contextvars.ContextVar("files", default=None)
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _file_audit(event: str, args: tuple) -> None:
    found = _recording.get()
    if found is None:
        return
    if event.startswith("tempfile."):
        found.append((event, args[0]))
    elif event == "open":
        path, mode, flags = args
        writes = any(c in mode for c in "wax+") if isinstance(mode, str) else False
        if writes or (isinstance(flags, int) and flags & _WRITE_FLAGS):
            found.append((event, path))


sys.addaudithook(_file_audit)


@contextmanager
def files_created():
    """Every file opened for writing and every temporary file/directory made in the block."""
    found: list = []
    token = _recording.set(found)
    try:
        yield found
    finally:
        _recording.reset(token)


def test_a_long_document_is_drawn_without_any_file(receipt_template, context):
    # 500 lines: about 170 KB of HTML, above the size at which xhtml2pdf used to spill its
    # source (name, address, email) into a temporary file.
    context["lines"] = context["lines"][1:2] * 500
    html_size = len(render_html(receipt_template, context).encode())
    assert html_size > 100 * 1024
    with files_created() as created:
        attachment = build_attachment(receipt_template, context, PASSWORD)

    assert created == []
    assert context["customer"]["full_name"] in decrypted_text(attachment.content, PASSWORD)


def test_the_file_recorder_sees_a_temporary_file():
    # The recorder itself works: without this, an empty list would prove nothing.
    with files_created() as created, tempfile.NamedTemporaryFile():
        pass
    assert "tempfile.mkstemp" in [event for event, _ in created]


def test_size_guard_counts_base64(settings, receipt_template, context):
    size = len(build_attachment(receipt_template, context, PASSWORD).content)
    # Just over the raw size but under its base64 size: refused, as the ESP would.
    settings.ATTACHMENT_MAX_BYTES = size + 10

    with pytest.raises(AttachmentTooLarge, match="limit") as raised:
        build_attachment(receipt_template, context, PASSWORD)
    assert isinstance(raised.value, AttachmentError)

    settings.ATTACHMENT_MAX_BYTES = 4 * size
    assert build_attachment(receipt_template, context, PASSWORD).content


def test_the_size_limit_is_exact_in_base64_bytes(settings):
    """6 bytes are 8 in base64, 7 are 12: the limit holds to the byte, as the ESP counts."""
    settings.ATTACHMENT_MAX_BYTES = 8
    rendering.check_size(b"x" * 6)
    with pytest.raises(AttachmentTooLarge) as raised:
        rendering.check_size(b"x" * 7)
    assert str(raised.value) == "The attachment is 12 bytes once encoded, over the 8 byte limit."


def test_a_crash_inside_xhtml2pdf_is_reported_by_its_type_only(monkeypatch):
    """A drawing library's message can quote the document (a name, an address): the error
    staff see names only what kind of failure it was."""

    def crash(*args, **kwargs):
        raise ZeroDivisionError("while drawing 'Åsa Öberg, Storgatan 1'")

    monkeypatch.setattr(rendering.pisa, "CreatePDF", crash)
    with pytest.raises(AttachmentError) as raised:
        html_to_pdf("<p>Åsa Öberg</p>")
    assert str(raised.value) == (
        "The PDF could not be drawn (ZeroDivisionError); check the HTML and CSS."
    )


def test_a_render_error_is_a_clear_template_error(context):
    with pytest.raises(StaffTemplateError, match="Line 2"):
        build_attachment(template_with("<p>\n{% if %}</p>"), context, PASSWORD)


def test_an_empty_password_is_refused():
    with pytest.raises(AttachmentError, match="password"):
        build_attachment(template_with("<p>x</p>"), {}, "")


@pytest.mark.parametrize("pdf", [b"not a pdf", b"%PDF-1.4\n%%EOF", b""])
def test_encrypt_refuses_a_broken_pdf(pdf):
    # Named by the parser's error class (never its message, which can quote the document).
    with pytest.raises(AttachmentError, match=r"The drawn PDF could not be read \(\w+Error\)"):
        encrypt_pdf(pdf, PASSWORD)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("order-NG-7K3M-Q9XD.pdf", "order-NG-7K3M-Q9XD.pdf"),
        ("Beställning Åsa Öberg", "Bestallning-Asa-Oberg.pdf"),
        ("Łódź straße.PDF", "Lodz-strasse.pdf"),
        ("Заказ.pdf", "document.pdf"),
        ("../../etc/passwd", "etc-passwd.pdf"),
        ('a"b;c\r\nd.exe', "a-b-c-d.exe.pdf"),
        ("", "document.pdf"),
        # Cut at 100 characters, and no dash left dangling where the cut fell.
        ("a" * 99 + " b" + "c" * 50, "a" * 99 + ".pdf"),
    ],
)
def test_file_names_are_safe_ascii_pdf(name, expected):
    assert safe_filename(name) == expected


def test_filename_template_is_rendered_and_sanitised(context):
    template = template_with(
        "<p>x</p>", filename_template="Kvitto {{ customer.full_name }} {{ order.number }}.pdf"
    )

    attachment = build_attachment(template, context, PASSWORD)

    assert attachment.filename == "Kvitto-Lucja-Zolkiewska-Oberg-NG-SAMP-LE42.pdf"


def test_a_template_without_a_file_name_gives_document_pdf(context):
    attachment = build_attachment(template_with("<p>x</p>", filename_template=""), context, "pw")
    assert attachment.filename == "document.pdf"


def test_a_file_name_is_rendered_as_text_not_html(context):
    """Escaping is for HTML: "&" or "'" in a name is dropped like any other sign, never
    turned into "amp" or "x27"."""
    template = template_with("<p>x</p>", filename_template="{{ shop }}")
    shop = {**context, "shop": "Svensson & Söner's"}
    assert build_attachment(template, shop, "pw").filename == "Svensson-Soner-s.pdf"


def test_the_page_rules_of_a_templates_css_apply(context):
    """The template's @page rules (in a stylesheet of their own) set the paper: A5 here."""
    template = template_with("<p>x</p>", css="@page { size: a5; } p { color: #333; }")
    pdf = PdfReader(io.BytesIO(html_to_pdf(render_html(template, context))))
    box = pdf.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (420, 595)


def test_verification_refuses_an_unencrypted_or_wrongly_encrypted_pdf():
    pdf = html_to_pdf("<p>x</p>")

    with pytest.raises(AttachmentError, match="not encrypted"):
        verify_encrypted(pdf, PASSWORD)
    with pytest.raises(AttachmentError, match="password does not open"):
        verify_encrypted(encrypt_pdf(pdf, PASSWORD), "another password")

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(PASSWORD, algorithm="AES-256-R5")
    weaker = io.BytesIO()
    writer.write(weaker)
    with pytest.raises(AttachmentError, match="revision 6"):
        verify_encrypted(weaker.getvalue(), PASSWORD)


def test_warm_up_draws_a_document_without_error(monkeypatch):
    # What it drew and encrypted: the embedded font's letters, not a failure swallowed.
    encrypted = []
    original = rendering.encrypt_pdf
    monkeypatch.setattr(
        rendering,
        "encrypt_pdf",
        lambda pdf, password: encrypted.append(pdf) or original(pdf, password),
    )

    warm_up()

    [pdf] = encrypted
    assert "Å ł Ω Ж" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()

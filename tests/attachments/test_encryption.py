"""The proof of encryption (attachments/encryption.py): only a really encrypted AES-256 R6
document that opens with the customer's password, as they type it, gets through."""

import inspect
import io
import json
import subprocess
import unicodedata
from functools import cache
from importlib.metadata import version

import pytest
from django.conf import settings
from pypdf import PasswordType, PdfReader, PdfWriter
from pypdf._encryption import AlgV5
from pypdf.constants import UserAccessPermissions
from reportlab import rl_config

from attachments import encryption
from attachments.encryption import (
    PERMISSIONS,
    StoredObjects,
    encrypt_pdf,
    saslprep,
    verify_encrypted,
)
from attachments.errors import AttachmentError
from attachments.models import AttachmentTemplate
from attachments.rendering import BASE_CSS, build_attachment, html_to_pdf

from .conftest import PASSWORD, decrypted_text, require_tool


@cache
def plain_pdf() -> bytes:
    return html_to_pdf(
        f"<html><head><style>{BASE_CSS}</style></head>"
        "<body><p>Łucja Żółkiewska-Öberg · Привет мир</p><p>second paragraph</p></body></html>"
    )


def encrypted_with(password: str = PASSWORD, *, plaintext_objects=False, **options) -> bytes:
    """The plain PDF encrypted by pypdf as `encrypt_pdf` does, with `options` changed."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain_pdf())))
    writer.encrypt(
        user_password=password,
        owner_password="owner-secret",
        permissions_flag=options.pop("permissions", PERMISSIONS),
        algorithm=options.pop("algorithm", "AES-256"),
    )
    if plaintext_objects:
        # A valid R6 /Encrypt dictionary, every object written in plaintext.
        writer._encryption = None
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def qpdf_encryption(content: bytes, password: str, directory) -> str:
    """qpdf's report on the encryption of `content` (encrypted: it may touch disk) opened
    with `password`."""
    pdf = directory / "encrypted.pdf"
    pdf.write_bytes(content)
    result = subprocess.run(
        [require_tool("qpdf"), "--show-encryption", f"--password={password}", str(pdf)],
        capture_output=True,
        check=False,
    )
    return result.stdout.decode()


def test_the_right_password_passes_and_opens_the_document_elsewhere():
    content = encrypt_pdf(plain_pdf(), PASSWORD)

    verify_encrypted(content, PASSWORD)
    assert "Łucja Żółkiewska-Öberg" in decrypted_text(content, PASSWORD)


@pytest.mark.parametrize(
    "wrong",
    ["", PASSWORD.lower(), PASSWORD[:-1], PASSWORD + " ", "K7M2-QX9D-4HRT-W3ZQ", "owner-secret"],
)
def test_wrong_passwords_are_refused(wrong):
    content = encrypted_with(PASSWORD)

    with pytest.raises(AttachmentError, match="password does not open"):
        verify_encrypted(content, wrong)


@pytest.mark.parametrize("algorithm", ["AES-256-R5", "AES-128", "RC4-128", "RC4-40"])
def test_weaker_encryption_is_refused_even_with_the_right_password(algorithm):
    content = encrypted_with(PASSWORD, algorithm=algorithm)
    assert PdfReader(io.BytesIO(content)).decrypt(PASSWORD)  # it does open with it

    with pytest.raises(AttachmentError, match="not AES-256 revision 6"):
        verify_encrypted(content, PASSWORD)


def test_a_valid_dictionary_over_plaintext_objects_is_refused():
    content = encrypted_with(PASSWORD, plaintext_objects=True)
    # What the former check (re-open with pypdf, look at /V, /R and the page count) accepted:
    reader = PdfReader(io.BytesIO(content), password=PASSWORD)
    encrypt = reader.trailer["/Encrypt"].get_object()
    assert (encrypt["/V"], encrypt["/R"], len(reader.pages)) == (5, 6, 1)

    with pytest.raises(AttachmentError, match="stored unencrypted"):
        verify_encrypted(content, PASSWORD)


def test_other_permissions_are_refused():
    content = encrypted_with(PASSWORD, permissions=PERMISSIONS | 8)  # + changing the document

    with pytest.raises(AttachmentError, match="permissions"):
        verify_encrypted(content, PASSWORD)


def test_printing_copying_and_accessibility_extraction_are_the_only_rights():
    rights = UserAccessPermissions
    granted = [right for right in rights if right.name[0] != "R" and PERMISSIONS & right]
    assert granted == [
        rights.PRINT,
        rights.EXTRACT,
        rights.EXTRACT_TEXT_AND_GRAPHICS,
        rights.PRINT_TO_REPRESENTATION,
    ]


def test_the_former_printing_only_permissions_are_refused():
    # Without accessibility extraction (bit 10): the proof checks /P and /Perms exactly.
    content = encrypted_with(PASSWORD, permissions=PERMISSIONS & ~512)

    with pytest.raises(AttachmentError, match="permissions"):
        verify_encrypted(content, PASSWORD)


@pytest.mark.parametrize("keep", [0.5, 0.98])
def test_a_truncated_file_is_refused(keep):
    content = encrypt_pdf(plain_pdf(), PASSWORD)

    with pytest.raises(AttachmentError, match="incomplete"):
        verify_encrypted(content[: int(len(content) * keep)], PASSWORD)


def test_content_that_does_not_decrypt_with_the_key_is_refused():
    content = bytearray(encrypt_pdf(plain_pdf(), PASSWORD))
    objects = StoredObjects(bytes(content))
    page = objects.resolve(objects.resolve(objects.trailer["/Root"])["/Pages"])["/Kids"][0]
    # Damage the last cipher block of the first page's content: its padding breaks.
    contents_number = objects.resolve(page).raw_get("/Contents").idnum
    start = bytes(content).index(b"stream", objects.offsets[contents_number]) + 7
    end = bytes(content).index(b"endstream", start) - 1
    content[end - 1] ^= 0xFF

    with pytest.raises(AttachmentError, match="does not decrypt"):
        verify_encrypted(bytes(content), PASSWORD)


@pytest.mark.parametrize(
    ("pdf", "reason"),
    [(b"not a pdf", "incomplete"), (b"%PDF-1.4\n%%EOF", "incomplete")],
)
def test_anything_else_fails_closed(pdf, reason):
    with pytest.raises(AttachmentError, match=reason):
        verify_encrypted(pdf, PASSWORD)


def test_an_unencrypted_document_is_refused():
    with pytest.raises(AttachmentError, match="not encrypted"):
        verify_encrypted(plain_pdf(), PASSWORD)


# Non-ASCII passwords: a `template` policy can make one from customer data.
NON_ASCII = "Åsa-Łódź-Ωμέγα-Жук-ß"


def test_a_non_ascii_password_opens_as_the_customer_types_it(tmp_path):
    content = encrypt_pdf(plain_pdf(), NON_ASCII)
    decomposed = unicodedata.normalize("NFD", NON_ASCII)  # how some keyboards send "Å"
    assert decomposed != NON_ASCII

    verify_encrypted(content, NON_ASCII)
    verify_encrypted(content, decomposed)
    verify_encrypted(content, NON_ASCII.replace("-", "-\u00ad", 1))  # soft hyphen: mapped out
    assert "Łucja" in decrypted_text(content, decomposed)  # pypdf prepares it the same way
    # qpdf takes the UTF-8 bytes as given (no SASLprep): the composed form, as typed.
    assert "Supplied password is user password" in qpdf_encryption(content, NON_ASCII, tmp_path)
    for wrong in ["Asa-Lodz-Ωμέγα-Жук-ß", "åsa-łódź-ωμέγα-жук-ß", "Åsa-Łódź-Ωμέγα-Жук-ss"]:
        with pytest.raises(AttachmentError, match="password does not open"):
            verify_encrypted(content, wrong)


def test_a_no_break_space_counts_as_a_space():
    content = encrypt_pdf(plain_pdf(), "Gamla Stan 12")

    verify_encrypted(content, "Gamla\u00a0Stan\u00a012")
    # The same proof refuses a near miss: passing above is the password opening the file.
    with pytest.raises(AttachmentError, match="password does not open"):
        verify_encrypted(content, "Gamla\u00a0Stan\u00a013")
    assert "Łucja" in decrypted_text(content, "Gamla\u00a0Stan\u00a012")


# What pypdf could write instead of AES-256 R6 if it changed under us: nothing encrypted at
# all, a weaker algorithm, or a valid R6 dictionary over plaintext objects.
def _unencrypted(writer, **kwargs):
    return None


def _weaker(writer, **kwargs):
    return ORIGINAL_ENCRYPT(writer, **{**kwargs, "algorithm": "AES-128"})


def _announced_only(writer, **kwargs):
    ORIGINAL_ENCRYPT(writer, **kwargs)
    writer._encryption = None


ORIGINAL_ENCRYPT = PdfWriter.encrypt


@pytest.mark.parametrize(
    ("broken_encrypt", "reason"),
    [
        (_unencrypted, "not encrypted"),
        (_weaker, "not AES-256 revision 6"),
        (_announced_only, "stored unencrypted"),
    ],
)
def test_encrypt_pdf_and_the_build_refuse_what_pypdf_wrote_wrongly(
    monkeypatch, broken_encrypt, reason
):
    monkeypatch.setattr(PdfWriter, "encrypt", broken_encrypt)

    with pytest.raises(AttachmentError, match=reason):
        encrypt_pdf(plain_pdf(), PASSWORD)
    template = AttachmentTemplate(name="Receipt", html="<p>{{ order.number }}</p>")
    with pytest.raises(AttachmentError, match=reason):
        build_attachment(template, {"order": {"number": "NG-1"}}, PASSWORD)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("abc\u0007def", "control character"),
        ("abc\ue000", "private-use"),
        ("שלום123", "right-to-left"),
        ("שלוםabc", "right-to-left"),
    ],
)
def test_a_password_no_reader_accepts_is_refused_before_encrypting(password, reason):
    with pytest.raises(ValueError, match=reason):
        saslprep(password)
    with pytest.raises(AttachmentError, match="cannot be used"):
        encrypt_pdf(plain_pdf(), password)


def test_saslprep_keeps_what_rfc_4013_keeps():
    assert saslprep("I\u00adX") == "IX"  # soft hyphen mapped to nothing
    assert saslprep("user") == "user"
    assert saslprep("USER") == "USER"
    assert saslprep("\u00aa") == "a"  # NFKC
    assert saslprep("\u2168") == "IX"
    assert saslprep("שלום") == "שלום"


def test_no_password_opens_the_document_as_its_owner(monkeypatch):
    """/O and /OE are random: the customer's password opens it as the user (printing and
    accessibility only), and not even the owner password pypdf was handed opens it as the
    owner (with pypdf's own /O it would)."""
    handed = []
    token_urlsafe = encryption.secrets.token_urlsafe

    def remembered(nbytes=None):
        handed.append(token_urlsafe(nbytes))
        return handed[-1]

    monkeypatch.setattr(encryption.secrets, "token_urlsafe", remembered)
    content = encrypt_pdf(plain_pdf(), PASSWORD)
    (owner_password,) = handed

    reader = PdfReader(io.BytesIO(content))
    assert reader.decrypt(PASSWORD) == PasswordType.USER_PASSWORD
    assert reader.user_access_permissions == PERMISSIONS
    assert PdfReader(io.BytesIO(content)).decrypt(owner_password) == PasswordType.NOT_DECRYPTED


def test_qpdf_finds_the_document_sound_and_the_password_a_user_password(tmp_path):
    pdf = tmp_path / "encrypted.pdf"  # the *encrypted* document
    pdf.write_bytes(encrypt_pdf(plain_pdf(), PASSWORD))

    checked = subprocess.run(
        [require_tool("qpdf"), "--check", f"--password={PASSWORD}", str(pdf)],
        capture_output=True,
        check=False,
    )

    report = checked.stdout.decode()
    assert checked.returncode == 0, report
    assert "No syntax or stream encoding errors found" in report
    assert "Supplied password is user password" in report


def test_pypdf_never_hashes_the_thrown_away_owner_password(monkeypatch):
    """The guards on the private method the shortcut replaces: the shortcut is used (pypdf's
    method is never called), pypdf's own method is back after each encryption, and the
    release, the method's signature and its caller are those this was checked against (an
    upgrade, or pypdf computing /O elsewhere, fails here instead of silently hashing again)."""
    calls = []
    original = AlgV5.compute_O_value

    def hashing(*args):
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(AlgV5, "compute_O_value", staticmethod(hashing))

    encrypt_pdf(plain_pdf(), PASSWORD)
    assert calls == []  # drawn at random instead
    assert AlgV5.__dict__["compute_O_value"].__func__ is hashing  # pypdf's own again after

    def failing(*args, **kwargs):
        raise RuntimeError("the writer failed")

    with monkeypatch.context() as patch:
        patch.setattr(PdfWriter, "encrypt", failing)
        with pytest.raises(RuntimeError):
            encrypt_pdf(plain_pdf(), PASSWORD)
    assert AlgV5.__dict__["compute_O_value"].__func__ is hashing  # even when encrypting fails

    assert version("pypdf") == encryption.CHECKED_PYPDF
    # pyproject.toml takes a range (another release falls back on pypdf's own method); the
    # lock, what deployments install, pins the checked one.
    lock = (settings.BASE_DIR / "requirements.lock").read_text()
    assert f"\npypdf=={encryption.CHECKED_PYPDF} " in lock
    assert list(inspect.signature(original).parameters) == ["R", "password", "key", "u_value"]
    assert "AlgV5.compute_O_value(" in inspect.getsource(AlgV5.generate_values)


def test_another_pypdf_release_hashes_as_pypdf_does(monkeypatch):
    """pyproject.toml takes a range: on a release nobody checked, pypdf's own method runs and
    the file is as good."""
    calls = []
    original = AlgV5.compute_O_value

    def hashing(*args):
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(AlgV5, "compute_O_value", staticmethod(hashing))
    monkeypatch.setattr(encryption, "_pypdf_checked", lambda: False)

    content = encrypt_pdf(plain_pdf(), PASSWORD)

    assert len(calls) == 1
    assert PdfReader(io.BytesIO(content), password=PASSWORD).pages


def test_a_malformed_owner_value_is_refused():
    content = encrypt_pdf(plain_pdf(), PASSWORD)
    start = content.index(b"/OE <") + len(b"/OE <")
    # One byte (two hex digits) short, padded with spaces: every offset stays right.
    shortened = content[:start] + content[start + 2 : start + 64] + b">  " + content[start + 65 :]

    with pytest.raises(AttachmentError, match="/OE is missing or malformed"):
        verify_encrypted(shortened, PASSWORD)


def test_armoured_page_content_is_proved_too(monkeypatch):
    """Documents are written with plain Flate streams (`rl_config.useA85 = 0`); ReportLab's
    default, ASCII85 over Flate, is proved the same way should it come back."""
    monkeypatch.setattr(rl_config, "useA85", 1)
    armoured = html_to_pdf(
        f"<html><head><style>{BASE_CSS}</style></head><body><p>Armoured Å</p></body></html>"
    )
    assert b"/ASCII85Decode" in armoured

    verify_encrypted(encrypt_pdf(armoured, PASSWORD), PASSWORD)
    assert "Armoured Å" in decrypted_text(encrypt_pdf(armoured, PASSWORD), PASSWORD)


def test_the_header_declares_the_version_the_encryption_needs(tmp_path):
    # AES-256 R6 is not PDF 1.3 (ReportLab's header): PDF 1.7 with Adobe's extension level 8.
    content = encrypt_pdf(plain_pdf(), PASSWORD)
    pdf = tmp_path / "encrypted.pdf"
    pdf.write_bytes(content)

    report = subprocess.run(
        [require_tool("qpdf"), f"--password={PASSWORD}", "--json=2", str(pdf)],
        capture_output=True,
        check=True,
    ).stdout
    described = json.loads(report)
    [header, objects] = described["qpdf"]
    catalog_ref = objects["trailer"]["value"]["/Root"]
    catalog = objects[f"obj:{catalog_ref}"]["value"]
    assert content.startswith(b"%PDF-1.7\n")
    assert header["pdfversion"] == "1.7"
    assert described["encrypt"]["parameters"] | {"P": 0} == {
        **described["encrypt"]["parameters"],
        "P": 0,
        "R": 6,
        "V": 5,
        "method": "AESv3",
    }
    assert catalog["/Extensions"] == {"/ADBE": {"/BaseVersion": "/1.7", "/ExtensionLevel": 8}}

"""Encrypt a document with AES-256 (revision 6) and prove the result is really encrypted.

`encrypt_pdf` encrypts with pypdf, a random owner password and permissions limited to printing,
copying and accessibility extraction (`PERMISSIONS`), after writing the document's language
and title where readers and screen readers look for them (`describe_document`), then
`verify_encrypted` checks the bytes it produced, without pypdf's reader, as ISO 32000-2 says a
reader opens them (§7.6.4.3.3, Algorithms 2.A and 2.B):

1. the `/Encrypt` dictionary is the standard handler, `/V 5 /R 6`, with AES-256 (`/AESV3`)
   for strings and streams (`/StmF` and `/StrF` = `/StdCF`);
2. the password, prepared as a reader prepares what the customer types (SASLprep, UTF-8, at
   most 127 bytes), validates `/U` with the revision 6 hash;
3. the file key, unwrapped from `/UE` with the intermediate key (AES-256, CBC, zero IV),
   decrypts `/Perms` (AES-256, ECB) to the intended permissions and the `adb` marker;
4. the first page's content stream does not decode (ASCII85, inflate) as stored, and decodes
   once decrypted with that key (AES-256-CBC, the IV being its first 16 bytes): its objects
   were written encrypted, not merely announced as such by a valid dictionary.

Two revision 6 hashes in all, where re-opening the file with pypdf cost three (it tries the
password as the owner's first). Anything unexpected fails closed with `AttachmentError`.

Nobody has the owner password: it would lift the restrictions, so none is kept. pypdf would
still derive `/O` and `/OE` from a random one with two revision 6 hashes over it and `/U`
(~2.5 ms, a twentieth of a document's build) for values that, from a random password thrown
away, are indistinguishable from random bytes — so `encrypt_pdf` has them drawn at random
instead (`_owner_values_drawn_at_random`): no password opens the document as its owner, as
before. pypdf offers no public way to say "no owner password"; this replaces one private
static method while the writer computes the dictionary, and only on the pypdf release it was
checked against (`CHECKED_PYPDF`, pinned in requirements.lock; `tests/attachments/
test_encryption.py` fails when the method, its caller or the version change). The user side
(`/U`, `/UE`, `/Perms`, the file key) is pypdf's own, and the proof above checks it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import re
import secrets
import stringprep
import struct
import threading
import unicodedata
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib.metadata import version

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from pypdf import PdfReader, PdfWriter
from pypdf._encryption import AlgV5
from pypdf.constants import UserAccessPermissions
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    StreamObject,
    TextStringObject,
    read_object,
)

from .errors import AttachmentError

# Printing, extracting text for accessibility (bit 10), so a screen reader reads the
# customer's own receipt aloud, and copying (bit 5): the receipt is theirs, its number and
# amounts go into their own books and forms, and assistive tools that read through the
# clipboard need it (docs/integrators/documents.md, "Accessibility"); it protects nothing
# from whoever has the password. Changing, annotating, filling forms and assembling stay off.
# High-quality printing (bit 12) too, or readers print a blurry bitmap. The spec wants the
# reserved bits 7-8 and 13-32 set; pypdf leaves that to the caller.
_RESERVED_ONES = 0b11 << 6 | (2**32 - 2**12)
PERMISSIONS = UserAccessPermissions(
    UserAccessPermissions.PRINT
    | UserAccessPermissions.PRINT_TO_REPRESENTATION
    | UserAccessPermissions.EXTRACT
    | UserAccessPermissions.EXTRACT_TEXT_AND_GRAPHICS
    | _RESERVED_ONES
)

_ZERO_IV = bytes(16)
# A content stream is a few hundred KB at most; inflating stops there (a zip bomb cannot cost).
_INFLATE_LIMIT = 16 * 1024 * 1024


class EncryptionCheckFailed(AttachmentError):
    """The encrypted document is not what it must be: it is never sent."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"Encryption failed: {reason}.")


def encrypt_pdf(pdf: bytes, password: str, *, language: str = "", title: str = "") -> bytes:
    """Encrypt with AES-256 (revision 6), a random owner password and `PERMISSIONS` (printing,
    copying and accessibility extraction), the document described first by its `language`
    and `title` (`describe_document`), both encrypted with the rest.

    The result is proved by `verify_encrypted`, or `AttachmentError` is raised: an unencrypted
    document is never returned.
    """
    if not password:
        raise AttachmentError("A document password is required.")
    prepare_password(password)  # refuse, before any work, a password no reader could take
    try:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    except Exception as exc:
        # Only the type: a parser's message can quote the document.
        raise AttachmentError(f"The drawn PDF could not be read ({type(exc).__name__}).") from None
    declare_r6_version(writer)
    describe_document(writer, language=language, title=title)
    with _owner_values_drawn_at_random():
        writer.encrypt(
            user_password=password,
            # Random and thrown away: nobody, not even staff, can lift the restrictions with
            # it (and on the checked pypdf release, /O and /OE are drawn at random instead).
            owner_password=secrets.token_urlsafe(32),
            permissions_flag=PERMISSIONS,
            algorithm="AES-256",
        )
    output = io.BytesIO()
    writer.write(output)
    encrypted = output.getvalue()
    verify_encrypted(encrypted, password)
    return encrypted


def declare_r6_version(writer: PdfWriter) -> None:
    """Declare the version AES-256 revision 6 needs, instead of ReportLab's `%PDF-1.3`.

    R6 belongs to PDF 2.0 (ISO 32000-2) and, before it, to PDF 1.7 with Adobe's extension
    level 8, which is what Acrobat and qpdf write for it. 1.7 + level 8 is chosen: it says
    what the file needs to readers from before PDF 2.0 that support R6 (Acrobat X and later
    among them) without claiming PDF 2.0 semantics for ReportLab's 1.x content (its
    document information dictionary, deprecated in 2.0, for one).
    """
    writer.pdf_header = b"%PDF-1.7"
    writer.root_object[NameObject("/Extensions")] = DictionaryObject(
        {
            NameObject("/ADBE"): DictionaryObject(
                {
                    NameObject("/BaseVersion"): NameObject("/1.7"),
                    NameObject("/ExtensionLevel"): NumberObject(8),
                }
            )
        }
    )


def describe_document(writer: PdfWriter, *, language: str, title: str) -> None:
    """Say what the document is where readers look (ISO 32000-1 §14.9.2, §12.2, PDF/UA
    7.2 and 7.1): its natural language as `/Lang` in the catalog (a BCP 47 tag such as `sv`,
    which screen readers pick a voice by), its `/Title` in the document information, and
    `/DisplayDocTitle` in the viewer preferences, so a viewer's window and tab show that title
    instead of the file name. Empty values are left out."""
    if language:
        writer.root_object[NameObject("/Lang")] = TextStringObject(language)
    if title:
        writer.add_metadata({"/Title": title})
        preferences = writer.root_object.get("/ViewerPreferences")
        preferences = preferences.get_object() if preferences is not None else DictionaryObject()
        preferences[NameObject("/DisplayDocTitle")] = BooleanObject(True)
        writer.root_object[NameObject("/ViewerPreferences")] = preferences


# --- no owner password ----------------------------------------------------------------------

CHECKED_PYPDF = "7.1.1"
_owner_values_lock = threading.Lock()


def _random_owner_values(R: int, password: bytes, key: bytes, u_value: bytes):
    """`/O` (a 32-byte "hash" and two 8-byte salts) and `/OE` for an owner password nobody
    has: random bytes of their lengths (ISO 32000-2, Algorithm 9)."""
    return secrets.token_bytes(48), secrets.token_bytes(32)


@cache
def _pypdf_checked() -> bool:
    """Whether the installed pypdf is the release the shortcut was checked against (asked
    once: reading a distribution's metadata costs ~0.5 ms)."""
    return version("pypdf") == CHECKED_PYPDF


@contextmanager
def _owner_values_drawn_at_random() -> Iterator[None]:
    """While pypdf's writer computes the encryption dictionary, `/O` and `/OE` are random
    instead of two revision 6 hashes of a random password that is then thrown away.

    Scoped: pypdf's method is its own again as soon as the dictionary is written, even when
    writing it fails. Locked against other callers of this function only, not thread-isolated:
    nothing else in this project encrypts with pypdf, and code that did, with an owner
    password it meant to keep, must not run in another thread meanwhile. On another pypdf
    release nothing is replaced (the document is the same, 2.5 ms slower)."""
    if not _pypdf_checked():
        yield
        return
    with _owner_values_lock:
        original = AlgV5.__dict__["compute_O_value"]
        try:
            AlgV5.compute_O_value = staticmethod(_random_owner_values)
            yield
        finally:
            AlgV5.compute_O_value = original


# --- passwords ----------------------------------------------------------------------------

# RFC 4013 §2.3: what a prepared password may not contain (unassigned code points included,
# as for a stored string).
_PROHIBITED = (
    (stringprep.in_table_c12, "a non-ASCII space"),
    (stringprep.in_table_c21, "an ASCII control character"),
    (stringprep.in_table_c22, "a control character"),
    (stringprep.in_table_c3, "a private-use character"),
    (stringprep.in_table_c4, "a non-character code point"),
    (stringprep.in_table_c5, "a surrogate code point"),
    (stringprep.in_table_c6, "a character inappropriate for plain text"),
    (stringprep.in_table_c7, "a character inappropriate for canonical representation"),
    (stringprep.in_table_c8, "a display-changing or deprecated character"),
    (stringprep.in_table_c9, "a tagging character"),
    (stringprep.in_table_a1, "an unassigned code point"),
)


def saslprep(text: str) -> str:
    """`text` prepared with the SASLprep profile (RFC 4013), as PDF 2.0 wants an AES-256
    password prepared: readers do it to what the customer types, so "Å" typed composed or
    decomposed, or a no-break space for a space, opens the document all the same.

    Raises `ValueError` naming what RFC 4013 refuses.
    """
    mapped = "".join(
        " " if stringprep.in_table_c12(char) else char
        for char in text
        if not stringprep.in_table_b1(char)
    )
    prepared = unicodedata.normalize("NFKC", mapped)
    for char in prepared:
        for prohibited, description in _PROHIBITED:
            if prohibited(char):
                raise ValueError(f"it contains {description} (U+{ord(char):04X})")
    right_to_left = [stringprep.in_table_d1(char) for char in prepared]
    if any(right_to_left):
        if any(stringprep.in_table_d2(char) for char in prepared):
            raise ValueError("it mixes right-to-left and left-to-right letters")
        if not (right_to_left[0] and right_to_left[-1]):
            raise ValueError("it has right-to-left letters but does not start and end with one")
    return prepared


def prepare_password(password: str) -> bytes:
    """The bytes an AES-256 reader derives from the typed `password` (SASLprep, UTF-8, ≤127)."""
    try:
        prepared = saslprep(password)
    except ValueError as exc:
        # The reason names a character class and code point, never the password.
        raise AttachmentError(
            f"The document password cannot be used: {exc}; PDF readers refuse such passwords."
        ) from None
    return prepared.encode("utf-8")[:127]


# --- the revision 6 key derivation ----------------------------------------------------------

_HASHES = (hashlib.sha256, hashlib.sha384, hashlib.sha512)


def hash_r6(password: bytes, salt: bytes, user_key: bytes = b"") -> bytes:
    """ISO 32000-2 Algorithm 2.B: the hash of a prepared password with an 8-byte salt (and,
    for the owner password, the 48-byte `/U`)."""
    k = hashlib.sha256(password + salt + user_key).digest()
    round_number = 0
    while True:
        round_number += 1
        k1 = (password + k + user_key) * 64
        e = Cipher(algorithms.AES(k[:16]), modes.CBC(k[16:32])).encryptor().update(k1)
        # The first 16 bytes of E as a big-endian number, modulo 3: as 256 ≡ 1 (mod 3), the
        # sum of the bytes has the same remainder.
        k = _HASHES[sum(e[:16]) % 3](e).digest()
        if round_number >= 64 and e[-1] <= round_number - 32:
            return k[:32]


def _aes_cbc_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    return Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor().update(data)


def _aes_ecb_decrypt(key: bytes, data: bytes) -> bytes:
    return Cipher(algorithms.AES(key), modes.ECB()).decryptor().update(data)  # noqa: S305 - the spec's /Perms block


# --- reading the file as stored -----------------------------------------------------------

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*\Z")
_SUBSECTION = re.compile(rb"(\d+) (\d+)[ \t]*\r?\n")
_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])(?: \r| \n|\r\n)")
_TRAILER = re.compile(rb"\s*trailer\s*")
_OBJECT_HEADER = re.compile(rb"\s*(\d+)\s+(\d+)\s+obj\b")
_MAX_PAGE_TREE_DEPTH = 32


class StoredObjects:
    """The objects of a PDF as written, not decrypted: just enough to reach the first page.

    Reads the single classic cross-reference table and trailer that pypdf's writer produces;
    anything else (a cross-reference stream, an incremental update) is unexpected here.
    """

    strict = True  # what pypdf's object parser asks of the document it reads for

    def __init__(self, pdf: bytes) -> None:
        self.pdf = pdf
        self.stream = io.BytesIO(pdf)
        found = _STARTXREF.search(pdf, max(0, len(pdf) - 1024))
        if found is None:
            raise EncryptionCheckFailed("the document is incomplete (no end of file marker)")
        position = int(found[1])
        if not pdf.startswith(b"xref", position):
            raise EncryptionCheckFailed("the document has an unexpected cross-reference table")
        self.offsets: dict[int, int] = {}
        position += 4
        while subsection := _SUBSECTION.match(pdf, _skip_space(pdf, position)):
            first, count = int(subsection[1]), int(subsection[2])
            position = subsection.end()
            for number in range(first, first + count):
                entry = _ENTRY.match(pdf, position)
                if entry is None:
                    raise EncryptionCheckFailed("the cross-reference table is damaged")
                if entry[3] == b"n":
                    self.offsets[number] = int(entry[1])
                position = entry.end()
        trailer = _TRAILER.match(pdf, position)
        if trailer is None:
            raise EncryptionCheckFailed("the document has no trailer")
        self.stream.seek(trailer.end())
        self.trailer = read_object(self.stream, self)
        if not isinstance(self.trailer, DictionaryObject) or {"/Prev", "/XRefStm"} & set(
            self.trailer
        ):
            raise EncryptionCheckFailed("the document has an unexpected trailer")

    def get_object(self, reference: int | IndirectObject) -> PdfObject:
        """The object as stored (strings and streams still encrypted)."""
        number = reference if isinstance(reference, int) else reference.idnum
        offset = self.offsets.get(number)
        header = None if offset is None else _OBJECT_HEADER.match(self.pdf, offset)
        if header is None or int(header[1]) != number:
            raise EncryptionCheckFailed(f"object {number} is missing")
        self.stream.seek(_skip_space(self.pdf, header.end()))
        return read_object(self.stream, self)

    def resolve(self, value: PdfObject | None) -> PdfObject | None:
        return self.get_object(value) if isinstance(value, IndirectObject) else value


def _skip_space(data: bytes, position: int) -> int:
    while position < len(data) and data[position] in b" \t\r\n":
        position += 1
    return position


def _binary(value: PdfObject | None, length: int, name: str) -> bytes:
    if isinstance(value, ByteStringObject | TextStringObject):
        data = value.original_bytes
        if len(data) == length:
            return data
    raise EncryptionCheckFailed(f"the encryption dictionary's {name} is missing or malformed")


def _first_page_contents(objects: StoredObjects) -> StreamObject:
    catalog = objects.resolve(objects.trailer.get("/Root"))
    if not isinstance(catalog, DictionaryObject):
        raise EncryptionCheckFailed("the document has no catalog")
    node = objects.resolve(catalog.get("/Pages"))
    for _ in range(_MAX_PAGE_TREE_DEPTH):
        if not isinstance(node, DictionaryObject):
            break
        if node.get("/Type") != "/Pages":
            contents = objects.resolve(node.get("/Contents"))
            if isinstance(contents, ArrayObject) and contents:
                contents = objects.resolve(contents[0])
            if isinstance(contents, StreamObject):
                return contents
            break
        kids = objects.resolve(node.get("/Kids"))
        node = objects.resolve(kids[0]) if isinstance(kids, ArrayObject) and kids else None
    raise EncryptionCheckFailed("the document has no first page with content")


def _inflate(data: bytes) -> bytes | None:
    """`data` inflated (its first `_INFLATE_LIMIT` bytes), or None when it is not zlib data."""
    inflater = zlib.decompressobj()
    try:
        inflated = inflater.decompress(data, _INFLATE_LIMIT)
    except zlib.error:
        return None
    return inflated if inflated and (inflater.eof or inflater.unconsumed_tail) else None


def _ascii85(data: bytes) -> bytes | None:
    """`data` ASCII85-decoded, end marker required, or None."""
    try:
        return base64.a85decode(data.strip(_WHITESPACE), adobe=True, ignorechars=_WHITESPACE)
    except ValueError:
        return None


_WHITESPACE = b" \t\r\n\f\x00"
_DECODERS = {"/ASCII85Decode": _ascii85, "/FlateDecode": _inflate}
# How ReportLab stores page content: compressed, and by default ASCII85-armoured too.
_CONTENT_FILTERS = (["/FlateDecode"], ["/ASCII85Decode", "/FlateDecode"])


def _decode(data: bytes, filters: list[str]) -> bytes | None:
    """`data` through its filters, or None when one of them does not accept it."""
    for name in filters:
        decoded = _DECODERS[name](data)
        if decoded is None:
            return None
        data = decoded
    return data


def _unpad(data: bytes) -> bytes:
    pad = data[-1] if data else 0
    if not 1 <= pad <= 16 or data[-pad:] != bytes([pad]) * pad:
        raise EncryptionCheckFailed("the first page does not decrypt with the document's key")
    return data[:-pad]


def _filters(stream: StreamObject) -> list[str]:
    value = stream.get("/Filter")
    return [str(name) for name in (value if isinstance(value, ArrayObject) else [value])]


# --- the proof ------------------------------------------------------------------------------


def verify_encrypted(pdf: bytes, password: str, permissions: int = PERMISSIONS) -> None:
    """Prove that `pdf` is AES-256 R6 encrypted, that `password` opens it with `permissions`,
    and that its content is really encrypted; raise `AttachmentError` saying why not."""
    try:
        _verify(pdf, password, permissions)
    except AttachmentError:
        raise
    except Exception as exc:
        # Only the type: a parser's message can quote the document.
        raise EncryptionCheckFailed(
            f"the document could not be checked ({type(exc).__name__})"
        ) from None


def _verify(pdf: bytes, password: str, permissions: int) -> None:
    objects = StoredObjects(pdf)
    encrypt = objects.resolve(objects.trailer.get("/Encrypt"))
    if not isinstance(encrypt, DictionaryObject):
        raise EncryptionCheckFailed("the document is not encrypted")

    # 1. The standard handler, AES-256 revision 6, for strings and streams.
    filters = objects.resolve(encrypt.get("/CF"))
    std_cf = (
        objects.resolve(filters.get("/StdCF")) if isinstance(filters, DictionaryObject) else None
    )
    if not (
        encrypt.get("/Filter") == "/Standard"
        and encrypt.get("/V") == 5
        and encrypt.get("/R") == 6
        and encrypt.get("/Length", 256) == 256
        and encrypt.get("/StmF") == "/StdCF"
        and encrypt.get("/StrF") == "/StdCF"
        and encrypt.get("/EFF", "/StdCF") == "/StdCF"
        and isinstance(std_cf, DictionaryObject)
        and std_cf.get("/CFM") == "/AESV3"
        and encrypt.get("/EncryptMetadata", BooleanObject(True)) == BooleanObject(True)
    ):
        raise EncryptionCheckFailed(
            "the document is not AES-256 revision 6 (/Standard, /V 5, /R 6, /AESV3 for "
            "strings and streams)"
        )
    u_value = _binary(encrypt.get("/U"), 48, "/U")
    ue_value = _binary(encrypt.get("/UE"), 32, "/UE")
    # A reader tries a password as the owner's first: these must be well formed too.
    _binary(encrypt.get("/O"), 48, "/O")
    _binary(encrypt.get("/OE"), 32, "/OE")
    perms = _binary(encrypt.get("/Perms"), 16, "/Perms")
    p_value = encrypt.get("/P")
    if not isinstance(p_value, NumberObject) or p_value & 0xFFFFFFFF != permissions & 0xFFFFFFFF:
        raise EncryptionCheckFailed("the document's permissions are not the intended ones")

    # 2. The password validates /U (its hash with the validation salt).
    prepared = prepare_password(password)
    if not hmac.compare_digest(hash_r6(prepared, u_value[32:40]), u_value[:32]):
        raise EncryptionCheckFailed("the password does not open the document")

    # 3. The file key from /UE decrypts /Perms to the intended permissions.
    file_key = _aes_cbc_decrypt(hash_r6(prepared, u_value[40:48]), _ZERO_IV, ue_value)
    block = _aes_ecb_decrypt(file_key, perms)
    expected = struct.pack("<I", permissions & 0xFFFFFFFF) + b"\xff\xff\xff\xffT" + b"adb"
    if not hmac.compare_digest(block[:12], expected):
        raise EncryptionCheckFailed("/Perms does not decrypt to the intended permissions")

    # 4. The first page's content is encrypted with that key: as stored, it does not decode
    # through its filters; decrypted, it does.
    contents = _first_page_contents(objects)
    filters = _filters(contents)
    if filters not in _CONTENT_FILTERS:
        raise EncryptionCheckFailed("the first page's content has an unexpected filter")
    stored = StreamObject.get_data(contents)  # the bytes as written, not decoded
    if _decode(stored, filters) is not None:
        raise EncryptionCheckFailed("the first page's content is stored unencrypted")
    if len(stored) < 32 or len(stored) % 16:
        raise EncryptionCheckFailed("the first page's content is not AES-encrypted")
    decrypted = _unpad(_aes_cbc_decrypt(file_key, stored[:16], stored[16:]))
    if _decode(decrypted, filters) is None:
        raise EncryptionCheckFailed("the first page does not decrypt with the document's key")

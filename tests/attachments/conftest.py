"""Fixtures for the attachments tests: a receipt template, a multilingual order, PDF readers."""

import io
import os
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from shop.documents import sample_order_context
from tests.factories import ReceiptFactory

# Every script docs/developers/pdf-pipeline.md promises, as a customer would type it.
MULTILINGUAL_OPTIONS = [
    {"name": "Färg", "value": "Gräsgrön åäö ÅÄÖ"},
    {"name": "Grawer", "value": "Zażółć łódź"},
    {"name": "Gravur", "value": "Größe straße"},
    {"name": "Χάραξη", "value": "Καλημέρα κόσμε"},
    {"name": "Гравировка", "value": "Привет мир"},
]

PASSWORD = "K7M2-QX9D-4HRT-W3ZP"


@pytest.fixture
def receipt_template(db):
    """A complete order document: addresses, options, totals, VAT, seller, page footer."""
    return ReceiptFactory()


@pytest.fixture
def context():
    """The sample order with one line carrying options in five languages."""
    data = sample_order_context(3)
    data["customer"]["full_name"] = "Łucja Żółkiewska-Öberg"
    data["lines"][0]["options"] = MULTILINGUAL_OPTIONS
    return data


def require_tool(name: str) -> str:
    """The path of a Debian tool; skip without it, except in CI where it must be there."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is required in CI (apt-get install qpdf poppler-utils)")
        pytest.skip(f"{name} is not installed")
    return path


def decrypted_text(pdf: bytes, password: str) -> str:
    """The PDF's text through pypdf, after opening it with `password`."""
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.is_encrypted
    assert reader.decrypt(password)
    return "\n".join(page.extract_text() for page in reader.pages)


def pdftotext(pdf: bytes, password: str) -> str:
    """The PDF's text through poppler's pdftotext (reads stdin, writes stdout: no file)."""
    tool = require_tool("pdftotext")
    result = subprocess.run(
        [tool, "-upw", password, "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode()

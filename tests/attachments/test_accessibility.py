"""The PDF as a document people can use (docs/integrators/documents.md, "Accessibility"): it
says its language and its title in that language, a viewer shows the title, and its text may
be read aloud and copied, while it stays AES-256 encrypted and opened by the password alone."""

import io

import pytest
from pypdf import PasswordType, PdfReader
from pypdf.constants import UserAccessPermissions

from attachments.encryption import PERMISSIONS, verify_encrypted
from attachments.rendering import build_attachment
from tests.factories import AttachmentTemplateFactory

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

CONTEXT = {
    "order": {"number": "NG-7K3M-Q9XD"},
    "customer": {"full_name": "Åsa Öberg"},
    "language": "sv",
}
TITLES = {
    "sv": "Orderbekräftelse och kvitto {{ order.number }}",
    "en": "Order confirmation and receipt {{ order.number }}",
}


def opened(content: bytes) -> PdfReader:
    """The document as a reader opens it with the customer's password (the user's rights)."""
    reader = PdfReader(io.BytesIO(content))
    assert reader.decrypt(PASSWORD) == PasswordType.USER_PASSWORD
    return reader


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("sv", "Orderbekräftelse och kvitto NG-7K3M-Q9XD"),
        ("en", "Order confirmation and receipt NG-7K3M-Q9XD"),
    ],
)
def test_the_document_says_its_language_and_its_title_in_that_language(language, title):
    template = AttachmentTemplateFactory(language=language, title_template=TITLES[language])

    content = build_attachment(template, CONTEXT | {"language": language}, PASSWORD).content

    reader = opened(content)
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == language
    assert reader.metadata.title == title
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    verify_encrypted(content, PASSWORD)  # still the proven AES-256 R6 document


def test_a_document_without_a_title_of_its_own_is_titled_by_its_name():
    template = AttachmentTemplateFactory(name="Kvitto", language="sv")

    reader = opened(build_attachment(template, CONTEXT, PASSWORD).content)

    assert reader.metadata.title == "Kvitto"
    assert reader.trailer["/Root"]["/Lang"] == "sv"


def test_its_text_may_be_read_aloud_and_copied_but_nothing_else_changed():
    template = AttachmentTemplateFactory(language="sv")

    reader = opened(build_attachment(template, CONTEXT, PASSWORD).content)

    rights = UserAccessPermissions
    granted = reader.user_access_permissions
    assert granted == PERMISSIONS
    assert rights.EXTRACT_TEXT_AND_GRAPHICS & granted  # accessibility (bit 10)
    assert rights.EXTRACT & granted  # copying (bit 5)
    assert rights.PRINT & granted
    assert rights.PRINT_TO_REPRESENTATION & granted
    for refused in (rights.MODIFY, rights.ADD_OR_MODIFY, rights.FILL_FORM_FIELDS):
        assert not refused & granted, refused.name
    assert not rights.ASSEMBLE_DOC & granted
    assert "NG-7K3M-Q9XD" in reader.pages[0].extract_text()

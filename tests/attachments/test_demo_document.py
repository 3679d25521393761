"""The demo "Order confirmation" document (`demo/documents.py`): a complete receipt, and a
seed that upgrades an untouched earlier version and leaves staff edits alone.

The demo's own tests: every other attachments test builds its templates with
`tests.factories`."""

import re
from datetime import date

import pytest

from attachments.api import build_attachment
from attachments.models import AttachmentTemplate, PasswordPolicy
from demo.documents import (
    CSS,
    HTML,
    ORDER_CONFIRMATION,
    PREVIOUS_CSS,
    PREVIOUS_HTML,
    seed_attachment_templates,
)
from demo.events import seed_event_types
from shop.documents import sample_order_context
from shop.money import format_short_date

from .conftest import PASSWORD, decrypted_text


def test_the_demo_document_is_a_complete_receipt(db, settings):
    settings.SHOP_LEGAL_NAME = "Nordiska Varor Östersund AB"
    settings.SHOP_ORG_NUMBER = "556677-8899"
    settings.SHOP_VAT_NUMBER = "SE556677889901"
    context = sample_order_context(2)
    order = context["order"]

    document = build_attachment(seed_attachment_templates(), context, PASSWORD)

    text = decrypted_text(document.content, PASSWORD)
    assert re.search(rf"VAT 25%\s*SEK {order['vat']:,.2f}", text), text
    assert re.search(rf"Total paid\s*SEK {order['total']:,.2f}", text), text
    assert re.search(rf"Items\s*{order['unit_count']}\b", text), text
    assert "Card •••• 4242" in text  # DejaVu Sans draws the bullet
    assert "Nordiska Varor Östersund AB" in text
    assert "Org. no. 556677-8899" in text
    assert "VAT no. SE556677889901" in text


def test_demo_seed_is_idempotent_and_valid(db):
    template = seed_attachment_templates()
    again = seed_attachment_templates()

    assert template.pk == again.pk
    assert template.name == ORDER_CONFIRMATION
    assert template.revisions.count() == 1
    assert template.password_policy == PasswordPolicy.GENERATED
    template.full_clean()


def test_demo_seed_upgrades_an_untouched_earlier_demo_document(db):
    AttachmentTemplate.objects.create(
        name=ORDER_CONFIRMATION,
        html=PREVIOUS_HTML[0],
        css=PREVIOUS_CSS[0],
        filename_template="order-{{ order.number }}.pdf",
        event_type=seed_event_types(),
    )

    template = seed_attachment_templates()
    seed_attachment_templates()

    assert (template.html, template.css) == (HTML, CSS)
    assert "seller.org_number" in template.html
    assert template.revisions.count() == 2  # the earlier text, then the upgrade; once


def test_demo_seed_leaves_a_staff_edited_document_alone(db):
    edited = PREVIOUS_HTML[0].replace("Thank you for your order", "Tack för din beställning")
    AttachmentTemplate.objects.create(
        name=ORDER_CONFIRMATION,
        html=edited,
        css=PREVIOUS_CSS[0],
        filename_template="order-{{ order.number }}.pdf",
        event_type=seed_event_types(),
    )

    template = seed_attachment_templates()

    assert template.html == edited
    assert template.revisions.count() == 1


@pytest.mark.parametrize(
    ("language", "date", "country", "foreign"),
    [
        ("sv", "28 nov. 2026, 14:05", "Östersund, Sverige", "Sweden"),
        ("en", "28 Nov 2026, 14:05", "Östersund, Sweden", "Sverige"),
    ],
)
def test_the_demo_document_writes_the_date_and_the_sellers_country_in_its_language(
    db, language, date, country, foreign
):
    seed_attachment_templates()
    template = AttachmentTemplate.objects.get(name=ORDER_CONFIRMATION, language=language)

    document = build_attachment(template, sample_order_context(2, language=language), PASSWORD)

    text = decrypted_text(document.content, PASSWORD)
    assert date in text
    assert country in text
    assert foreign not in text


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("sv", ["7 jan. 2026", "7 maj 2026", "7 juni 2026", "7 sep. 2026", "7 dec. 2026"]),
        ("en", ["7 Jan 2026", "7 May 2026", "7 Jun 2026", "7 Sep 2026", "7 Dec 2026"]),
    ],
)
def test_a_short_date_is_abbreviated_as_the_language_does(language, written):
    months = [date(2026, month, 7) for month in (1, 5, 6, 9, 12)]

    assert [format_short_date(day, language=language) for day in months] == written


def test_a_seller_country_outside_the_list_stops_the_checks(settings):
    from shop.checks import check_seller_country

    settings.SHOP_COUNTRY = "Sverige"
    assert [error.id for error in check_seller_country(None)] == ["shop.E005"]
    settings.SHOP_COUNTRY = "NO"
    assert check_seller_country(None) == []


@pytest.mark.parametrize("language", ["en", "sv"])
def test_demo_seed_brings_the_date_of_an_untouched_document_up_to_date(db, language):
    from demo import documents_sv

    earlier = {"en": PREVIOUS_HTML[-1], "sv": documents_sv.PREVIOUS_HTML[0]}[language]
    AttachmentTemplate.objects.create(
        name=ORDER_CONFIRMATION,
        language=language,
        html=earlier,
        css=CSS,
        filename_template="order-{{ order.number }}.pdf",
        event_type=seed_event_types(),
    )

    seed_attachment_templates()

    template = AttachmentTemplate.objects.get(name=ORDER_CONFIRMATION, language=language)
    assert "{{ order.date_short }}" in template.html
    assert template.published_revision.html == template.html


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Order confirmation and receipt NG-SAMP-LE42 · Nordic Goods"),
        ("sv", "Orderbekräftelse och kvitto NG-SAMP-LE42 · Nordic Goods"),
    ],
)
def test_the_demo_document_says_its_language_and_title(db, settings, language, title):
    import io

    from pypdf import PdfReader

    settings.SHOP_NAME = "Nordic Goods"
    seed_attachment_templates()
    template = AttachmentTemplate.objects.get(name=ORDER_CONFIRMATION, language=language)
    context = sample_order_context(language=language)

    document = build_attachment(template.published_revision, context, PASSWORD)

    reader = PdfReader(io.BytesIO(document.content), password=PASSWORD)
    assert reader.trailer["/Root"]["/Lang"] == language
    assert reader.metadata.title == title


def test_demo_seed_titles_an_untouched_document_once(db):
    from demo import documents_sv

    AttachmentTemplate.objects.create(  # seeded before documents had titles
        name=ORDER_CONFIRMATION,
        language="sv",
        html=documents_sv.HTML,
        css=CSS,
        filename_template=documents_sv.FILENAME,
        event_type=seed_event_types(),
    )

    seed_attachment_templates()
    seed_attachment_templates()

    template = AttachmentTemplate.objects.get(name=ORDER_CONFIRMATION, language="sv")
    assert template.title_template.startswith("Orderbekräftelse och kvitto")
    assert template.published_revision.title_template == template.title_template
    assert template.revisions.count() == 2

"""The demo "Order confirmation" document (`demo/documents.py`): a complete receipt, and a
seed that upgrades an untouched earlier version and leaves staff edits alone.

The demo's own tests: every other attachments test builds its templates with
`tests.factories`."""

import re

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

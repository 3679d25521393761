"""Every confirmation in the customer's language: the storefront records it on the order, and
the email (subject, text, HTML), its layout and its PDF are rendered in it — with the default
language's version, and a line in the history, wherever a translation is missing."""

import importlib
import io
import re
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.test import TestCase
from django.urls import reverse
from pypdf import PdfReader

from attachments.api import generated_password
from attachments.models import AttachmentTemplate
from demo import emails_sv
from demo.catalog import seed_catalog
from demo.emails import seed_message_templates
from messaging import outbox
from messaging.models import Layout, Message, MessageEvent, MessageTemplate
from shop.documents import SAMPLE_TOKEN
from shop.models import Order, Product
from shop.money import format_money
from tests.factories import CHECKOUT_DETAILS, StaffFactory
from tests.messaging.helpers import deliver_order, message_of

pytestmark = pytest.mark.django_db

NBSP = "\xa0"


@pytest.fixture
def demo_shop(db):
    seed_catalog()
    return seed_message_templates()


def buy_cutting_boards(client, language: str) -> Order:
    """Three oak cutting boards (3 x 569.00 = 1,707.00), bought through the storefront after
    choosing `language` with the language switcher; the confirmation goes out on commit."""
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    board = Product.objects.get(slug="engraved-cutting-board")
    wood = board.options.get(name="Wood")
    engraving = board.options.get(name="Engraving")
    client.post(
        reverse("shop:product", args=[board.slug]),
        {
            f"option_{wood.pk}": wood.choices.get(label="Ek").pk,
            f"option_{engraving.pk}": "För Åsa",
            "quantity": 3,
        },
    )
    client.post(reverse("shop:checkout"), CHECKOUT_DETAILS)
    key = client.get(reverse("shop:payment")).context["form"].initial["checkout_key"]
    card = {"card_number": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123"}
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("shop:payment"), {"checkout_key": key, **card})
    return Order.objects.get()


def pdf_text(email, order: Order) -> str:
    [(_, content, _)] = email.attachments
    reader = PdfReader(io.BytesIO(content))
    assert reader.decrypt(generated_password(order.token))
    # Swedish groups thousands with a no-break space, which text extraction reads as a space.
    return "\n".join(page.extract_text() for page in reader.pages).replace(NBSP, " ")


def history(message: Message) -> list[str]:
    return list(message.events.values_list("detail", flat=True))


def test_a_swedish_customer_gets_a_swedish_email_and_pdf(client, demo_shop, mailoutbox):
    order = buy_cutting_boards(client, "sv")

    assert order.language == "sv"
    [email] = mailoutbox
    html = email.alternatives[0][0]
    assert email.subject == f"Orderbekräftelse {order.number} från Nordic Goods"
    assert "Hej Åsa!" in email.body
    assert f"3 × Skärbräda med gravyr: 1{NBSP}707,00 kr" in email.body
    assert f"Totalt: 1{NBSP}707,00 kr" in email.body
    assert "Varma hälsningar," in email.body  # the Swedish layout
    assert f"1{NBSP}707,00 kr" in html
    assert "Så öppnar du orderns PDF" in html
    assert "Thank you" not in email.body + html
    assert email.attachments[0][0] == f"orderbekraftelse-{order.number}.pdf"
    text = pdf_text(email, order)
    assert "Orderbekräftelse och kvitto" in text
    assert "Träslag: Ek" in text
    assert "1 707,00 kr" in text  # total paid
    assert "341,40 kr" in text  # of which VAT 25 %
    assert "Totalt betalt" in text
    message = message_of(order)
    assert message.language == "sv"
    assert not [line for line in history(message) if "rendered in" in line]


def test_an_english_customer_gets_the_english_email_and_pdf(client, demo_shop, mailoutbox):
    order = buy_cutting_boards(client, "en")

    assert order.language == "en"
    [email] = mailoutbox
    assert email.subject == f"Your Nordic Goods order {order.number}"
    assert "3 × Engraved Cutting Board: SEK 1,707.00" in email.body
    assert "Total: SEK 1,707.00" in email.body
    assert email.attachments[0][0] == f"order-{order.number}.pdf"
    text = pdf_text(email, order)
    assert "Order confirmation and receipt" in text
    assert "Wood: Oak" in text  # the option, as the English page showed it
    assert "SEK 1,707.00" in text
    assert "SEK 341.40" in text
    assert "Orderbekräftelse" not in text


def test_without_a_swedish_pdf_a_swedish_customer_gets_the_english_one_and_history_says_so(
    client, demo_shop, mailoutbox
):
    AttachmentTemplate.objects.filter(language="sv").delete()

    order = buy_cutting_boards(client, "sv")

    [email] = mailoutbox
    assert email.subject.startswith("Orderbekräftelse")  # the email itself is still Swedish
    text = pdf_text(email, order)
    assert "Order confirmation and receipt" in text
    # The event's data as it arrived, its amounts written in the order's language.
    assert format_money(Decimal("1707.00"), "SEK", language="sv").replace("\xa0", " ") in text
    message = message_of(order)
    assert message.status == Message.Status.SENT
    assert "PDF “Order confirmation” rendered in English: no Swedish version." in history(message)


def test_without_a_swedish_email_the_english_one_goes_and_history_says_so(
    client, demo_shop, mailoutbox
):
    MessageTemplate.objects.filter(language="sv").update(active=False)

    order = buy_cutting_boards(client, "sv")

    [email] = mailoutbox
    assert email.subject == f"Your Nordic Goods order {order.number}"
    # Never an empty email; the amounts as the event's data wrote them, in the order's language.
    assert f"Total: {format_money(Decimal('1707.00'), 'SEK', language='sv')}" in email.body
    assert "Orderbekräftelse och kvitto" in pdf_text(email, order)  # the PDF exists in Swedish
    message = message_of(order)
    assert message.language == "en"
    assert "Email “Order confirmation” rendered in English: no Swedish version." in history(message)


def test_a_swedish_email_still_in_draft_is_named_as_such_in_the_history(
    client, demo_shop, mailoutbox
):
    MessageTemplate.objects.filter(language="sv").update(published_revision=None)

    order = buy_cutting_boards(client, "sv")

    message = message_of(order)
    assert message.status == Message.Status.SENT
    assert mailoutbox[0].subject == f"Your Nordic Goods order {order.number}"
    assert (
        "Email “Order confirmation” rendered in English: the Swedish version is not published."
        in history(message)
    )


def test_a_resend_keeps_the_orders_language(client, demo_shop, mailoutbox):
    order = buy_cutting_boards(client, "sv")
    first = message_of(order)

    with TestCase.captureOnCommitCallbacks(execute=True):
        resend = outbox.resend_message(message_id=first.pk, reason="lost it", by="support")

    assert resend.language == "sv"
    assert [email.subject for email in mailoutbox] == [
        f"Orderbekräftelse {order.number} från Nordic Goods"
    ] * 2
    assert "Orderbekräftelse och kvitto" in pdf_text(mailoutbox[1], order)


def test_an_order_placed_before_languages_renders_in_the_default_language(demo_shop, mailoutbox):
    message = deliver_order()  # an order from the factory: the default language (English here)

    assert message.language == "en"
    assert mailoutbox[0].subject.startswith("Your Nordic Goods order")


def test_a_proof_is_in_its_templates_language(demo_shop, mailoutbox):
    swedish = MessageTemplate.objects.get(language="sv")
    staff = StaffFactory(username="proofreader")

    with TestCase.captureOnCommitCallbacks(execute=True):
        proof = outbox.queue_proof(
            template=swedish, recipient=staff.email, requested_by=staff.username
        )

    assert proof.language == "sv"
    [email] = mailoutbox
    assert email.subject == "[Proof] Orderbekräftelse NG-SAMP-LE42 från Nordic Goods"
    assert "Totalt:" in email.body
    assert proof.events.filter(kind=MessageEvent.Kind.QUEUED).exists()


def test_the_preview_shows_each_language_and_which_falls_back(admin_client, demo_shop):
    english = MessageTemplate.objects.get(language="en")
    swedish = MessageTemplate.objects.get(language="sv")
    url = reverse("admin:messaging_messagetemplate_preview", args=[swedish.pk])

    page = admin_client.get(url).content.decode()
    assert 'data-testid="preview-language">Swedish<' in page
    assert reverse("admin:messaging_messagetemplate_preview", args=[english.pk]) in page
    assert "Orderbekräftelse NG-SAMP-LE42 från Nordic Goods" in page
    assert "falls back" not in page

    swedish.active = False
    swedish.save()
    page = admin_client.get(
        reverse("admin:messaging_messagetemplate_preview", args=[english.pk])
    ).content.decode()
    assert "falls back to English" in page


def test_a_swedish_pdf_still_in_draft_counts_as_missing(client, demo_shop, mailoutbox):
    AttachmentTemplate.objects.filter(language="sv").update(published_revision=None)

    order = buy_cutting_boards(client, "sv")

    message = message_of(order)
    assert message.status == Message.Status.SENT  # not failed for want of a published version
    assert "Order confirmation and receipt" in pdf_text(mailoutbox[0], order)
    # There is a Swedish version: the history says why it was not used, not that it is missing.
    assert (
        "PDF “Order confirmation” rendered in English: the Swedish version is not published."
        in history(message)
    )


def test_the_seed_creates_every_demo_language_and_is_idempotent(demo_shop):
    from messaging.models import Layout

    for model in (MessageTemplate, Layout, AttachmentTemplate):
        assert sorted(model.objects.values_list("language", flat=True)) == ["en", "sv"]
        assert all(row.published_revision_id for row in model.objects.all())
    board = Product.objects.get(slug="engraved-cutting-board")
    assert sorted(board.translations.values_list("language", "name")) == [
        ("en", "Engraved Cutting Board"),
        ("sv", "Skärbräda med gravyr"),
    ]
    revisions = MessageTemplate.objects.get(language="sv").revisions.count()

    seed_catalog()
    seed_message_templates()

    assert MessageTemplate.objects.count() == 2
    assert MessageTemplate.objects.get(language="sv").revisions.count() == revisions


def test_a_database_from_before_languages_keeps_its_english_email_as_english(settings, db):
    """The new column's default labels existing rows with the default language (Swedish for
    `make run`); the migration relabels them English, and the seed adds Swedish beside them."""
    settings.LANGUAGE_CODE = "sv"
    from demo import emails

    seed_message_templates()
    # Before languages there was one email and one layout, both English.
    MessageTemplate.objects.filter(language="sv").delete()
    Layout.objects.filter(language="sv").delete()
    # Labelled with the default language by the new column.
    legacy = MessageTemplate.objects.get()
    MessageTemplate.objects.filter(pk=legacy.pk).update(language="sv")
    Layout.objects.update(language="sv")
    migration = importlib.import_module("messaging.migrations.0011_languages")
    migration.label_earlier_templates_english(django_apps, None)

    seed_message_templates()

    legacy.refresh_from_db()
    assert (legacy.language, legacy.subject) == ("en", emails.SUBJECT)
    assert MessageTemplate.objects.get(language="sv").subject == emails_sv.SUBJECT


@pytest.mark.parametrize(
    ("language", "written", "foreign"),
    [
        ("sv", ["Skärbräda med gravyr", "Färg: Havsblå", "Träslag: Ek"], ["Engraved", "Colour"]),
        ("en", ["Engraved Cutting Board", "Colour: Sea blue", "Wood: Oak"], ["Havsblå", "Ek\n"]),
    ],
)
def test_a_proof_shows_the_sample_order_in_its_templates_language(
    demo_shop, mailoutbox, language, written, foreign
):
    """The sample order's products, options and choices are in the proof's language, as a
    customer's order would be, not half English."""
    template = MessageTemplate.objects.get(language=language)
    staff = StaffFactory(username="proofreader")
    with TestCase.captureOnCommitCallbacks(execute=True):
        outbox.queue_proof(template=template, recipient=staff.email, requested_by=staff.username)

    [email] = mailoutbox
    [(_, content, _)] = email.attachments
    reader = PdfReader(io.BytesIO(content))
    assert reader.decrypt(generated_password(SAMPLE_TOKEN))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert written[0] in email.body
    for words in written:
        assert words in text
    for words in foreign:
        assert words not in text


def attachment_choices(page: str) -> list[tuple[bool, str]]:
    """The attachment inline's first select: each option's selected flag and text."""
    select = page[page.index('name="attachment_links-0-attachment_template"') :]
    select = select[: select.index("</select>")]
    return [
        ("selected" in attrs, text)
        for attrs, text in re.findall(r"<option([^>]*)>([^<]*)</option>", select)
    ]


@pytest.mark.parametrize("language", ["en", "sv"])
def test_the_editor_names_the_attached_document_not_one_language_version(
    admin_client, demo_shop, language
):
    """The English email links the default language's (Swedish) document row, and sends the
    English version: the editor names the document and says which version goes out."""
    template = MessageTemplate.objects.get(language=language)
    url = reverse("admin:messaging_messagetemplate_change", args=[template.pk])

    page = admin_client.get(url).content.decode()

    assert attachment_choices(page) == [
        (False, "---------"),
        (True, "Order confirmation — sent in the message’s language (English, Swedish)"),
    ]

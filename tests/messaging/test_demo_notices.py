"""After the sale: the demo's shipping notice with its delivery note and refund email with its
credit note, sent in the order's language when staff ship or refund an order (the demo's own
tests: they stand on the demo seed)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse
from pypdf import PdfReader

from attachments.api import generated_password
from demo.catalog import seed_catalog
from demo.emails import seed_message_templates
from demo.notices import seed_notices
from messaging.models import Event, MessageTemplate
from shop.fulfilment import refund_order, ship_order
from shop.models import Order, Product
from shop.services import CartItem, place_order
from tests.factories import CHECKOUT_DETAILS

pytestmark = pytest.mark.django_db


def seed_demo_shop() -> None:
    """The demo catalog with its emails and documents, as `seed_demo` leaves them."""
    seed_catalog()
    seed_message_templates()
    seed_notices()


@pytest.fixture
def demo_shop(db):
    seed_demo_shop()


def buy(language: str, *, boards: int = 3) -> Order:
    """Oak cutting boards (569.00 each) engraved "För Åsa", and a knitted hat, in `language`."""
    board = Product.objects.get(slug="engraved-cutting-board")
    wood, engraving = board.options.get(name="Wood"), board.options.get(name="Engraving")
    options = {str(wood.pk): str(wood.choices.get(label="Ek").pk), str(engraving.pk): "För Åsa"}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return place_order(
            checkout_key=f"checkout-{language}-0123456789",
            items=[CartItem(board.pk, options, boards)],
            customer=CHECKOUT_DETAILS,
            card_number="4242 4242 4242 4242",
            language=language,
        )


def pdf_text(email, order: Order) -> str:
    [(_filename, content, _mimetype)] = email.attachments
    reader = PdfReader(io.BytesIO(content))
    # The same password as the receipt's: what the confirmation page showed.
    assert reader.decrypt(generated_password(order.token))
    # One space between words: text extraction breaks table cells onto lines of their own.
    return " ".join("\n".join(page.extract_text() for page in reader.pages).split())


def sent(action):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return action()


@pytest.mark.parametrize(
    ("language", "says"),
    [
        (
            "sv",
            [
                "Din order {number} från Nordic Goods är på väg",
                "Följesedel",
                "Kvittonummer {receipt}",
                "Transportör PostNord",
                "Kollinummer 00370712345678901234",
                "Skärbräda med gravyr",
                "Träslag: Ek",
                "Gravyr: För Åsa",
            ],
        ),
        (
            "en",
            [
                "Your Nordic Goods order {number} is on its way",
                "Delivery note",
                "Receipt number {receipt}",
                "Carrier PostNord",
                "Tracking number 00370712345678901234",
                "Engraved Cutting Board",
                "Wood: Oak",
                "Engraving: För Åsa",
            ],
        ),
    ],
)
def test_shipping_sends_the_notice_and_delivery_note_in_the_order_language(
    demo_shop, mailoutbox, language, says
):
    order = buy(language)
    mailoutbox.clear()

    sent(lambda: ship_order(order, carrier="PostNord", tracking_number="00370712345678901234"))

    [email] = mailoutbox
    order.refresh_from_db()
    expected = [text.format(number=order.number, receipt=order.receipt_number) for text in says]
    subject, *document = expected
    assert email.subject == subject
    assert "00370712345678901234" in email.body
    # A way back in for a customer who lost the password, in the text and the HTML.
    help_url = f"/documents/{language}/lost-password/"
    assert help_url in email.body
    assert help_url in email.alternatives[0][0]
    text = pdf_text(email, order)
    for line in document:
        assert line in text, text
    assert "569" not in text  # a delivery note shows no prices
    assert f"{says[-1].split(': ')[1]} 3" in text  # the engraving, then the quantity


def test_an_order_ships_once(demo_shop, mailoutbox):
    order = buy("sv")
    sent(lambda: ship_order(order))
    mailoutbox.clear()

    with pytest.raises(ValidationError, match=f"Order {order.number} was already shipped"):
        sent(lambda: ship_order(order, carrier="PostNord"))

    assert mailoutbox == []
    assert Event.objects.filter(reference=order.number, type="order_shipped").count() == 1


@pytest.mark.parametrize(
    ("language", "says"),
    [
        (
            "sv",
            [
                "Återbetalning på 569,00 kr för din order {number}",
                "Kreditnota",
                "Kreditnota nr {receipt}-1",
                "Avser kvitto {receipt}",
                "Kvittots datum {date}",
                "Skärbräda med gravyr",
                "1 569,00 -569,00",
                "Summa kredit -569,00 kr",
                "varav moms 25 % -113,80 kr",
            ],
        ),
        (
            "en",
            [
                "Refund of SEK 569.00 for your order {number}",
                "Credit note",
                "Credit note number {receipt}-1",
                "Corrects receipt {receipt}",
                "Receipt date {date}",
                "Engraved Cutting Board",
                "1 569.00 -569.00",
                "Total credited SEK -569.00",
                "of which VAT 25% SEK -113.80",
            ],
        ),
    ],
)
def test_a_partial_refund_credits_those_lines_in_a_credit_note_naming_the_receipt(
    demo_shop, mailoutbox, language, says
):
    from shop.money import format_short_date

    order = buy(language)
    mailoutbox.clear()
    [line] = order.lines.all()

    sent(lambda: refund_order(order, {line.pk: 1}))

    [email] = mailoutbox
    order.refresh_from_db()
    date = format_short_date(order.created_at, language=language)
    expected = [
        text.format(number=order.number, receipt=order.receipt_number, date=date) for text in says
    ]
    subject, *document = expected
    assert email.subject == subject
    assert f"/documents/{language}/lost-password/" in email.body
    text = pdf_text(email, order)
    for words in document:
        assert words in text


def test_each_refund_is_its_own_event_and_never_more_than_was_bought(demo_shop, mailoutbox):
    order = buy("en", boards=3)
    [line] = order.lines.all()
    mailoutbox.clear()

    sent(lambda: refund_order(order, {line.pk: 1}))
    sent(lambda: refund_order(order, {line.pk: 2}))
    with pytest.raises(ValidationError, match="At most 0 of Engraved Cutting Board"):
        sent(lambda: refund_order(order, {line.pk: 1}))

    keys = Event.objects.filter(type="order_refunded").values_list("idempotency_key", flat=True)
    assert sorted(keys) == [f"refund:{order.number}:1", f"refund:{order.number}:2"]
    assert [email.subject for email in mailoutbox] == [
        f"Refund of SEK 569.00 for your order {order.number}",
        f"Refund of SEK 1,138.00 for your order {order.number}",
    ]
    assert "Credit note number " + f"{order.receipt_number}-2" in pdf_text(mailoutbox[1], order)


def test_the_password_reveal_gives_the_receipts_password_after_a_refund(
    demo_shop, admin_client, mailoutbox
):
    order = buy("sv")
    [line] = order.lines.all()
    sent(lambda: refund_order(order, {line.pk: 1}))
    url = reverse("admin:shop_order_document_password", args=[order.pk])

    page = admin_client.post(url, {"reason": "Customer called, identity checked"})

    text = page.content.decode()
    assert generated_password(order.token) in text
    assert f"opens orderbekraftelse-{order.number}.pdf" in text  # the receipt, not the credit note


def test_the_confirmation_page_keeps_its_password_after_a_shipping_notice_without_pdf(
    demo_shop, client, mailoutbox
):
    from tests.messaging.test_demo_languages import buy_cutting_boards

    for notice in MessageTemplate.objects.filter(event="order_shipped"):
        notice.attachment_links.all().delete()
        notice.record_revision(note="No delivery note.")
        notice.publish(notice.current_revision())
    order = buy_cutting_boards(client, "sv")
    sent(lambda: ship_order(order))

    page = client.get(reverse("shop:confirmation", args=[order.number])).content.decode()

    assert mailoutbox[-1].attachments == []  # the notice went out without a PDF
    assert generated_password(order.token) in page


def test_seeding_brings_an_earlier_demo_schema_up_to_date(db):
    from demo.events import DEMO_TYPES, seed_event_types
    from stafftemplates.models import EventType

    confirmation = DEMO_TYPES[0]
    EventType.objects.update_or_create(  # as the shop's migration left it
        code=confirmation.code,
        defaults={
            "schema": confirmation.previous_schemas[0],
            "example": confirmation.example(language="sv"),
        },
    )

    seed_event_types()

    event_type = EventType.objects.get(code=confirmation.code)
    assert "receipt_number" in event_type.schema["properties"]["order"]["properties"]
    assert event_type.example["order"]["receipt_number"] == "NG-2026-000042"
    assert EventType.objects.filter(code__in=["order_shipped", "order_refunded"]).count() == 2


def test_seeding_refuses_a_schema_the_types_example_no_longer_satisfies(db):
    from django.core.management import CommandError, call_command

    from demo.events import DEMO_TYPES
    from stafftemplates.models import EventType

    confirmation = DEMO_TYPES[0]
    example = confirmation.example(language="sv")
    example["order"]["receipt_number"] = 123  # staff's own example: the old schema allowed it
    earlier = confirmation.previous_schemas[0]
    EventType.objects.update_or_create(
        code=confirmation.code, defaults={"schema": earlier, "example": example}
    )

    with pytest.raises(CommandError) as refused:
        call_command("seed_demo")

    assert "Event type 'order_confirmation' was left as it was" in str(refused.value)
    assert "example.order.receipt_number: 123 is not of type 'string'" in str(refused.value)
    assert EventType.objects.get(code=confirmation.code).schema == earlier


@pytest.mark.parametrize(("language", "label"), [("sv", "Kvittonummer"), ("en", "Receipt number")])
def test_the_receipt_shows_its_receipt_number(demo_shop, mailoutbox, language, label):
    order = buy(language)

    [email] = mailoutbox
    assert f"{label} {order.receipt_number}" in pdf_text(email, order)


def test_an_order_refunded_in_full_is_not_shipped(demo_shop, mailoutbox):
    order = buy("en", boards=2)
    [line] = order.lines.all()
    sent(lambda: refund_order(order, {line.pk: 2}))
    mailoutbox.clear()

    with pytest.raises(ValidationError, match="nothing is left to ship"):
        sent(lambda: ship_order(order))

    assert mailoutbox == []


def test_an_order_that_is_not_paid_is_not_refunded(demo_shop, mailoutbox):
    order = buy("en", boards=2)
    Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELLED)
    [line] = order.lines.all()
    mailoutbox.clear()

    with pytest.raises(ValidationError, match="is not paid: it cannot be refunded"):
        sent(lambda: refund_order(order, {line.pk: 1}))

    assert mailoutbox == []
    assert not order.refunds.exists()

"""Staff change the confirmation in admin, preview it and send a proof; then a customer buys,
reads the email in the dev inbox and opens the downloaded PDF with the password from checkout."""

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from demo.catalog import seed_catalog
from demo.emails import seed_message_templates
from inbox.models import CapturedEmail
from messaging.models import Message
from shop.models import Order
from tests.factories import UserFactory

from .conftest import fill_card, fill_contact_and_address

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_SUBJECT = "Tack! Order {{ order.number }} from {{ shop.name }}"


@pytest.fixture
def development(settings):
    """What `make run` has: mail captured for the dev inbox, which needs no login."""
    settings.EMAIL_BACKEND = "inbox.backends.CaptureEmailBackend"
    settings.DEBUG = True
    settings.DEV_INBOX = True


def test_staff_edit_preview_and_proof_then_a_customer_opens_the_pdf(live_server, page, development):
    seed_catalog()
    seed_message_templates()
    UserFactory(username="staff", is_staff=True, is_superuser=True)

    # Staff log in and change the confirmation's subject.
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("staff")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Message templates").click()
    page.locator("#result_list").get_by_role("link", name="Order confirmation").click()
    page.get_by_label("Subject").fill(NEW_SUBJECT)
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".errornote")).to_have_count(0)
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    expect(page.get_by_text("Saved as a draft")).to_be_visible()

    # The draft reaches customers once published: the page shows live against draft.
    page.get_by_role("link", name="Review and publish…").click()
    expect(page.get_by_test_id("publish-diff").get_by_text("Tack! Order")).to_be_visible()
    page.get_by_test_id("publish-button").click()
    expect(page.get_by_text("published: customers get it from now on")).to_be_visible()

    # The preview shows the new subject, from the demo sample.
    page.get_by_role("link", name="Preview and send a proof").click()
    subject = page.get_by_test_id("preview-subject").inner_text()
    assert subject == "Tack! Order NG-SAMP-LE42 from Nordic Goods"
    assert page.get_by_title("HTML email").get_attribute("sandbox") == ""
    email_frame = page.frame_locator('[data-testid="preview-html"]')
    expect(email_frame.get_by_text("You receive this email because")).to_be_visible()  # layout

    # A proof goes out through the engine and lands in the capture backend, once (to the
    # staff user's own address: proofs go to staff only).
    page.get_by_label("Send a proof to").fill("staff@example.com")
    page.get_by_role("button", name="Send proof").click()
    expect(page.get_by_text("Proof queued as message")).to_be_visible()
    proof = Message.objects.get(is_proof=True)
    assert proof.status == Message.Status.SENT
    captured = CapturedEmail.objects.get()
    assert (captured.to, captured.subject) == (["staff@example.com"], f"[Proof] {subject}")

    # A customer buys.
    page.goto(live_server.url)
    page.get_by_role("link", name="Engraved Cutting Board").click()
    page.get_by_label("Wood").select_option(label="Oak (+SEK 120.00)")
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name="Checkout").click()
    fill_contact_and_address(page)
    page.get_by_role("button", name="Continue to payment").click()
    fill_card(page)
    page.get_by_role("button", name="Pay").click()

    number = page.get_by_test_id("order-number").inner_text()
    password = page.get_by_test_id("document-password").inner_text()
    assert Order.objects.get().number == number

    # The email in the dev inbox, with the new subject; the PDF downloads and opens.
    page.get_by_role("link", name="Open the dev inbox").click()
    page.get_by_role("link", name=f"Tack! Order {number} from Nordic Goods").click()
    with page.expect_download() as download_info:
        page.get_by_test_id("inbox-attachment").click()
    download = download_info.value
    assert download.suggested_filename == f"order-{number}.pdf"
    reader = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    assert reader.is_encrypted
    assert reader.decrypt(password)
    assert number in reader.pages[0].extract_text()
    customer = Message.objects.get(is_proof=False)
    assert (customer.event.reference, customer.sequence, customer.status) == (number, 0, "sent")


@pytest.mark.parametrize("screen", ["reveal", "resend"])
def test_the_pages_asking_for_a_reason_fit_a_phone(live_server, page, screen):
    from django.urls import reverse

    from tests.factories import OrderFactory
    from tests.messaging.helpers import complete, messages_of

    seed_message_templates()
    order = complete(OrderFactory())
    UserFactory(username="staff", is_staff=True, is_superuser=True)
    url = {
        "reveal": reverse("admin:shop_order_document_password", args=[order.pk]),
        "resend": reverse("admin:messaging_message_resend", args=[messages_of(order).get().pk]),
    }[screen]
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/admin/login/?next={url}")
    page.get_by_label("Username").fill("staff")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_label("Reason")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

"""The staff template editor (stafftemplates/static/stafftemplates/editor.js) under the admin's
strict CSP: the preview of unsaved edits beside the form, phone width, line numbers, variables
inserted at the cursor, the password expression shown only when its policy uses it, and a
document previewed as page images.

With UX_SHOTS set to a folder, screenshots at 1280 and 390 px are saved there.
"""

import pytest
from playwright.sync_api import expect

from attachments.models import AttachmentTemplate
from demo.emails import seed_message_templates
from messaging.models import MessageTemplate
from tests.factories import UserFactory

from .conftest import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff_page(live_server, page):
    seed_message_templates()
    UserFactory(username="staff", is_staff=True, is_superuser=True)
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("staff")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    return page


def test_staff_see_their_unsaved_email_beside_the_editor(live_server, staff_page):
    page = staff_page
    template = MessageTemplate.objects.get(language="en")
    page.goto(f"{live_server.url}/admin/messaging/messagetemplate/{template.pk}/change/")
    preview = page.frame_locator('[data-testid="unsaved-preview"]')
    expect(preview.get_by_text("Order NG-SAMP-LE42").first).to_be_visible()  # HTML, sample

    # Typing changes the preview, nothing is saved.
    html_body = page.get_by_label("HTML body")
    html_body.fill("<p>Hej {{ customer.first_name }}, ny text!</p>")
    expect(preview.get_by_text("Hej Åsa, ny text!")).to_be_visible()
    shoot(page, "editor-message-template")
    template.refresh_from_db()
    assert "ny text" not in template.html_body

    # The text part shows the subject too; a variable goes in at the cursor.
    page.get_by_role("button", name="Text", exact=True).click()
    subject = page.get_by_label("Subject")
    subject.fill("Tack  för din order")
    subject.evaluate("field => field.setSelectionRange(5, 5)")
    subject.focus()
    page.get_by_role("button", name="{{ order.number }}", exact=True).click()
    expect(subject).to_have_value("Tack {{ order.number }} för din order")
    expect(preview.get_by_text("Subject: Tack NG-SAMP-LE42 för din order")).to_be_visible()

    # Phone width.
    frame = page.get_by_test_id("unsaved-preview")
    assert frame.bounding_box()["width"] > 500
    page.get_by_role("button", name="Phone", exact=True).click()
    expect(frame).to_have_attribute("sandbox", "")
    assert round(frame.bounding_box()["width"]) == 390

    # Line numbers beside each code field; a syntax error quotes its line.
    text_body = page.get_by_label("Text body")
    text_body.fill("Hej\n{{ order.number }}\n{% if %}")
    gutter = page.locator(".field-text_body .code-gutter")
    assert gutter.inner_text().split() == ["1", "2", "3"]
    expect(preview.get_by_text("Text body: Line 3:")).to_be_visible()


def test_editors_iterate_on_a_document_and_see_its_pages(live_server, staff_page):
    page = staff_page
    document = AttachmentTemplate.objects.get(language="en")
    page.goto(f"{live_server.url}/admin/attachments/attachmenttemplate/{document.pk}/change/")

    # The expression shows only under the policy that uses it.
    expression = page.locator(".field-password_template")
    expect(expression).to_be_hidden()
    page.get_by_label("Password policy").select_option("template")
    expect(expression).to_be_visible()
    page.get_by_label("Password policy").select_option("generated")
    expect(expression).to_be_hidden()
    expect(page.get_by_text("155 billion years")).to_be_visible()

    # The unsaved document, drawn as page images (no password prompt).
    page.get_by_label("HTML body").fill("<h1>Kvitto {{ order.number }}</h1>")
    preview = page.frame_locator('[data-testid="unsaved-preview"]')
    expect(preview.get_by_alt_text("Page 1 of 1")).to_be_visible(timeout=30_000)
    shoot(page, "editor-attachment-template")

    # The saved preview page shows page images too.
    page.goto(f"{live_server.url}/admin/attachments/attachmenttemplate/{document.pk}/preview/")
    pages = page.frame_locator('[data-testid="preview-pages"]')
    expect(pages.get_by_alt_text("Page 1 of 1")).to_be_visible(timeout=30_000)
    shoot(page, "preview-attachment-template")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_editor_fits_the_screen(live_server, staff_page, width):
    page = staff_page
    page.set_viewport_size({"width": width, "height": 900})
    template = MessageTemplate.objects.get(language="en")
    for url in [
        f"/admin/messaging/messagetemplate/{template.pk}/change/",
        f"/admin/messaging/messagetemplate/{template.pk}/preview/",
        f"/admin/messaging/layout/{template.layout_id}/change/",
    ]:
        page.goto(live_server.url + url)
        assert page.evaluate("document.documentElement.scrollWidth") <= width

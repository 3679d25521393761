"""The attachment template admin: syntax errors on save, warnings, and the PDF preview."""

import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from pypdf import PdfReader

from attachments.api import generated_password
from attachments.models import AttachmentTemplate, PasswordPolicy
from shop.documents import SAMPLE_TOKEN
from tests.factories import EventTypeFactory, OrderFactory, StaffFactory, UserFactory

from .conftest import decrypted_text


def preview_urls(template: AttachmentTemplate) -> tuple[str, str]:
    return (
        reverse("admin:attachments_attachmenttemplate_preview", args=[template.pk]),
        reverse("admin:attachments_attachmenttemplate_preview_pdf", args=[template.pk]),
    )


def shown_password(response) -> str:
    match = re.search(r'data-testid="preview-password"[^>]*>([^<]+)<', response.content.decode())
    assert match, "no password on the preview page"
    return match.group(1)


def test_preview_of_the_sample_for_staff(admin_client, receipt_template):
    page_url, pdf_url = preview_urls(receipt_template)

    page = admin_client.get(page_url)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    password = shown_password(page)
    assert password == generated_password(SAMPLE_TOKEN)
    # The page shows the pages as images and offers the encrypted PDF for download.
    pages_url = reverse(
        "admin:attachments_attachmenttemplate_preview_pages", args=[receipt_template.pk]
    )
    assert f'src="{pages_url}"' in page.content.decode()
    assert f'href="{pdf_url}?download=1"' in page.content.decode()

    pdf = admin_client.get(pdf_url)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'inline; filename="order-NG-SAMP-LE42.pdf"'
    assert "no-store" in pdf["Cache-Control"]
    assert "NG-SAMP-LE42" in decrypted_text(pdf.content, password)

    download = admin_client.get(pdf_url, {"download": "1"})
    assert download["Content-Disposition"].startswith("attachment;")


def test_preview_of_a_real_order_shows_the_customers_password_to_revealers(
    admin_client, receipt_template
):
    order = OrderFactory()
    page_url, pdf_url = preview_urls(receipt_template)

    page = admin_client.get(page_url, {"order": order.number})
    password = shown_password(page)
    assert password == generated_password(order.token)

    pdf = admin_client.get(pdf_url, {"order": order.number})
    text = decrypted_text(pdf.content, password)
    assert order.number in text
    assert order.customer.full_name in text
    assert "Mörkblå" in text


def test_staff_without_the_reveal_permission_get_a_preview_password(client, receipt_template):
    order = OrderFactory()
    staff = StaffFactory()
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_attachmenttemplate", "view_order"])
    )
    client.force_login(staff)
    page_url, pdf_url = preview_urls(receipt_template)

    page = client.get(page_url, {"order": order.number})
    password = shown_password(page)
    assert password != generated_password(order.token)

    content = client.get(pdf_url, {"order": order.number}).content
    reader = PdfReader(io.BytesIO(content))
    assert not reader.decrypt(generated_password(order.token))
    assert order.number in decrypted_text(content, password)


def test_preview_refuses_non_staff_and_staff_without_permission(client, receipt_template):
    page_url, pdf_url = preview_urls(receipt_template)

    for url in (page_url, pdf_url):
        response = client.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]

    client.force_login(UserFactory())
    assert client.get(pdf_url).status_code == 302

    client.force_login(StaffFactory())
    assert client.get(page_url).status_code == 403
    assert client.get(pdf_url).status_code == 403


def test_preview_is_get_only(admin_client, receipt_template):
    page_url, pdf_url = preview_urls(receipt_template)

    assert admin_client.post(pdf_url).status_code == 405
    assert admin_client.post(page_url).status_code == 405


def test_preview_of_an_unknown_order(admin_client, receipt_template):
    page_url, pdf_url = preview_urls(receipt_template)

    page = admin_client.get(page_url, {"order": "NG-2222-2222"})
    assert "No order" in page.content.decode()
    assert admin_client.get(pdf_url, {"order": "NG-2222-2222"}).status_code == 404


def test_admin_save_reports_syntax_errors_with_the_line(admin_client, db):
    response = admin_client.post(
        reverse("admin:attachments_attachmenttemplate_add"),
        {
            "name": "Broken",
            "language": "en",
            "event_type": EventTypeFactory().pk,
            "active": "on",
            "html": "<p>ok</p>\n{% for line in lines %}",
            "css": "",
            "filename_template": "order.pdf",
            "password_policy": "generated",
            "password_template": "",
            "revisions-TOTAL_FORMS": "0",
            "revisions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "Line 2:" in response.content.decode()
    assert not AttachmentTemplate.objects.filter(name="Broken").exists()


def test_admin_save_records_who_made_the_revision(admin_client, admin_user, db):
    response = admin_client.post(
        reverse("admin:attachments_attachmenttemplate_add"),
        {
            "name": "Receipt",
            "language": "en",
            "event_type": EventTypeFactory().pk,
            "active": "on",
            "html": "<p>{{ order.number }}</p>",
            "css": "",
            "filename_template": "order.pdf",
            "password_policy": "generated",
            "password_template": "",
            "revisions-TOTAL_FORMS": "0",
            "revisions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    revision = AttachmentTemplate.objects.get(name="Receipt").current_revision()
    assert revision.number == 1
    assert revision.created_by == admin_user


def test_change_page_warns_about_guessable_passwords(admin_client, db):
    template = AttachmentTemplate(
        name="Bank style",
        event_type=EventTypeFactory(),
        html="<p>x</p>",
        password_policy=PasswordPolicy.TEMPLATE,
        password_template="{{ customer.postal_code|cut:' ' }}",
    )
    template.save()

    page = admin_client.get(
        reverse("admin:attachments_attachmenttemplate_change", args=[template.pk])
    )

    content = page.content.decode()
    assert "guessable" in content
    assert "100,000 possibilities" in content
    assert "Revision" in content or "revision" in content


@pytest.mark.parametrize("name", ["attachmenttemplate", "attachmenttemplaterevision"])
def test_changelists_render(admin_client, receipt_template, name):
    shown = receipt_template if name == "attachmenttemplate" else receipt_template.revisions.get()

    response = admin_client.get(reverse(f"admin:attachments_{name}_changelist"))

    page = response.content.decode()
    assert response.status_code == 200
    # The row staff look for, linked to its page.
    assert receipt_template.name in page
    assert reverse(f"admin:attachments_{name}_change", args=[shown.pk]) in page


def test_admin_refuses_customer_data_inside_an_address(admin_client, db):
    response = admin_client.post(
        reverse("admin:attachments_attachmenttemplate_add"),
        {
            "name": "Leaky",
            "language": "en",
            "event_type": EventTypeFactory().pk,
            "active": "on",
            "html": "<p>{{ order.number }}</p>\n<a href='https://x.example/?{{ customer.email }}'>",
            "css": "",
            "filename_template": "order.pdf",
            "password_policy": "generated",
            "password_template": "",
            "revisions-TOTAL_FORMS": "0",
            "revisions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "Line 2: the href attribute of &lt;a&gt; contains a template variable" in (
        response.content.decode()
    )
    assert not AttachmentTemplate.objects.filter(name="Leaky").exists()


# --- who may see a real order, and who may choose the password policy -----------------------


@pytest.fixture
def editor_client(client, db):
    from django.contrib.auth.models import Group

    editor = StaffFactory(username="doc-editor")
    editor.groups.add(Group.objects.get(name="Template editors"))
    client.force_login(editor)
    client.user = editor
    return client


def test_editors_without_order_permission_preview_only_the_sample(editor_client, receipt_template):
    order = OrderFactory(customer__last_name="Sundqvist")
    page_url, pdf_url = preview_urls(receipt_template)

    page = editor_client.get(page_url, {"order": order.number})

    assert "Previewing a real order needs permission to view orders" in page.content.decode()
    assert 'data-testid="preview-password"' not in page.content.decode()
    assert editor_client.get(pdf_url, {"order": order.number}).status_code == 403
    assert editor_client.get(pdf_url).status_code == 200  # the sample


@pytest.mark.parametrize("number", ["NG-7K3M-Q9X\x00", "NG-NONE-0000", "../etc"])
def test_a_malformed_order_number_is_an_error_not_a_server_error(
    admin_client, receipt_template, number
):
    page_url, pdf_url = preview_urls(receipt_template)

    page = admin_client.get(page_url, {"order": number})

    assert page.status_code == 200
    assert "is not an order number: they look like NG-7K3M-Q9XD" in page.content.decode()
    assert admin_client.get(pdf_url, {"order": number}).status_code == 404


def test_the_order_number_format_matches_the_numbers_the_shop_makes():
    from attachments.preview import ORDER_NUMBER_FORMAT
    from shop.models import ORDER_NUMBER_ALPHABET, new_order_number

    assert all(ORDER_NUMBER_FORMAT.fullmatch(new_order_number()) for _ in range(200))
    for symbol in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        number = f"NG-{symbol * 4}-{symbol * 4}"
        assert bool(ORDER_NUMBER_FORMAT.fullmatch(number)) == (symbol in ORDER_NUMBER_ALPHABET)


def policy_form(client, template) -> tuple[str, dict]:
    url = reverse("admin:attachments_attachmenttemplate_change", args=[template.pk])
    data = {
        "name": template.name,
        "language": "en",
        "event_type": EventTypeFactory().pk,
        "active": "on",
        "html": template.html,
        "css": template.css,
        "filename_template": template.filename_template,
        "password_policy": "template",
        "password_template": "{{ order.number }}",
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
    }
    return url, data


def test_editors_cannot_change_the_password_policy(editor_client, receipt_template):
    url, data = policy_form(editor_client, receipt_template)

    page = editor_client.get(url).content.decode()
    assert 'name="password_policy"' not in page  # shown read-only
    assert "Generated" in page
    response = editor_client.post(url, {**data, "html": receipt_template.html + "<p>new</p>"})

    assert response.status_code == 302
    receipt_template.refresh_from_db()
    assert receipt_template.html.endswith("<p>new</p>")
    assert receipt_template.password_policy == PasswordPolicy.GENERATED
    assert receipt_template.password_template == ""


def test_the_policy_permission_allows_it_and_the_warning_stays(editor_client, receipt_template):
    editor_client.user.user_permissions.add(
        Permission.objects.get(codename="change_password_policy")
    )
    url, data = policy_form(editor_client, receipt_template)

    assert editor_client.post(url, data).status_code == 302

    receipt_template.refresh_from_db()
    assert receipt_template.password_policy == PasswordPolicy.TEMPLATE
    assert "guessable" in editor_client.get(url).content.decode()


def test_editors_cannot_restore_a_revision_with_another_policy(editor_client, receipt_template):
    receipt_template.password_policy = PasswordPolicy.TEMPLATE
    receipt_template.password_template = "{{ order.number }}"
    receipt_template.save()
    weak = receipt_template.current_revision()
    receipt_template.password_policy = PasswordPolicy.GENERATED
    receipt_template.password_template = ""
    receipt_template.save()
    url = reverse(
        "admin:attachments_attachmenttemplate_restore", args=[receipt_template.pk, weak.pk]
    )

    page = editor_client.post(url, follow=True).content.decode()

    assert "Not restored" in page
    receipt_template.refresh_from_db()
    assert receipt_template.password_policy == PasswordPolicy.GENERATED

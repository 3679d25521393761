"""The attachment template admin: syntax errors on save, warnings, and the PDF preview."""

import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from pypdf import PdfReader

from attachments.documents import generated_password
from attachments.models import AttachmentTemplate, PasswordPolicy
from shop.documents import SAMPLE_TOKEN
from tests.factories import OrderFactory, StaffFactory, UserFactory

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


def test_preview_of_the_sample_for_staff(admin_client, demo_template):
    page_url, pdf_url = preview_urls(demo_template)

    page = admin_client.get(page_url)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    password = shown_password(page)
    assert password == generated_password(SAMPLE_TOKEN)
    assert f'src="{pdf_url}"' in page.content.decode()

    pdf = admin_client.get(pdf_url)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'inline; filename="order-NG-SAMP-LE42.pdf"'
    assert "no-store" in pdf["Cache-Control"]
    assert "NG-SAMP-LE42" in decrypted_text(pdf.content, password)

    download = admin_client.get(pdf_url, {"download": "1"})
    assert download["Content-Disposition"].startswith("attachment;")


def test_preview_of_a_real_order_shows_the_customers_password_to_revealers(
    admin_client, demo_template
):
    order = OrderFactory()
    page_url, pdf_url = preview_urls(demo_template)

    page = admin_client.get(page_url, {"order": order.number})
    password = shown_password(page)
    assert password == generated_password(order.token)

    pdf = admin_client.get(pdf_url, {"order": order.number})
    text = decrypted_text(pdf.content, password)
    assert order.number in text
    assert order.customer.full_name in text
    assert "Mörkblå" in text


def test_staff_without_the_reveal_permission_get_a_preview_password(client, demo_template):
    order = OrderFactory()
    staff = StaffFactory()
    staff.user_permissions.add(Permission.objects.get(codename="view_attachmenttemplate"))
    client.force_login(staff)
    page_url, pdf_url = preview_urls(demo_template)

    page = client.get(page_url, {"order": order.number})
    password = shown_password(page)
    assert password != generated_password(order.token)

    content = client.get(pdf_url, {"order": order.number}).content
    reader = PdfReader(io.BytesIO(content))
    assert not reader.decrypt(generated_password(order.token))
    assert order.number in decrypted_text(content, password)


def test_preview_refuses_non_staff_and_staff_without_permission(client, demo_template):
    page_url, pdf_url = preview_urls(demo_template)

    for url in (page_url, pdf_url):
        response = client.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]

    client.force_login(UserFactory())
    assert client.get(pdf_url).status_code == 302

    client.force_login(StaffFactory())
    assert client.get(page_url).status_code == 403
    assert client.get(pdf_url).status_code == 403


def test_preview_is_get_only(admin_client, demo_template):
    page_url, pdf_url = preview_urls(demo_template)

    assert admin_client.post(pdf_url).status_code == 405
    assert admin_client.post(page_url).status_code == 405


def test_preview_of_an_unknown_order(admin_client, demo_template):
    page_url, pdf_url = preview_urls(demo_template)

    page = admin_client.get(page_url, {"order": "NG-NONE-0000"})
    assert "No order" in page.content.decode()
    assert admin_client.get(pdf_url, {"order": "NG-NONE-0000"}).status_code == 404


def test_admin_save_reports_syntax_errors_with_the_line(admin_client, db):
    response = admin_client.post(
        reverse("admin:attachments_attachmenttemplate_add"),
        {
            "name": "Broken",
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
def test_changelists_render(admin_client, demo_template, name):
    assert admin_client.get(reverse(f"admin:attachments_{name}_changelist")).status_code == 200


def test_admin_refuses_customer_data_inside_an_address(admin_client, db):
    response = admin_client.post(
        reverse("admin:attachments_attachmenttemplate_add"),
        {
            "name": "Leaky",
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

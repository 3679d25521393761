"""The attachment template editor: the unsaved document as page images, the password
expression only under the policy that uses it, and the policy's strength in plain words."""

import base64
import io
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image

from attachments import admin as attachments_admin
from attachments.models import AttachmentTemplate, PasswordPolicy
from tests.factories import StaffFactory
from tests.messaging.test_admin import change_url, form_data


def unsaved_url(template) -> str:
    return reverse("admin:attachments_attachmenttemplate_preview_unsaved", args=[template.pk])


def page_images(response) -> list[Image.Image]:
    found = re.findall(r'src="data:image/png;base64,([^"]+)"', response.content.decode())
    return [Image.open(io.BytesIO(base64.b64decode(data))) for data in found]


def test_the_unsaved_document_is_drawn_as_page_images(admin_client, receipt_template):
    data = form_data(admin_client, change_url(receipt_template), "attachmenttemplate_form")
    saved = admin_client.post(unsaved_url(receipt_template), data)
    data["html"] = "<h1>Kvitto {{ order.number }}</h1>"
    edited = admin_client.post(unsaved_url(receipt_template), data)

    assert edited.status_code == 200
    assert edited["Content-Security-Policy"].startswith("sandbox")
    assert "no-store" in edited["Cache-Control"]
    assert 'alt="Page 1 of 1"' in edited.content.decode()
    [page] = page_images(edited)
    assert page.size == (893, 1263)  # an A4 page at 1.5 × 72 dpi
    assert page.tobytes() != page_images(saved)[0].tobytes()  # what the editor holds
    receipt_template.refresh_from_db()
    assert "Kvitto" not in receipt_template.html  # nothing saved


def test_a_syntax_error_in_the_editor_names_its_field_and_line(admin_client, receipt_template):
    data = form_data(admin_client, change_url(receipt_template), "attachmenttemplate_form")
    data["html"] = "<h1>Kvitto</h1>\n{% if %}"

    page = admin_client.post(unsaved_url(receipt_template), data).content.decode()

    assert "Not previewed: fix these first" in page
    assert "HTML body: Line 2:" in page


def test_the_unsaved_preview_needs_the_change_permission_and_a_csrf_token(db, receipt_template):
    viewer = StaffFactory(username="viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_attachmenttemplate"))
    client = Client()
    client.force_login(viewer)
    assert client.post(unsaved_url(receipt_template), {"html": "x"}).status_code == 403

    admin = StaffFactory(username="boss", is_superuser=True)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin)
    assert strict.post(unsaved_url(receipt_template), {"html": "x"}).status_code == 403
    assert strict.get(unsaved_url(receipt_template)).status_code == 405


def test_the_saved_preview_shows_pages_without_a_password_prompt(admin_client, receipt_template):
    url = reverse("admin:attachments_attachmenttemplate_preview_pages", args=[receipt_template.pk])

    response = admin_client.get(url)

    assert response["Content-Type"].startswith("text/html")
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert "no-store" in response["Cache-Control"]
    assert len(page_images(response)) == 1
    assert admin_client.get(url, {"order": "NG-0000-0000\x00"}).status_code == 404


def test_under_the_generated_policy_a_posted_expression_is_ignored(admin_client, receipt_template):
    receipt_template.password_template = "{{ customer.postal_code }}"
    receipt_template.save()
    url = change_url(receipt_template)
    data = form_data(admin_client, url, "attachmenttemplate_form")
    data["password_template"] = "{% if %}"  # hidden in the editor: never a reason to refuse

    assert admin_client.post(url, data).status_code == 302
    receipt_template.refresh_from_db()
    assert receipt_template.password_policy == PasswordPolicy.GENERATED
    assert receipt_template.password_template == "{{ customer.postal_code }}"


def test_under_the_template_policy_the_expression_is_checked(admin_client, receipt_template):
    url = change_url(receipt_template)
    data = form_data(admin_client, url, "attachmenttemplate_form")
    data["password_policy"] = PasswordPolicy.TEMPLATE
    data["password_template"] = "{% if %}"

    page = admin_client.post(url, data).content.decode()

    assert "Line 1:" in page
    assert AttachmentTemplate.objects.get().password_policy == PasswordPolicy.GENERATED


def test_editors_without_the_policy_permission_do_not_see_an_unused_expression(
    client, receipt_template
):
    editor = StaffFactory(username="ed")
    editor.groups.add(Group.objects.get(name="Template editors"))
    client.force_login(editor)

    page = client.get(change_url(receipt_template)).content.decode()

    assert "field-password_policy" in page
    assert "field-password_template" not in page


@pytest.mark.parametrize(
    "policy", [PasswordPolicy.GENERATED, PasswordPolicy.TEMPLATE], ids=["generated", "template"]
)
def test_the_strength_is_said_in_time_not_bits(admin_client, receipt_template, policy):
    if policy == PasswordPolicy.TEMPLATE:
        receipt_template.password_policy = policy
        receipt_template.password_template = "{{ customer.postal_code }}"
        receipt_template.save()

    page = admin_client.get(change_url(receipt_template)).content.decode()

    assert "155 billion years" in page
    assert "bits" not in page


def test_a_huge_page_size_is_drawn_within_the_pixel_bound(admin_client, receipt_template):
    # The stylesheet picks the page size: at full scale a 40-inch page is a 4,320 px square
    # (19 million pixels); a 200-inch one would take gigabytes of the web process's memory.
    data = form_data(admin_client, change_url(receipt_template), "attachmenttemplate_form")
    data["css"] = "@page { size: 40in 40in; }"

    edited = admin_client.post(unsaved_url(receipt_template), data)

    assert edited.status_code == 200
    [page] = page_images(edited)
    width, height = page.size
    assert width * height <= 4_000_000
    assert width == height  # the same square page, only drawn smaller
    assert width > 1_000  # still readable


def test_the_page_images_are_drawn_in_the_documents_language(
    admin_client, receipt_template, monkeypatch
):
    AttachmentTemplate.objects.filter(pk=receipt_template.pk).update(language="sv")
    languages = []
    draw = attachments_admin.preview_pages

    def spy(*args, **kwargs):
        # The language active here is the drawing child's too (it is forked from this thread).
        languages.append(translation.get_language())
        return draw(*args, **kwargs)

    monkeypatch.setattr(attachments_admin, "preview_pages", spy)
    url = reverse("admin:attachments_attachmenttemplate_preview_pages", args=[receipt_template.pk])

    assert admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en").status_code == 200
    assert languages == ["sv"]  # as the downloaded PDF: a Swedish customer's amounts and dates

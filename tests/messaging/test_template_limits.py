"""Staff templates that run too long or too big fail their message with a reason, at once,
and never hold up a customer's confirmation page."""

import pytest
from django.urls import reverse

from messaging.models import Layout, Message
from stafftemplates import limits
from tests.attachments.test_limits import MILLION_LOOPS
from tests.factories import publish_newest
from tests.messaging.helpers import complete, message_of
from tests.messaging.test_admin import change_url, form_data
from tests.messaging.test_document_passwords import (
    bought,
    confirmation_page,
    passwords_shown,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def short_limit(settings):
    settings.STAFF_TEMPLATE_TIME_LIMIT = 0.2


def test_a_runaway_email_body_fails_its_message_with_the_reason(
    short_limit, confirmation_template, mailoutbox
):
    confirmation_template.html_body = MILLION_LOOPS
    confirmation_template.save()
    publish_newest(confirmation_template)

    order = complete()

    message = message_of(order)
    assert message.status == Message.Status.FAILED
    assert message.attempts == 1  # permanent: not retried for an hour
    assert "HTML body took longer than 0.2 s" in message.last_error
    assert mailoutbox == []


def test_a_runaway_layout_is_named_in_the_reason(short_limit, confirmation_template):
    confirmation_template.layout = Layout.objects.create(
        name="Winter sale", html_header=MILLION_LOOPS
    )
    confirmation_template.save()
    publish_newest(confirmation_template.layout)
    publish_newest(confirmation_template)

    message = message_of(complete())
    assert message.status == Message.Status.FAILED
    assert "layout “Winter sale” HTML header took longer" in message.last_error


def test_an_oversized_pdf_fails_its_message_with_the_reason(settings, confirmation_template):
    settings.STAFF_TEMPLATE_MAX_OUTPUT = 5_000
    attachment = confirmation_template.attachment_links.get().attachment_template
    attachment.html = '{% for a in "xxxxxxxxxx" %}' + "y" * 1_000 + "{% endfor %}"
    attachment.save()
    publish_newest(attachment)

    message = message_of(complete())
    assert message.status == Message.Status.FAILED
    assert f"“{attachment.name}” produced more than 5,000 characters" in message.last_error


class TickingClock:
    """A stand-in for the `time` module the render budget reads: every read of the clock is
    one step of 1 ms, so the budget counts steps, whatever the machine's load."""

    def __init__(self):
        self.reads = 0

    def monotonic(self) -> float:
        self.reads += 1
        return self.reads / 1000


def test_the_confirmation_page_is_not_held_up_by_a_runaway_password_expression(
    client, short_limit, confirmation_template, monkeypatch
):
    attachment = confirmation_template.attachment_links.get().attachment_template
    attachment.password_policy = "template"
    attachment.password_template = MILLION_LOOPS + "{{ customer.postal_code }}"
    attachment.save()
    publish_newest(attachment)
    order = bought(client)

    clock = TickingClock()
    monkeypatch.setattr(limits, "time", clock)
    page = confirmation_page(client, order)

    assert passwords_shown(page) == []
    # The budget stopped the million loops after 0.2 s of 1 ms ticks: a few hundred steps.
    assert 0 < clock.reads <= 1_000


def test_admin_refuses_on_save_a_template_over_the_limits(
    admin_client, short_limit, confirmation_template
):
    url = change_url(confirmation_template)
    data = form_data(admin_client, url, "messagetemplate_form")
    data["html_body"] = MILLION_LOOPS
    data["subject"] = '{{ "x"|ljust:"200000000" }}'

    response = admin_client.post(url, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "took longer than 0.2 s to render" in page
    assert "asks “ljust” for a width of 200,000,000; at most 1,000" in page
    confirmation_template.refresh_from_db()
    assert MILLION_LOOPS not in confirmation_template.html_body  # the refused body was not saved


def test_admin_preview_shows_the_limit_error(admin_client, short_limit, confirmation_template):
    confirmation_template.text_body = MILLION_LOOPS
    confirmation_template.save()
    url = reverse("admin:messaging_messagetemplate_preview", args=[confirmation_template.pk])

    page = admin_client.get(url)

    assert page.status_code == 200
    assert "text body took longer than 0.2 s" in page.content.decode()

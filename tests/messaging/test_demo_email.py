"""The demo confirmation email: it passes the template checks, and seeding brings an unedited
copy up to date while leaving staff edits alone."""

import pytest

from demo import emails
from demo.emails import seed_message_templates

pytestmark = pytest.mark.django_db


def test_the_demo_email_and_layout_pass_the_template_checks(settings):
    settings.EMAIL_ALLOWED_URL_HOSTS = []  # production's default without ALLOWED_HOSTS
    template = seed_message_templates()

    template.full_clean()
    template.layout.full_clean()


def test_seeding_again_changes_nothing(confirmation_template):
    revisions = confirmation_template.revisions.count()
    layout_revisions = confirmation_template.layout.revisions.count()

    seed_message_templates()

    confirmation_template.refresh_from_db()
    assert confirmation_template.html_body == emails.HTML
    assert confirmation_template.revisions.count() == revisions
    assert confirmation_template.layout.revisions.count() == layout_revisions


def test_seeding_updates_an_unedited_earlier_demo_email_and_layout(confirmation_template):
    template, layout = confirmation_template, confirmation_template.layout
    template.subject, template.text_body, template.html_body = emails.PREVIOUS_BODIES[0]
    template.save(note="as an earlier seed left it")
    layout.html_header = emails.PREVIOUS_LAYOUT_HTML_HEADERS[0]
    layout.css = emails.PREVIOUS_LAYOUT_CSS[0]
    layout.save(note="as an earlier seed left it")
    revisions, layout_revisions = template.revisions.count(), layout.revisions.count()

    seed_message_templates()
    seed_message_templates()

    template.refresh_from_db()
    layout.refresh_from_db()
    assert (template.text_body, template.html_body) == (emails.TEXT, emails.HTML)
    assert (layout.html_header, layout.css) == (emails.LAYOUT_HTML_HEADER, emails.LAYOUT_CSS)
    assert template.revisions.count() == revisions + 1
    assert layout.revisions.count() == layout_revisions + 1


def test_seeding_keeps_what_staff_wrote(confirmation_template):
    template = confirmation_template
    template.html_body = "<p>Tack, {{ customer.first_name }}!</p>"
    template.save(note="staff")
    layout = template.layout
    layout.css = emails.PREVIOUS_LAYOUT_CSS[0] + "h1 { color: red; }"
    layout.html_header = emails.PREVIOUS_LAYOUT_HTML_HEADERS[0]
    layout.save(note="staff")

    seed_message_templates()

    template.refresh_from_db()
    layout.refresh_from_db()
    assert template.html_body == "<p>Tack, {{ customer.first_name }}!</p>"
    assert layout.html_header == emails.PREVIOUS_LAYOUT_HTML_HEADERS[0]

"""The message center on its own: a project without `shop` or `demo` migrates from scratch,
takes events through the Python API and the HTTP API, and sends the email with an encrypted
PDF that the returned password opens."""

import importlib
import io
import json
import pkgutil
import sys

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import translation
from pypdf import PdfReader

from api.keys import create_api_key
from attachments.rendering import resolve_static
from messaging.events import send_event
from messaging.models import Event

from .factories import TicketEmailFactory

APPS = ("stafftemplates", "attachments", "messaging", "operations", "inbox", "api")
TICKET = {
    "ticket": {
        "number": "T-1001",
        "concert": "Winter Sonatas",
        "seat": "B12",
        "starts_at": "2027-02-03T19:30:00+01:00",
    },
    "holder": {"name": "Åsa Öberg"},
}


def decrypted_text(pdf: bytes, password: str) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.is_encrypted
    assert reader.decrypt(password)
    return "\n".join(page.extract_text() for page in reader.pages)


def assert_ticket_arrived(mailoutbox, password: str) -> None:
    (email,) = mailoutbox
    assert email.to == ["asa@example.org"]
    assert email.subject == "Your ticket for Winter Sonatas"
    assert "Hello Åsa Öberg, your ticket T-1001 is attached." in email.body
    ((filename, content, mimetype),) = email.attachments
    assert (filename, mimetype) == ("ticket-T-1001.pdf", "application/pdf")
    text = decrypted_text(content, password)
    assert "Ticket T-1001" in text
    assert "Winter Sonatas, 2027-02-03 19:30" in text
    assert "Seat B12 for Åsa Öberg" in text


def test_the_project_has_neither_shop_nor_demo():
    assert not apps.is_installed("shop")
    assert not apps.is_installed("demo")
    # Every module of every app (admin, commands, migrations, tasks) imports without them.
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            importlib.import_module(module.name)
    loaded = {name.split(".")[0] for name in sys.modules}
    assert not loaded & {"shop", "demo", "config"}


@pytest.mark.django_db
def test_migrations_ran_from_scratch_without_the_shop():
    applied = MigrationRecorder(connection).applied_migrations()
    assert ("messaging", "0016_messages_belong_to_events") in applied
    assert ("api", "0001_api_keys") in applied
    assert not {app for app, _ in applied} & {"shop", "demo"}
    # The migrations describe the models exactly: nothing left to make.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_the_document_fonts_come_with_the_attachments_app(settings):
    assert not getattr(settings, "STATICFILES_DIRS", [])
    assert resolve_static("fonts/DejaVuSans.ttf").name == "DejaVuSans.ttf"


@pytest.mark.django_db
def test_an_event_through_send_event_sends_the_ticket(
    mailoutbox, django_capture_on_commit_callbacks
):
    TicketEmailFactory()

    with django_capture_on_commit_callbacks(execute=True):
        sent = send_event(
            type="ticket_issued",
            recipient="asa@example.org",
            recipient_name="Åsa Öberg",
            data=TICKET,
            idempotency_key="ticket:T-1001",
            reference="T-1001",
        )

    (document,) = sent.document_passwords
    assert document.filenames == ("ticket-T-1001.pdf",)
    assert_ticket_arrived(mailoutbox, document.password)
    sent.event.refresh_from_db()
    assert sent.event.status == "sent"


@pytest.mark.django_db
def test_an_event_through_the_http_api_sends_the_ticket(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    TicketEmailFactory()
    _, key = create_api_key(client_name="Box office", event_types=["ticket_issued"])
    body = {
        "type": "ticket_issued",
        "recipient": {"email": "asa@example.org", "name": "Åsa Öberg"},
        "language": "en",
        "data": TICKET,
        "reference": "T-1001",
        "idempotency_key": "ticket-T-1001",
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/events",
            json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {key}"},
        )

    assert response.status_code == 202, response.content
    (document,) = response.json()["document_passwords"]
    assert_ticket_arrived(mailoutbox, document["password"])
    status = client.get(
        f"/api/v1/events/{response.json()['id']}", headers={"Authorization": f"Bearer {key}"}
    )
    assert status.json()["status"] == "sent"
    assert Event.objects.get().client.name == "Box office"


@pytest.mark.django_db
def test_an_event_the_schema_refuses_is_a_400_naming_the_field(client, mailoutbox):
    TicketEmailFactory()
    _, key = create_api_key(client_name="Box office", event_types=["ticket_issued"])
    body = {
        "type": "ticket_issued",
        "recipient": {"email": "asa@example.org"},
        "data": {"ticket": {"number": "T-1"}, "holder": {"name": "Åsa"}},
        "idempotency_key": "ticket-T-1",
    }

    response = client.post(
        "/api/v1/events",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )

    assert response.status_code == 400
    assert "concert" in response.content.decode()
    assert not Event.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_the_dev_inbox_shows_the_captured_ticket_in_its_own_page_frame(
    admin_client, settings, django_capture_on_commit_callbacks
):
    settings.DEV_INBOX = True
    settings.EMAIL_BACKEND = "inbox.backends.CaptureEmailBackend"
    TicketEmailFactory()
    with django_capture_on_commit_callbacks(execute=True):
        send_event(
            type="ticket_issued",
            recipient="asa@example.org",
            data=TICKET,
            idempotency_key="ticket:T-1001",
        )

    listing = admin_client.get("/dev/inbox/")

    assert listing.status_code == 200
    page = listing.content.decode()
    assert "<title>Dev inbox</title>" in page
    assert "Your ticket for Winter Sonatas" in page
    assert "ticket-T-1001.pdf" in page


def test_the_apps_bring_their_own_swedish(settings):
    assert not getattr(settings, "LOCALE_PATHS", [])
    with translation.override("sv"):
        assert translation.ngettext("Your document password", "Your document passwords", 2) == (
            "Dina dokumentlösenord"
        )


@pytest.mark.django_db
def test_erasure_and_purge_run_without_the_shop(mailoutbox, django_capture_on_commit_callbacks):
    TicketEmailFactory()
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_event(
            type="ticket_issued",
            recipient="asa@example.org",
            recipient_name="Åsa Öberg",
            data=TICKET,
            idempotency_key="ticket:T-1001:erase",
            reference="T-1001",
        )
    out = io.StringIO()
    call_command("erase_customer", "--email", "asa@example.org", stdout=out)
    sent.event.refresh_from_db()
    assert sent.event.is_erased
    assert "Åsa" not in json.dumps(sent.event.data, ensure_ascii=False)
    call_command("purge_messages", stdout=io.StringIO())


@pytest.mark.django_db
def test_the_lost_password_page_serves_a_project_without_the_shop(client):
    response = client.get("/documents/en/lost-password/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert b"csrfmiddlewaretoken" in response.content

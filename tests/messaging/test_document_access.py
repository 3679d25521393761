"""Lost password, self-service: a customer who can no longer open their PDF asks with the order
number and their email, gets a single-use link by email, and opens the PDF again with what it
shows — for the project's own orders and for a client shop's events from the HTTP API."""

import io
import logging
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import caches
from django.db import connection
from django.test import Client as BrowserClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from api.keys import create_api_key
from messaging import access_tasks
from messaging.models import DocumentAccessLink, Event, MessageEvent
from operations.retention import anonymise_events, purge_messages
from tests.api.conftest import Api, example_event
from tests.factories import OrderFactory
from tests.messaging.helpers import complete

pytestmark = pytest.mark.django_db

OPEN_LINK = re.compile(r"https?://[^\s\"<]+/documents/open/[^\s\"<]+/")


@pytest.fixture(autouse=True)
def _fresh_counts(settings):
    """The form's rate counts live in the cache, which outlives a test."""
    caches[settings.DOCUMENT_ACCESS_RATE_LIMIT_CACHE].clear()
    yield
    caches[settings.DOCUMENT_ACCESS_RATE_LIMIT_CACHE].clear()


def ordered(language: str = "en"):
    """A completed order whose confirmation (with its encrypted receipt) was sent; its event."""
    order = complete(OrderFactory(language=language, customer__email="asa@example.com"))
    mail.outbox.clear()
    return order, Event.objects.get(reference=order.number)


def help_url(event: Event) -> str:
    """The address the email's *Can't open your PDF?* link points at (a standard value)."""
    return event.template_context()["event"]["documents_help_url"]


def ask(browser, event: Event, *, reference: str, email: str, capture):
    path = help_url(event).removeprefix("http://127.0.0.1:8000")
    with capture(execute=True):
        return browser.post(path, {"reference": reference, "email": email})


def link_in(email) -> str:
    text_links = OPEN_LINK.findall(email.body)
    html_links = OPEN_LINK.findall(email.alternatives[0][0])
    assert text_links
    assert set(html_links) == set(text_links)
    return text_links[0].removeprefix("http://127.0.0.1:8000")


OPENED = "/documents/open/"


def visit(browser, link: str):
    """A click on the link in the email (it leads on to OPENED, an address without the token)."""
    return browser.get(link, follow=True)


def show(browser, link: str):
    """Follow the link and ask to see the passwords: what uses the link up."""
    visit(browser, link)
    return browser.post(OPENED)


def pdf_text(pdf: bytes, password: str) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.is_encrypted
    assert reader.decrypt(password)
    return " ".join(page.extract_text() for page in reader.pages)


def passwords_on(page) -> list[str]:
    return re.findall(r'data-testid="document-password">([^<]*)<', page.content.decode())


def download_paths(page) -> list[str]:
    return re.findall(r'data-testid="download-document" href="([^"]+)"', page.content.decode())


@pytest.mark.parametrize(
    ("language", "subject_word", "button"),
    [("en", "Your documents", "Show my password and documents"), ("sv", "Dina dokument", "Visa")],
)
def test_a_customer_who_lost_the_password_gets_a_link_and_opens_the_pdf_with_it(
    confirmation_template, django_capture_on_commit_callbacks, language, subject_word, button
):
    order, event = ordered(language)
    browser = BrowserClient()  # not the browser that ordered

    asked = ask(
        browser,
        event,
        reference=f" {order.number} ",
        email="ASA@example.com",
        capture=django_capture_on_commit_callbacks,
    )

    assert asked.status_code == 200
    [email] = mail.outbox
    assert email.to == ["asa@example.com"]
    assert subject_word in email.subject
    assert order.number in email.subject
    assert not email.attachments
    link = link_in(email)
    opened = visit(browser, link)
    assert opened.status_code == 200
    assert button in opened.content.decode()
    assert f'lang="{language}"' in opened.content.decode()
    assert not passwords_on(opened)  # a mail scanner fetching the link sees no password

    shown = browser.post(OPENED)

    [password] = passwords_on(shown)
    [download] = download_paths(shown)
    pdf = browser.get(download)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert f"order-{order.number}" in pdf["Content-Disposition"]
    text = pdf_text(pdf.content, password)
    assert order.number in text
    assert "Åsa Öberg" in text


def test_a_client_shops_customer_gets_a_page_in_its_name_and_language(
    client, order_confirmation_api, django_capture_on_commit_callbacks
):
    api = Api(
        client, create_api_key(client_name="Fjällbutiken", event_types=["order_confirmation"])[1]
    )
    body = example_event(api, language="sv", reference="FB-77", idempotency_key="fb-77")
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post("/events", body).status_code == 202
    mail.outbox.clear()
    event = Event.objects.get(reference="FB-77")
    assert f"/lost-password/{event.client_id}/" in help_url(event)
    browser = BrowserClient()

    form = browser.get(help_url(event).removeprefix("http://127.0.0.1:8000"))
    assert "Fjällbutiken" in form.content.decode()
    assert 'lang="sv"' in form.content.decode()
    ask(
        browser,
        event,
        reference="FB-77",
        email="kund@example.org",
        capture=django_capture_on_commit_callbacks,
    )

    [email] = mail.outbox
    assert "Fjällbutiken" in email.subject
    link = link_in(email)
    shown = show(browser, link)
    assert "Fjällbutiken" in shown.content.decode()
    [password] = passwords_on(shown)
    [download] = download_paths(shown)
    text = pdf_text(browser.get(download).content, password)
    assert body["data"]["order"]["number"] in text


@pytest.fixture
def order_confirmation_api(confirmation_template):
    return confirmation_template


def test_the_project_shops_own_events_do_not_answer_on_a_client_shops_page(
    client, confirmation_template, django_capture_on_commit_callbacks
):
    order, _event = ordered()
    other = create_api_key(client_name="Other shop", event_types=["order_confirmation"])[0]
    path = f"/documents/en/lost-password/{other.client_id}/"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(path, {"reference": order.number, "email": "asa@example.com"})

    assert not mail.outbox


def test_an_unknown_pair_and_a_known_pair_get_the_same_page_and_the_same_work(
    confirmation_template, django_capture_on_commit_callbacks, monkeypatch
):
    order, event = ordered()
    published = []
    real = access_tasks.send_document_access_link.delay
    monkeypatch.setattr(
        access_tasks.send_document_access_link,
        "delay",
        lambda *args: published.append(args) or real(*args),
    )
    path = help_url(event).removeprefix("http://127.0.0.1:8000")
    answers, queries = [], []
    for reference, email in [
        (order.number, "asa@example.com"),
        (order.number, "someone@example.com"),
        ("NG-0000-XXXX", "asa@example.com"),
    ]:
        # The request's own work, counted apart from the worker's (the task, run after).
        with (
            django_capture_on_commit_callbacks() as on_commit,
            CaptureQueriesContext(connection) as counted,
        ):
            answer = BrowserClient().post(path, {"reference": reference, "email": email})
        answers.append(answer)
        queries.append([query["sql"] for query in counted])
        for callback in on_commit:
            callback()
    assert {answer.status_code for answer in answers} == {200}
    assert answers[0].content == answers[1].content == answers[2].content
    assert len(published) == 3  # one task per request, match or not
    assert len(queries[0]) == len(queries[1]) == len(queries[2])
    assert [email.to for email in mail.outbox] == [["asa@example.com"]]


def test_the_link_works_once(confirmation_template, django_capture_on_commit_callbacks):
    order, event = ordered()
    ask(
        BrowserClient(),
        event,
        reference=order.number,
        email="asa@example.com",
        capture=django_capture_on_commit_callbacks,
    )
    link = link_in(mail.outbox[0])
    first = BrowserClient()
    assert passwords_on(show(first, link))

    for later in (visit(BrowserClient(), link), show(BrowserClient(), link)):
        assert later.status_code == 200
        assert 'data-testid="link-gone"' in later.content.decode()
        assert not passwords_on(later)
    # A download is for the browser that opened the link only.
    download = download_paths(first.post(OPENED))[0]  # the same browser, reloading
    assert BrowserClient().get(download).get("Content-Type") != "application/pdf"
    assert first.get(download)["Content-Type"] == "application/pdf"


def test_the_link_never_works_after_15_minutes(
    confirmation_template, django_capture_on_commit_callbacks
):
    order, event = ordered()
    ask(
        BrowserClient(),
        event,
        reference=order.number,
        email="asa@example.com",
        capture=django_capture_on_commit_callbacks,
    )
    link = link_in(mail.outbox[0])
    sent = DocumentAccessLink.objects.get()
    assert sent.expires_at - sent.created_at == timedelta(minutes=15)
    browser = BrowserClient()
    assert passwords_on(show(browser, link))
    download = download_paths(browser.post(OPENED))[0]
    DocumentAccessLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert 'data-testid="link-gone"' in browser.get(download).content.decode()
    assert not passwords_on(browser.post(OPENED))
    assert not passwords_on(visit(browser, link))

    # An unopened link too.
    ask(
        BrowserClient(),
        event,
        reference=order.number,
        email="asa@example.com",
        capture=django_capture_on_commit_callbacks,
    )
    unopened = link_in(mail.outbox[1])
    DocumentAccessLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    for answer in (visit(BrowserClient(), unopened), show(BrowserClient(), unopened)):
        assert 'data-testid="link-gone"' in answer.content.decode()
        assert not passwords_on(answer)


def test_only_a_hash_of_the_token_is_stored_and_the_token_reaches_no_log(
    confirmation_template, django_capture_on_commit_callbacks, caplog
):
    order, event = ordered()
    caplog.set_level(logging.DEBUG)
    ask(
        BrowserClient(),
        event,
        reference=order.number,
        email="asa@example.com",
        capture=django_capture_on_commit_callbacks,
    )
    link = link_in(mail.outbox[0])
    token = link.rstrip("/").rsplit("/", 1)[1]
    browser = BrowserClient()

    answers = [browser.get(link), browser.get(OPENED), browser.post(OPENED), browser.get(link)]
    answers += [BrowserClient().get(link), BrowserClient().get(link.replace(token, "x" * 43))]

    assert not DocumentAccessLink.objects.filter(hash__contains=token).exists()
    assert token not in caplog.text
    assert "asa@example.com" not in caplog.text
    assert answers[0].status_code == 302
    assert answers[0]["Location"] == OPENED  # the token leaves the address bar
    for answer in answers:
        assert answer.status_code in (200, 302)
        assert "no-store" in answer["Cache-Control"]
    # The link's address and the passwords' page tell no other page where they came from; the
    # page with the button sends its (token-free) address to this site only, or the browser
    # would post its form with `Origin: null`, which CSRF protection refuses.
    policies = [answer["Referrer-Policy"] for answer in answers]
    assert policies == ["no-referrer", "same-origin", *["no-referrer"] * 4]


def test_each_use_is_a_line_in_the_messages_history(
    confirmation_template, django_capture_on_commit_callbacks
):
    order, event = ordered()
    ask(
        BrowserClient(),
        event,
        reference=order.number,
        email="asa@example.com",
        capture=django_capture_on_commit_callbacks,
    )
    browser = BrowserClient()
    shown = show(browser, link_in(mail.outbox[0]))
    browser.get(download_paths(shown)[0])

    notes = list(
        MessageEvent.objects.filter(message__event=event, kind=MessageEvent.Kind.NOTE)
        .order_by("pk")
        .values_list("detail", flat=True)
    )
    assert notes == [
        "Lost password: a link to the documents was emailed (valid 15 min).",
        "Lost password: the link was opened, passwords shown.",
        f"Lost password: order-{order.number}.pdf downloaded again.",
    ]


def test_a_purged_events_link_says_its_documents_are_no_longer_kept(
    confirmation_template, django_capture_on_commit_callbacks
):
    order, event = ordered()
    ask(
        BrowserClient(),
        event,
        reference=order.number,
        email="asa@example.com",
        capture=django_capture_on_commit_callbacks,
    )
    link = link_in(mail.outbox[0])

    purge_messages(older_than_days=0, now=timezone.now() + timedelta(seconds=1))

    answer = visit(BrowserClient(), link)
    assert 'data-testid="not-kept"' in answer.content.decode()
    assert not passwords_on(answer)


def test_an_erased_events_link_says_its_documents_are_no_longer_kept(
    confirmation_template, django_capture_on_commit_callbacks
):
    order, event = ordered()
    ask(
        BrowserClient(),
        event,
        reference=order.number,
        email="asa@example.com",
        capture=django_capture_on_commit_callbacks,
    )
    link = link_in(mail.outbox[0])
    clicked_before = BrowserClient()
    visit(clicked_before, link)
    anonymise_events([event.pk])

    for answer in (visit(BrowserClient(), link), clicked_before.post(OPENED)):
        assert 'data-testid="not-kept"' in answer.content.decode()
        assert not passwords_on(answer)
    # Asking again sends nothing: the address is gone.
    mail.outbox.clear()
    ask(
        BrowserClient(),
        event,
        reference=order.number,
        email="asa@example.com",
        capture=django_capture_on_commit_callbacks,
    )
    assert not mail.outbox


def test_the_form_is_csrf_protected(confirmation_template):
    order, event = ordered()
    browser = BrowserClient(enforce_csrf_checks=True)
    path = help_url(event).removeprefix("http://127.0.0.1:8000")

    answer = browser.post(path, {"reference": order.number, "email": "asa@example.com"})

    assert answer.status_code == 403
    assert not mail.outbox


def test_the_link_page_is_csrf_protected(confirmation_template, django_capture_on_commit_callbacks):
    order, event = ordered()
    ask(
        BrowserClient(),
        event,
        reference=order.number,
        email="asa@example.com",
        capture=django_capture_on_commit_callbacks,
    )
    link = link_in(mail.outbox[0])

    browser = BrowserClient(enforce_csrf_checks=True)
    visit(browser, link)

    assert browser.post(OPENED).status_code == 403
    assert DocumentAccessLink.objects.get().opened_at is None


def test_asking_too_often_for_one_address_is_refused_clearly(
    confirmation_template, django_capture_on_commit_callbacks, settings
):
    settings.DOCUMENT_ACCESS_RATE_LIMITS = ("2/h", "100/h")
    order, event = ordered()

    answers = [
        ask(
            BrowserClient(REMOTE_ADDR=f"10.0.0.{n}"),
            event,
            reference=order.number,
            email="asa@example.com",
            capture=django_capture_on_commit_callbacks,
        )
        for n in range(3)
    ]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert "Too many requests" in answers[2].content.decode()
    assert "try again in" in answers[2].content.decode()
    assert 1 <= int(answers[2]["Retry-After"]) <= 3600
    assert len(mail.outbox) == 2


def test_asking_too_often_from_one_address_is_refused(
    confirmation_template, django_capture_on_commit_callbacks, settings
):
    settings.DOCUMENT_ACCESS_RATE_LIMITS = ("100/h", "2/h")
    order, event = ordered()
    browser = BrowserClient()

    statuses = [
        ask(
            browser,
            event,
            reference=order.number,
            email=f"guess{n}@example.com",
            capture=django_capture_on_commit_callbacks,
        ).status_code
        for n in range(3)
    ]

    assert statuses == [200, 200, 429]


def test_a_bad_form_says_what_is_wrong_and_sends_nothing(confirmation_template):
    _order, event = ordered()
    path = help_url(event).removeprefix("http://127.0.0.1:8000")

    answer = BrowserClient().post(path, {"reference": "", "email": "not an address"})

    assert answer.status_code == 200
    assert "This field is required." in answer.content.decode()
    assert "Enter a valid email address." in answer.content.decode()
    assert not mail.outbox


urlpatterns = []  # a project that does not serve the lost-password pages


def test_without_the_pages_the_standard_value_is_empty(confirmation_template, settings):
    settings.ROOT_URLCONF = __name__
    order = OrderFactory()

    event = Event.objects.create(
        type=confirmation_template.event,
        recipient="asa@example.com",
        language="en",
        data={},
        reference=order.number,
        idempotency_key="k",
        request_hash="h",
    )

    assert event.template_context()["event"]["documents_help_url"] == ""

"""What the ESP's answer (or its silence) makes of a message: the reason staff read, and when it
is tried again."""

import socket
import threading
from datetime import timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from messaging import delivery
from messaging.models import Message
from tests.factories import OrderFactory
from tests.messaging.fake_esp import Step
from tests.messaging.helpers import deliver_order, queue_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def unanswered_port():
    """A port on 127.0.0.1 whose accept queue is full: the kernel drops further connection
    attempts, so a client's connect times out (as behind a dead load balancer)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    waiting = []
    for _ in range(4):  # never accepted: they fill the queue
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        waiting.append(filler)
    yield port
    for filler in waiting:
        filler.close()
    server.close()


# An ESP that never completes the connection: the email was certainly not sent, so the message
# waits for its retry, unflagged (a flag would make staff hunt for a duplicate that cannot be).
def test_a_connect_timeout_is_retried_and_not_flagged_as_maybe_sent(
    confirmation_template, unanswered_port, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {
        "POSTMARK_SERVER_TOKEN": "t",
        "POSTMARK_API_URL": f"http://127.0.0.1:{unanswered_port}/",
        "REQUESTS_TIMEOUT": (0.2, 1),
    }

    message = deliver_order()

    assert message.status == Message.Status.QUEUED
    assert message.attempts == 1
    assert message.last_error == "Could not connect to the ESP (timeout)."
    assert message.next_attempt_at > timezone.now()
    assert message.events.filter(kind="retry_scheduled").count() == 1
    assert not message.events.filter(kind="no_response").exists()  # not "may have been sent"


def test_a_retry_after_given_as_a_date_is_waited_for(
    no_publish, confirmation_template, fake_postmark, settings, caplog
):
    settings.MESSAGING_RETRY_BASE_SECONDS = 1  # our own backoff alone would retry within 1 s
    asked = timezone.now() + timedelta(minutes=10)
    fake_postmark.plan = [
        Step(
            503,
            {"ErrorCode": 100, "Message": "Maintenance"},
            headers=(("Retry-After", format_datetime(asked, usegmt=True)),),
        )
    ]
    message = queue_order(OrderFactory())

    message = delivery.deliver_message(message_id=message.pk)

    assert message.status == Message.Status.QUEUED
    assert message.last_error == "Postmark API responded 503 (error code 100: Maintenance)."
    assert f"Message {message.pk} attempt 1 failed: AnymailRequestsAPIError (HTTP 503)" in [
        r.getMessage() for r in caplog.records
    ]
    # The date has whole seconds: the retry comes within the second the ESP named.
    assert asked - timedelta(seconds=1) <= message.next_attempt_at <= asked + timedelta(seconds=2)


class BadGateway(BaseHTTPRequestHandler):
    """A proxy in front of the ESP answering 502 with its own HTML page."""

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        self.send_response(502)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, *args):
        pass


@pytest.fixture
def bad_gateway(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), BadGateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {
        "POSTMARK_SERVER_TOKEN": "t",
        "POSTMARK_API_URL": f"http://127.0.0.1:{server.server_address[1]}/",
    }
    yield
    server.shutdown()
    server.server_close()


def test_an_error_page_that_is_not_json_gives_the_status_alone(
    confirmation_template, bad_gateway, django_capture_on_commit_callbacks
):
    message = deliver_order()

    assert message.status == Message.Status.QUEUED  # a 502 is worth another attempt
    assert message.last_error == "Postmark API responded 502."


def test_an_address_anymail_cannot_read_fails_the_message_for_good(
    confirmation_template, django_capture_on_commit_callbacks
):
    # Checkout and send_event validate addresses; a row from before that (or edited in the
    # database, as here) is not.
    with django_capture_on_commit_callbacks() as publish:
        message = queue_order(OrderFactory())
    Message.objects.filter(pk=message.pk).update(recipient="no-at-sign")
    for callback in publish:
        callback()
    message.refresh_from_db()

    assert message.status == Message.Status.FAILED
    assert message.last_error == "An address of the email is not valid for the ESP."
    assert message.attempts == 1


def test_a_300_answer_is_not_taken_for_acceptance(
    confirmation_template, fake_postmark, django_capture_on_commit_callbacks
):
    # Only 2xx means the ESP took the email; requests does not follow a 300 for a POST.
    fake_postmark.plan = [Step(300, {"ErrorCode": 0, "Message": "Multiple Choices"})]

    message = deliver_order()

    assert message.status == Message.Status.FAILED
    assert message.last_error == "Postmark API responded 300 (Multiple Choices)."
    assert not message.events.filter(kind="sent").exists()

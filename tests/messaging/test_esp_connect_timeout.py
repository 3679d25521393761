"""An ESP that never completes the connection: the email was certainly not sent, so the message
waits for its retry, unflagged (a flag would make staff hunt for a duplicate that cannot be)."""

import socket

import pytest
from django.utils import timezone

from messaging.models import Message
from tests.messaging.helpers import deliver_order

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

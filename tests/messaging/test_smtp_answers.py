"""Sending through Django's SMTP backend: each answer an SMTP server can give, and what it makes
of the message staff see. A scripted SMTP server on 127.0.0.1 gives the answers."""

import socket
import threading

import pytest

from messaging.models import Message
from tests.messaging.helpers import deliver_order

pytestmark = pytest.mark.django_db


class ScriptedSMTP:
    """Speaks just enough SMTP for Django's backend; `answers` replaces the reply to a command
    (`AUTH`, `RCPT`, or `.` for the end of the data; None there: hang up instead)."""

    def __init__(self, answers: dict[str, str | None]):
        self.answers = answers
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            with client, client.makefile("rb") as lines:
                client.sendall(b"220 fake ESMTP\r\n")
                in_data = False
                for raw in lines:
                    line = raw.decode().rstrip("\r\n")
                    if in_data:
                        if line == ".":
                            in_data = False
                            if self.answers.get(".", "") is None:
                                break  # the connection drops before the server answers
                            client.sendall(self.reply(".", "250 queued"))
                        continue
                    command = line.split(" ", 1)[0].split(":", 1)[0].upper()
                    if command == "EHLO":
                        client.sendall(b"250-fake\r\n250 AUTH PLAIN LOGIN\r\n")
                    elif command == "DATA":
                        in_data = True
                        client.sendall(b"354 go on\r\n")
                    elif command == "QUIT":
                        client.sendall(b"221 bye\r\n")
                        break
                    else:
                        client.sendall(
                            self.reply(command, "250 ok" if command != "AUTH" else "235 ok")
                        )

    def reply(self, command: str, default: str) -> bytes:
        return f"{self.answers.get(command, default)}\r\n".encode()

    def close(self):
        self.server.close()


# answer: (the message's status, its last error, attempts counted)
ANSWERS = {
    "accepted": ({}, Message.Status.SENT, "", 1),
    "login refused": (
        {"AUTH": "535 5.7.8 authentication failed"},
        Message.Status.QUEUED,
        "SMTP server refused our login (535).",
        0,  # held for the operator: no attempt at this message is used up
    ),
    "recipient refused": (
        {"RCPT": "550 5.1.1 no such user"},
        Message.Status.FAILED,
        "The SMTP server refused the recipient address.",
        1,
    ),
    "busy, try later": (
        {".": "451 4.3.0 try again later"},
        Message.Status.QUEUED,
        "SMTP server responded 451.",
        1,
    ),
    "refused for good": (
        {".": "554 5.7.1 message refused"},
        Message.Status.FAILED,
        "SMTP server responded 554.",
        1,
    ),
    "syntax error": (
        {".": "500 5.5.2 syntax error"},
        Message.Status.FAILED,
        "SMTP server responded 500.",
        1,
    ),
    "hung up after the data": (
        {".": None},
        Message.Status.QUEUED,
        "Mail connection error (SMTPServerDisconnected).",
        1,
    ),
}


@pytest.mark.parametrize("answer", list(ANSWERS))
def test_an_smtp_answer_gives_the_message_its_outcome(
    answer, confirmation_template, settings, django_capture_on_commit_callbacks, caplog
):
    script, status, error, attempts = ANSWERS[answer]
    server = ScriptedSMTP(script)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "shop", "secret"
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        message = deliver_order()
    finally:
        server.close()

    assert message.status == status
    assert message.last_error == error
    assert message.attempts == attempts
    assert message.events.filter(kind="sent").exists() == (status == Message.Status.SENT)
    # Only a connection lost after the data was written may have delivered the email.
    assert message.events.filter(kind="no_response").exists() == (script == {".": None})
    # The log names the exception's class, nothing of the email.
    logged = [r.getMessage() for r in caplog.records if r.name == "messaging.delivery"]
    failed = [f"Message {message.pk} attempt 1 failed: {error_class(answer)}"]
    assert [line for line in logged if "attempt 1 failed" in line] == (failed if error else [])
    assert not any("@" in line for line in logged)


def error_class(answer: str) -> str:
    return {
        "login refused": "SMTPAuthenticationError",
        "recipient refused": "SMTPRecipientsRefused",
        "hung up after the data": "SMTPServerDisconnected",
    }.get(answer, "SMTPDataError")

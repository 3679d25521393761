"""Every recipient status Anymail defines, and what it makes of the message staff see.

`send()` returning does not mean the ESP took the email: the status Anymail read for the
recipient decides. Each row goes through the whole delivery (compose, encrypt, send, record)
with Anymail's test backend answering that status, once as Anymail is configured by default
and once with `IGNORE_RECIPIENT_STATUS` (when a refused recipient raises nothing).
"""

import pytest
from anymail.backends.test import EmailBackend as AnymailTestBackend
from anymail.message import ANYMAIL_STATUSES, AnymailRecipientStatus

from messaging.models import Message
from tests.messaging.helpers import deliver_order

pytestmark = pytest.mark.django_db

ESP_ID = "esp-0001"
UNCONFIRMED = (
    "The ESP accepted the request without confirming this recipient (status 'unknown'): check "
    "the ESP's activity log if the customer says it never arrived."
)

# status: (the message's status, its last error, the notes in its history, the ESP id kept)
OUTCOMES = {
    "sent": (Message.Status.SENT, "", [], ESP_ID),
    "queued": (Message.Status.SENT, "", [], ESP_ID),
    "rejected": (Message.Status.FAILED, "The ESP rejected the recipient address.", [], ""),
    "invalid": (Message.Status.FAILED, "The ESP found the recipient address invalid.", [], ""),
    "failed": (Message.Status.FAILED, "The ESP could not send to the recipient address.", [], ""),
    "unknown": (Message.Status.SENT, "", [UNCONFIRMED], ESP_ID),
}
# Without IGNORE_RECIPIENT_STATUS, Anymail itself raises when every recipient is refused.
REFUSED_BY_ANYMAIL = "The ESP refused the recipient address."


class StatusBackend(AnymailTestBackend):
    """Anymail's test backend, answering every recipient with `status`."""

    status = "sent"
    esp_id = ESP_ID  # the id the ESP gives an email it accepts

    def post_to_esp(self, payload, message):
        accepted = self.status in ("sent", "queued", "unknown")
        message.anymail_test_response = {
            "recipient_status": {
                email: AnymailRecipientStatus(self.esp_id if accepted else None, self.status)
                for email in payload.recipient_emails
            }
        }
        return super().post_to_esp(payload, message)


def test_the_table_has_every_status_anymail_defines():
    assert set(OUTCOMES) == set(ANYMAIL_STATUSES)


@pytest.mark.parametrize("ignore_recipient_status", [False, True], ids=["default", "ignore"])
@pytest.mark.parametrize("status", list(OUTCOMES))
def test_a_recipient_status_gives_the_message_its_outcome(
    status,
    ignore_recipient_status,
    confirmation_template,
    settings,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    settings.EMAIL_BACKEND = f"{__name__}.StatusBackend"
    settings.ANYMAIL = {"IGNORE_RECIPIENT_STATUS": ignore_recipient_status}
    monkeypatch.setattr(StatusBackend, "status", status)
    expected_status, expected_error, expected_notes, expected_id = OUTCOMES[status]
    if status in ("rejected", "invalid") and not ignore_recipient_status:
        expected_error = REFUSED_BY_ANYMAIL

    message = deliver_order()

    assert message.status == expected_status
    assert message.last_error == expected_error
    assert message.attempts == 1  # a permanent failure is not tried again
    assert message.esp_message_id == expected_id
    notes = list(message.events.filter(kind="note").values_list("detail", flat=True))
    assert notes == expected_notes
    assert message.events.filter(kind="sent").exists() == (expected_status == Message.Status.SENT)


def test_an_accepted_recipient_without_an_id_is_sent_with_the_id_unknown(
    confirmation_template, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.StatusBackend"
    monkeypatch.setattr(StatusBackend, "status", "queued")
    monkeypatch.setattr(StatusBackend, "esp_id", None)

    message = deliver_order()

    assert message.status == Message.Status.SENT
    assert message.esp_message_id == ""
    notes = list(message.events.filter(kind="note").values_list("detail", flat=True))
    assert notes == ["The ESP accepted the email but returned no message id."]

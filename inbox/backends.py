"""The development email backend: "sends" by storing each email for the dev inbox.

Built on Anymail's base backend, so development exercises the same path as production: the
message gets an ESP message id, `anymail_status`, the post-send signal and tracking ids, and the
delivery engine cannot tell it from a real ESP.
"""

import uuid

from anymail.backends.base import AnymailBaseBackend, BasePayload
from anymail.message import AnymailRecipientStatus
from django.conf import settings
from django.db import transaction

from .models import CapturedAttachment, CapturedEmail

REDACTED = (
    "(Not kept: this email carried a single-use secret link, readable here only with DEBUG on.)"
)


class CaptureEmailBackend(AnymailBaseBackend):
    """Store every email in `CapturedEmail` (attachments as the bytes that would travel).

    An email that says its body is a secret (`secret_body = True` on the message, as the
    lost-password link's does) keeps only its headers unless `DEBUG` is on: a staging site's dev
    inbox is open to staff who may view messages, and the link would show them the passwords."""

    esp_name = "Capture"

    def build_message_payload(self, message, defaults):
        return CapturePayload(message, defaults, self)

    def post_to_esp(self, payload, message):
        if getattr(message, "secret_body", False) and not settings.DEBUG:
            # A single-use secret (a lost-password link): outside development, whoever may read
            # the dev inbox must not be able to use it. Kept: who, when, the subject.
            payload.params["text_body"] = REDACTED
            payload.params.pop("html_body", None)
        with transaction.atomic():
            captured = CapturedEmail.objects.create(
                message_id=uuid.uuid4().hex,
                **{key: value for key, value in payload.params.items() if key != "attachments"},
            )
            CapturedAttachment.objects.bulk_create(
                CapturedAttachment(
                    email=captured,
                    filename=attachment.name or "attachment",
                    mimetype=attachment.mimetype,
                    content=attachment.content_bytes,
                    size=len(attachment.content_bytes),
                )
                for attachment in payload.attachments
            )
        return captured

    def parse_recipient_status(self, response, payload, message):
        status = AnymailRecipientStatus(message_id=response.message_id, status="sent")
        return dict.fromkeys(payload.recipient_emails, status)


class CapturePayload(BasePayload):
    def init_payload(self):
        self.params = {"headers": {}}
        self.attachments = []
        self.recipient_emails = []

    def set_from_email(self, email):
        self.params["from_email"] = email.address
        self.params["headers"]["From"] = email.address

    def set_recipients(self, recipient_type, emails):
        addresses = [email.address for email in emails]
        self.params[recipient_type] = addresses
        if recipient_type != "bcc" and addresses:
            self.params["headers"][recipient_type.title()] = ", ".join(addresses)
        self.recipient_emails += [email.addr_spec for email in emails]

    def set_subject(self, subject):
        self.params["subject"] = subject
        self.params["headers"]["Subject"] = subject

    def set_reply_to(self, emails):
        if not emails:
            return
        self.params["reply_to"] = [email.address for email in emails]
        self.params["headers"]["Reply-To"] = ", ".join(self.params["reply_to"])

    def set_extra_headers(self, headers):
        self.params["headers"].update({str(k): str(v) for k, v in headers.items()})

    def set_text_body(self, body):
        self.params["text_body"] = body

    def set_html_body(self, body):
        self.params["html_body"] = body

    def add_attachment(self, attachment):
        self.attachments.append(attachment)

    def set_metadata(self, metadata):
        self.params["metadata"] = {str(k): str(v) for k, v in metadata.items()}

    def set_tags(self, tags):
        self.params["tags"] = list(tags)

    # Accepted and ignored: a capture has nothing to track or schedule.
    def set_track_clicks(self, track_clicks):
        pass

    def set_track_opens(self, track_opens):
        pass

    def set_send_at(self, send_at):
        pass

    def set_envelope_sender(self, email):
        pass

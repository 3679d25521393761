"""Failure classification: what one send attempt came to — accepted by the ESP, or a failure
to retry or to record.

Two sources decide it, and both are read here so the delivery workflow never has to guess:
- the exception `send()` raised, sorted by whether the request can have reached the ESP;
- when `send()` returned, Anymail's per-recipient status (`email.anymail_status`): returning
  without an exception does not mean accepted (with `IGNORE_RECIPIENT_STATUS`, or when the ESP
  names an address Anymail cannot match, a refused email raises nothing).

Reasons name the ESP's status and error code only: Anymail's exception text carries the request
payload (addresses, the attachment) and never goes into a log or the database.
"""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import requests
from anymail.exceptions import (
    AnymailAPIError,
    AnymailInvalidAddress,
    AnymailRecipientsRefused,
    AnymailSerializationError,
    AnymailUnsupportedFeature,
)
from django.core.exceptions import ImproperlyConfigured
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from attachments.api import AttachmentError
from stafftemplates.errors import StaffTemplateError

# HTTP statuses worth another attempt: the ESP is busy or broken, not refusing the message.
TRANSIENT_STATUSES = frozenset({408, 425, 429}) | frozenset(range(500, 600))
# The ESP refuses *us* (bad or revoked token, account suspended): no message can go out until
# an operator fixes the configuration, so it is nobody's message's fault.
SENDER_REFUSED_STATUSES = frozenset({401, 403})

# Anymail's recipient statuses that refuse the email for good: another attempt would send the
# same email to the same address. The reason is what staff read on the message.
REFUSED_RECIPIENT_REASONS = {
    "rejected": "The ESP rejected the recipient address.",  # blocked: bounced or complained
    "invalid": "The ESP found the recipient address invalid.",
    "failed": "The ESP could not send to the recipient address.",
}

UNKNOWN_ID_NOTE = "The ESP accepted the email but returned no message id."


@dataclass(frozen=True)
class Accepted:
    """The ESP took the email. `note` goes into the history when something was unusual."""

    esp_message_id: str = ""  # empty: the ESP did not say which id it gave the email
    note: str = ""


@dataclass(frozen=True)
class Failure:
    """How one failed attempt is recorded: the reason for staff, and what to do next."""

    reason: str
    transient: bool
    maybe_sent: bool = False  # the ESP may have accepted it (no response came back)
    # The ESP refused our credentials or the backend is misconfigured: hold the message
    # (queued, the attempt not counted) until the configuration is fixed.
    sender_refused: bool = False
    # Seconds the ESP asked us to wait (`Retry-After` on a 429 or 503): the next attempt is not
    # sooner, whatever the backoff says.
    retry_after: float | None = None


def read_acceptance(email, *, recipient: str) -> Accepted | Failure:
    """The outcome of a `send()` that returned, from the ESP's status for `recipient`.

    `queued`/`sent` → accepted (an empty message id is recorded as unknown); `rejected`/
    `invalid`/`failed` → a permanent failure; anything else (`unknown`) is decided by the HTTP
    status the ESP answered with: an error status means it was not sent, a success means the
    ESP took it without confirming the recipient (accepted, with a note in the history).
    Backends that report nothing (Django's SMTP backend) are accepted as before.
    """
    status = getattr(email, "anymail_status", None)
    recipients = getattr(status, "recipients", None) or {}
    if not recipients:
        return Accepted()
    mine = _recipient_status(recipients, recipient)
    state = getattr(mine, "status", None) or "unknown"
    esp_message_id = _message_id(getattr(mine, "message_id", None))
    if state in ("queued", "sent"):
        return Accepted(esp_message_id, note="" if esp_message_id else UNKNOWN_ID_NOTE)
    if state in REFUSED_RECIPIENT_REASONS:
        return Failure(REFUSED_RECIPIENT_REASONS[state], transient=False)
    response = getattr(status, "esp_response", None)
    http_status = getattr(response, "status_code", None)
    if isinstance(http_status, int) and http_status >= 400:
        reason = f"The ESP answered {http_status}{esp_error_detail(response)} for this email."
        return Failure(reason, transient=http_status in TRANSIENT_STATUSES)
    return Accepted(
        esp_message_id,
        note="The ESP accepted the request without confirming this recipient (status "
        f"{state!r}): check the ESP's activity log if the customer says it never arrived.",
    )


def _recipient_status(recipients: Mapping, recipient: str):
    for address, one in recipients.items():
        if str(address).lower() == recipient.lower():
            return one
    return None


def _message_id(value) -> str:
    if value is None or isinstance(value, set):  # a set: several ids, none of them ours alone
        return ""
    return str(value)


def classify_failure(exc: BaseException, *, sending: bool) -> Accepted | Failure:
    """Sort what `compose` or `send()` raised: transient (try again later), permanent, or — an
    ESP that answered 2xx with a body Anymail could not read — accepted after all.

    `sending` says whether the exception came from `send()` (the request may have gone out).
    """
    if isinstance(exc, AnymailRecipientsRefused):
        return Failure("The ESP refused the recipient address.", transient=False)
    if isinstance(exc, AnymailUnsupportedFeature | AnymailSerializationError):
        # The email as built cannot go through this ESP: another attempt builds the same one.
        return Failure(
            f"The ESP cannot send this email as built ({type(exc).__name__}).", transient=False
        )
    if isinstance(exc, AnymailInvalidAddress):
        return Failure("An address of the email is not valid for the ESP.", transient=False)
    if _is_transport_error(exc):
        return _transport_failure(exc)
    if isinstance(exc, AnymailAPIError):
        return _api_failure(exc, sending=sending)
    if isinstance(exc, ImproperlyConfigured):  # Anymail: missing token, unknown backend option
        return Failure(
            f"The email backend is misconfigured ({type(exc).__name__}).",
            transient=True,
            sender_refused=True,
        )
    if isinstance(exc, StaffTemplateError):
        return Failure(f"Template error: {exc}", transient=False)
    if isinstance(exc, AttachmentError):
        return Failure(f"Attachment error ({type(exc).__name__}): {exc}", transient=False)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return Failure(
            f"SMTP server refused our login ({exc.smtp_code}).", transient=True, sender_refused=True
        )
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return Failure("The SMTP server refused the recipient address.", transient=False)
    if isinstance(exc, smtplib.SMTPResponseException):
        return Failure(
            f"SMTP server responded {exc.smtp_code}.", transient=400 <= exc.smtp_code < 500
        )
    if isinstance(exc, OSError | smtplib.SMTPException):
        return Failure(
            f"Mail connection error ({type(exc).__name__}).", transient=True, maybe_sent=sending
        )
    # Unknown: retrying is safer than losing the email; the attempts cap ends a real bug.
    return Failure(f"Unexpected error ({type(exc).__name__}).", transient=True, maybe_sent=sending)


def _is_transport_error(exc: BaseException) -> bool:
    # Anymail re-raises a requests error as a class deriving from both AnymailRequestsAPIError
    # (an HTTPError) and the original type: look at the original.
    return isinstance(exc, requests.exceptions.ConnectionError | requests.exceptions.Timeout)


def _transport_failure(exc: BaseException) -> Failure:
    """A request that got no HTTP answer. Only a connection that never opened proves the email
    was not sent; once the request was written (a reset, a dropped connection, a read timeout)
    the ESP may have accepted it, and the retry is flagged as a possible duplicate."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return Failure("Could not connect to the ESP (timeout).", transient=True)
    if _never_connected(exc):
        return Failure("Could not connect to the ESP.", transient=True)
    if isinstance(exc, requests.exceptions.Timeout):
        return Failure("No response from the ESP.", transient=True, maybe_sent=True)
    return Failure(
        "The connection to the ESP broke before it answered.", transient=True, maybe_sent=True
    )


def _never_connected(exc: BaseException) -> bool:
    """Whether the chain of causes shows the TCP (or TLS) connection was never established."""
    seen: set[int] = set()
    pending: list[object] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(
            current,
            NewConnectionError
            | ConnectTimeoutError
            | NameResolutionError
            | ConnectionRefusedError
            | requests.exceptions.SSLError
            | requests.exceptions.ProxyError,
        ):
            return True
        pending.extend(getattr(current, "args", ()) or ())
        pending += [
            getattr(current, "reason", None),
            getattr(current, "__cause__", None),
            getattr(current, "__context__", None),
        ]
    return False


def _api_failure(exc: AnymailAPIError, *, sending: bool) -> Accepted | Failure:
    status = exc.status_code
    esp = exc.esp_name or "ESP"
    response = getattr(exc, "response", None)
    if status is None:
        return Failure(f"{esp} gave no usable response.", transient=True, maybe_sent=sending)
    if 200 <= status < 300:
        # The ESP said yes and its body was not what Anymail expected (e.g. no MessageID):
        # the email is on its way, and failing it would invite a duplicate resend.
        return Accepted(note=f"{esp} answered {status} without a readable message id.")
    reason = f"{esp} API responded {status}{esp_error_detail(response)}."
    if status in SENDER_REFUSED_STATUSES:
        return Failure(reason, transient=True, sender_refused=True)
    return Failure(
        reason, transient=status in TRANSIENT_STATUSES, retry_after=_retry_after(response)
    )


def _retry_after(response) -> float | None:
    """The `Retry-After` header as seconds: a number, or an HTTP date (RFC 9110)."""
    headers = getattr(response, "headers", None) or {}
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    if not value:
        return None
    value = str(value).strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, (moment - datetime.now(tz=UTC)).total_seconds())


def esp_error_detail(response) -> str:
    """The ESP's own error code/message for staff (stored, never logged), kept short."""
    try:
        body = response.json() if response is not None else None
    except ValueError:
        return ""
    if not isinstance(body, Mapping):
        return ""
    parts = []
    if body.get("ErrorCode") not in (None, 0):
        parts.append(f"error code {body['ErrorCode']}")
    text = body.get("Message") or body.get("message")
    if isinstance(text, str) and text:
        parts.append(text[:200])
    return f" ({': '.join(parts)})" if parts else ""


def describe_exception(exc: BaseException) -> str:
    """What a log line may say about an exception: its class and HTTP status, nothing else."""
    status = getattr(exc, "status_code", None)
    return f"{type(exc).__name__} (HTTP {status})" if status else type(exc).__name__

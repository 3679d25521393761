"""The Python API of the message center: `send_event`.

    from messaging.events import send_event

    sent = send_event(
        type="order_confirmation",
        recipient="asa@example.com",
        recipient_name="Åsa Öberg",
        language="sv",
        data={...},  # valid against the type's JSON Schema
        reference=order.number,
        idempotency_key=f"order:{order.number}",
    )
    sent.event.status, sent.document_passwords

It validates everything before writing anything (`EventRefused` lists each problem with its
path), writes the event and its message in the caller's transaction (a caller that rolls back
sends nothing) and publishes the message on commit. The same idempotency key again returns the
first event when the request is the same, and raises `EventConflict` when it is not.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from stafftemplates.models import EventType
from stafftemplates.schemas import data_errors

from .document_passwords import DocumentPassword, event_document_passwords
from .models import Client, Event
from .outbox import queue_message
from .shared_choices import memoized

__all__ = ["EventConflict", "EventRefused", "SentEvent", "send_event"]

MAX_TEXT = {"recipient": 254, "recipient_name": 200, "reference": 200, "idempotency_key": 200}
# Over this, a string in the data is refused whatever the schema allows: no template needs it.
MAX_DATA_STRING = 10_000
# Over this, data nested in lists and objects is refused: no template reads that deep, and
# rendering and hashing walk it recursively (a few hundred levels exhausted Python's stack
# after the event was written).
MAX_DATA_DEPTH = 20


class EventRefused(Exception):
    """The event was not accepted; `errors` lists `{"path", "message"}`, one per problem."""

    def __init__(self, errors: list[dict[str, str]]):
        super().__init__("; ".join(f"{e['path']}: {e['message']}" for e in errors))
        self.errors = errors


class EventConflict(Exception):
    """The idempotency key was used before with a different request: `event` is that one."""

    def __init__(self, event: Event):
        super().__init__(
            f"Idempotency key already used for event #{event.pk} with a different request."
        )
        self.event = event


@dataclass(frozen=True)
class SentEvent:
    """What `send_event` made (or found: `created` False for a replay)."""

    event: Event
    document_passwords: list[DocumentPassword] = field(default_factory=list)
    created: bool = True


def send_event(
    *,
    type: str,
    recipient: str,
    data: dict[str, Any],
    idempotency_key: str,
    language: str = "",
    recipient_name: str = "",
    reference: str = "",
    scheduled_at: datetime | None = None,
    expires_at: datetime | None = None,
    client: Client | None = None,
    token: str = "",
) -> SentEvent:
    """Validate an event, write it with its message in the caller's transaction, and have the
    message delivered once that commits.

    Raises `EventRefused` (nothing written) or `EventConflict` (the key's first request
    differed). A type with no published email template is written `ignored`, with the reason,
    and sends nothing.

    Generated document passwords derive from the event's random token; a sender that already
    keeps a secret random token per record (the shop's order token) may pass it as `token`, so
    the passwords it can show stay those it always showed. It is no part of the request hash.
    """
    fields = {
        "recipient": recipient,
        "recipient_name": recipient_name,
        "reference": reference,
        "idempotency_key": idempotency_key,
    }
    errors = _field_errors(fields, language=language)
    errors += _time_errors(scheduled_at=scheduled_at, expires_at=expires_at)
    if token and (not isinstance(token, str) or not 32 <= len(token) <= 64):
        errors.append({"path": "token", "message": "A token has 32 to 64 characters."})
    event_type = (
        memoized(("event_type", type), EventType.objects.filter(code=type).first)
        if isinstance(type, str)
        else None
    )
    if event_type is None:
        errors.append({"path": "type", "message": f"Unknown event type {str(type)[:50]!r}."})
    elif not isinstance(data, dict):
        errors.append({"path": "data", "message": "The data must be a JSON object."})
    else:
        # The schema's messages quote values: not one that is huge or holds a NUL.
        errors += _nul_and_length_errors(data, "data") or [
            error.as_dict() for error in data_errors(event_type.schema, data)
        ]
    if errors:
        raise EventRefused(errors)
    language = language or settings.LANGUAGE_CODE
    request_hash = _request_hash(
        type=type,
        data=data,
        language=language,
        scheduled_at=scheduled_at,
        expires_at=expires_at,
        **fields,
    )
    with transaction.atomic():
        # Written first, looked up only when the key is taken (by an earlier request, or a
        # concurrent one committed meanwhile): a new event, the usual case, costs no look-up.
        try:
            with transaction.atomic():
                event = Event.objects.create(
                    type=event_type,
                    data=data,
                    language=language,
                    client=client,
                    request_hash=request_hash,
                    scheduled_at=scheduled_at,
                    expires_at=expires_at,
                    **({"token": token} if token else {}),
                    **fields,
                )
        except IntegrityError:
            if (replay := _replay(client, idempotency_key, request_hash)) is not None:
                return replay
            raise
        message = queue_message(event=event)
    return SentEvent(event, event_document_passwords(event, message=message))


def _replay(client: Client | None, key: str, request_hash: str) -> SentEvent | None:
    earlier = Event.objects.filter(client=client, idempotency_key=key).first()
    if earlier is None:
        return None
    if earlier.request_hash != request_hash:
        raise EventConflict(earlier)
    return SentEvent(earlier, event_document_passwords(earlier), created=False)


def _field_errors(fields: dict[str, Any], *, language: str) -> list[dict[str, str]]:
    errors = []
    for name, value in fields.items():
        if not isinstance(value, str):
            errors.append({"path": name, "message": "Must be a string."})
        elif "\x00" in value:
            errors.append({"path": name, "message": "Contains a NUL character."})
        elif not _is_utf8(value):
            errors.append({"path": name, "message": UNPAIRED_SURROGATE})
        elif len(value) > MAX_TEXT[name]:
            errors.append(
                {"path": name, "message": f"At most {MAX_TEXT[name]} characters ({len(value)})."}
            )
    if not errors and not fields["idempotency_key"]:
        errors.append({"path": "idempotency_key", "message": "Required."})
    if not any(e["path"] == "recipient" for e in errors):
        try:
            validate_email(fields["recipient"])
        except ValidationError:
            errors.append({"path": "recipient", "message": "Not an email address."})
    if language and language not in dict(settings.LANGUAGES):
        known = ", ".join(dict(settings.LANGUAGES))
        errors.append(
            {"path": "language", "message": f"Unknown language {language[:20]!r} (use {known})."}
        )
    return errors


def _time_errors(*, scheduled_at, expires_at) -> list[dict[str, str]]:
    errors = []
    for name, value in (("scheduled_at", scheduled_at), ("expires_at", expires_at)):
        if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
            errors.append({"path": name, "message": "Must be a date and time with its offset."})
    if not errors and scheduled_at and expires_at and expires_at <= scheduled_at:
        errors.append({"path": "expires_at", "message": "Must be after scheduled_at."})
    return errors


UNPAIRED_SURROGATE = "Contains an unpaired surrogate (not UTF-8 text)."


def _is_utf8(text: str) -> bool:
    """False for a string holding an unpaired surrogate (JSON's `"\\ud800"`), which no
    database, hash or email can encode."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _nul_and_length_errors(value: Any, path: str, depth: int = 0) -> list[dict[str, str]]:
    """NUL characters (PostgreSQL refuses them; no template wants them), unpaired surrogates,
    strings no template needs and nesting deeper than `MAX_DATA_DEPTH`, anywhere in the data,
    keys included."""
    errors = []
    if isinstance(value, str):
        if "\x00" in value:
            errors.append({"path": path, "message": "Contains a NUL character."})
        elif not _is_utf8(value):
            errors.append({"path": path, "message": UNPAIRED_SURROGATE})
        elif len(value) > MAX_DATA_STRING:
            errors.append({"path": path, "message": f"At most {MAX_DATA_STRING} characters."})
    elif isinstance(value, dict | list) and depth >= MAX_DATA_DEPTH:
        errors.append({"path": path, "message": f"Nested more than {MAX_DATA_DEPTH} levels deep."})
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key or len(key) > 200 or not _is_utf8(key):
                errors.append(
                    {"path": path, "message": "A key is over-long or holds a NUL or surrogate."}
                )
                continue
            errors += _nul_and_length_errors(item, f"{path}.{key}", depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            errors += _nul_and_length_errors(item, f"{path}[{index}]", depth + 1)
    return errors


def _request_hash(**request: Any) -> str:
    """SHA-256 of the request in a canonical form (sorted keys, no spaces, times in UTC ISO)."""
    for name in ("scheduled_at", "expires_at"):
        if request[name] is not None:
            request[name] = request[name].astimezone(UTC).isoformat()
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()

"""What the API reads and answers: the request and response bodies (and so the OpenAPI schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import AwareDatetime, ConfigDict

MAX_BATCH = 500


class Recipient(Schema):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(description="The address the email goes to.")
    name: str = ""


class EventIn(Schema):
    """One event, as `messaging.events.send_event` takes it."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(description="An event type's code, e.g. order_confirmation.")
    recipient: Recipient
    language: str = Field("", description="One of the site's languages; empty: the default.")
    data: dict[str, Any] = Field(description="Valid against the event type's JSON Schema.")
    reference: str = Field("", description="Your own name for it, e.g. an order number.")
    idempotency_key: str = Field(
        description="The same key and body again returns the first event; another body is 409."
    )
    scheduled_at: AwareDatetime | None = None
    expires_at: AwareDatetime | None = None


class BatchIn(Schema):
    # Items are checked one by one (each gets its own result), so only their list is typed here.
    events: list[dict[str, Any]] = Field(max_length=MAX_BATCH, description="At most 500 events.")


class DocumentPasswordOut(Schema):
    password: str
    filenames: list[str]


class EventAccepted(Schema):
    id: int
    status: str
    document_passwords: list[DocumentPasswordOut] = Field(
        description="What opens each PDF: shown in the 202 only, never again."
    )


class ProblemError(Schema):
    path: str
    message: str


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    errors: list[ProblemError]


class BatchResult(Schema):
    status: int = Field(description="202 accepted, 200 replayed, or the refusal's status.")
    id: int | None = None
    event_status: str | None = None
    document_passwords: list[DocumentPasswordOut] = []
    errors: list[ProblemError] = []


class BatchOut(Schema):
    results: list[BatchResult]


class HistoryLine(Schema):
    kind: str
    label: str
    at: datetime


class MessageOut(Schema):
    status: str
    created_at: datetime
    sent_at: datetime | None
    history: list[HistoryLine]


class EventOut(Schema):
    id: int
    type: str
    status: str
    reference: str
    created_at: datetime
    updated_at: datetime
    messages: list[MessageOut]


class EventTypeOut(Schema):
    code: str
    name: str
    description: str
    # `schema` is a pydantic method name: the field is named apart and answered as `schema`.
    data_schema: dict[str, Any] = Field(serialization_alias="schema")
    example: dict[str, Any]

"""The HTTP API under /api/v1/: events in (to `messaging.events.send_event`), their status
out, and the event types a client may send. docs/integrators/http-api.md describes it for
integrators."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import ValidationError as PydanticError

from messaging.events import EventConflict, EventRefused, send_event
from messaging.models import Event
from messaging.shared_choices import memoized, shared_choices
from stafftemplates.models import EventType

from . import problems, schemas
from .auth import ApiKeyAuth, body_cap
from .models import ApiKey
from .problems import Problem

api = NinjaAPI(
    title="Sealpost API",
    version="1",
    description=(
        "Send events; Sealpost emails their personalised, encrypted PDFs. "
        "docs/integrators/http-api.md"
    ),
    auth=ApiKeyAuth(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    # The reference page is routed in api/urls.py, behind `staff_unless_debug`; the schema
    # document is public (it holds no secret, and clients generate code from it).
    docs_url=None,
)
PROBLEMS = dict.fromkeys((400, 401, 403, 404, 409, 413, 429), schemas.Problem)


# One shape for every refusal (api/problems.py).
@api.exception_handler(Problem)
def _problem(request, exc: Problem):
    return exc.response()


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    # ninja's locations start with where (body, path) and the parameter's name.
    return problems.invalid(problems.pydantic_errors(exc.errors, skip=2)).response()


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return problems.not_authenticated(
        "Send your API key as `Authorization: Bearer <key>`."
    ).response()


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if exc.status_code == 400:  # ninja's only own 400: a body that is not JSON
        detail = "The body is not valid JSON (UTF-8)."
        return problems.invalid([{"path": "", "message": detail}], detail).response()
    return Problem(exc.status_code, "http", str(exc)).response()


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return Problem(413, "too-large", f"At most {body_cap()} bytes are accepted.").response()


@api.exception_handler(Http404)
def _not_found(request, exc):
    return Problem(404, "not-found", "No such resource.").response()


def _passwords(sent) -> list[dict]:
    return [
        {"password": p.password, "filenames": list(p.filenames)} for p in sent.document_passwords
    ]


def _submit(api_key: ApiKey, event: schemas.EventIn) -> tuple[int, dict]:
    """Send one event for `api_key`'s client: (202, body) new, (200, body) replayed; raises
    `Problem` when refused. `send_event` is its own transaction: a refused item of a batch
    leaves the others written."""
    if not _allowed(api_key, event.type):
        raise Problem(403, "out-of-scope", f"This key may not send {event.type!r} events.")
    try:
        sent = send_event(
            type=event.type,
            recipient=event.recipient.email,
            recipient_name=event.recipient.name,
            language=event.language,
            data=event.data,
            reference=event.reference,
            idempotency_key=event.idempotency_key,
            scheduled_at=event.scheduled_at,
            expires_at=event.expires_at,
            client=api_key.client,
        )
    except EventRefused as refused:
        raise problems.invalid(_api_paths(refused.errors)) from None
    except EventConflict as conflict:
        raise Problem(
            409,
            "idempotency-conflict",
            f"This idempotency key was used for event {conflict.event.pk} with another body.",
        ) from None
    body = {"id": sent.event.pk, "status": sent.event.status, "document_passwords": []}
    if sent.created:  # the passwords are in the 202 only
        body["document_passwords"] = _passwords(sent)
    return (202 if sent.created else 200), body


def _allowed(api_key: ApiKey, code: str) -> bool:
    """In the key's scope; an unknown type is not refused here but by `send_event`, as a 400
    naming it. Once per type in a batch (`shared_choices`)."""

    def check() -> bool:
        return api_key.allows(code) or not EventType.objects.filter(code=code).exists()

    return memoized(("api-scope", api_key.pk, code), check)


def _api_paths(errors: list[dict[str, str]]) -> list[dict[str, str]]:
    """send_event names the recipient's fields as its arguments; the API nests them."""
    renamed = {"recipient": "recipient.email", "recipient_name": "recipient.name"}
    return [{**e, "path": renamed.get(e["path"], e["path"])} for e in errors]


@api.post(
    "/events",
    response={200: schemas.EventAccepted, 202: schemas.EventAccepted, **PROBLEMS},
    summary="Send one event",
)
def post_event(request, payload: schemas.EventIn):
    return Status(*_submit(request.auth, payload))


@api.post(
    "/events/batch",
    response={207: schemas.BatchOut, **PROBLEMS},
    summary="Send up to 500 events; each is accepted or refused on its own",
)
def post_batch(request, payload: schemas.BatchIn):
    results = []
    with shared_choices():  # the events of one type and language share their look-ups
        for item in payload.events:
            results.append(_batch_item(request.auth, item))
    return Status(207, {"results": results})


def _batch_item(api_key: ApiKey, item) -> dict:
    """One item's result: accepted (its id, status and passwords) or refused (its errors)."""
    try:
        status, body = _submit(api_key, schemas.EventIn.model_validate(item))
    except PydanticError as exc:
        return {"status": 400, "errors": problems.pydantic_errors(exc.errors(), skip=0)}
    except Problem as problem:
        return {
            "status": problem.status,
            "errors": problem.errors or [{"path": "", "message": problem.detail}],
        }
    return {
        "status": status,
        "id": body["id"],
        "event_status": body["status"],
        "document_passwords": body["document_passwords"],
    }


@api.get(
    "/events/{int:event_id}",
    response={200: schemas.EventOut, **PROBLEMS},
    summary="An event's status, its emails' statuses and history",
)
def get_event(request, event_id: int):
    event = Event.objects.filter(client=request.auth.client, pk=event_id).first()
    if event is None:
        raise Problem(404, "not-found", f"You sent no event {event_id}.")
    messages = event.messages.filter(is_proof=False).order_by("sequence").prefetch_related("events")
    return {
        "id": event.pk,
        "type": event.type_id,
        "status": event.status,
        "reference": event.reference,
        "created_at": event.created_at,
        "updated_at": event.updated_at,
        # Statuses and times only: a history line's detail may quote the recipient or data.
        "messages": [
            {
                "status": message.status,
                "created_at": message.created_at,
                "sent_at": message.sent_at,
                "history": [
                    {"kind": line.kind, "label": line.get_kind_display(), "at": line.occurred_at}
                    for line in message.events.all()
                ],
            }
            for message in messages
        ],
    }


def _event_type(event_type: EventType) -> dict:
    return {
        "code": event_type.code,
        "name": event_type.name,
        "description": event_type.description,
        "data_schema": event_type.schema,
        "example": event_type.example,
    }


@api.get(
    "/event-types",
    response={200: list[schemas.EventTypeOut], **PROBLEMS},
    by_alias=True,
    summary="The event types this key may send",
)
def list_event_types(request):
    return [_event_type(t) for t in request.auth.event_types.order_by("code")]


@api.get(
    "/event-types/{code}",
    response={200: schemas.EventTypeOut, **PROBLEMS},
    by_alias=True,
    summary="One event type: its JSON Schema and an example of its data",
)
def get_event_type(request, code: str):
    # Only the key's own types, as the list: another sender's schema and example name the
    # fields of its emails. Out of scope answers as unknown.
    event_type = request.auth.event_types.filter(code=code).first()
    if event_type is None:
        raise Problem(404, "not-found", f"No event type {code[:50]!r}.")
    return _event_type(event_type)

"""Every refusal has one shape: RFC 9457 problem details, `application/problem+json`.

    {"type", "title", "status", "detail", "errors": [{"path", "message"}]}

`type` is a stable URI per kind of problem (documented in docs/integrators/http-api.md);
`errors` names each field path (`recipient.email`, `data.order.total`, `events[3]`) and what
is wrong with it.
"""

from __future__ import annotations

import json
from functools import wraps

from django.http import HttpResponse

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://sealpost.invalid/problems/"

TITLES = {
    400: "Invalid request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Idempotency key reused",
    413: "Request body too large",
    429: "Too many requests",
}


class Problem(Exception):
    """Raise anywhere under the API to answer with a problem response."""

    def __init__(
        self,
        status: int,
        kind: str,
        detail: str,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.status, self.kind, self.detail = status, kind, detail
        self.errors = errors or []
        self.headers = headers or {}

    def response(self) -> HttpResponse:
        body = {
            "type": TYPE_BASE + self.kind,
            "title": TITLES.get(self.status, "Error"),
            "status": self.status,
            "detail": self.detail,
            "errors": self.errors,
        }
        response = HttpResponse(
            json.dumps(body, ensure_ascii=False), status=self.status, content_type=CONTENT_TYPE
        )
        for name, value in self.headers.items():
            response[name] = value
        return response


def not_authenticated(detail: str) -> Problem:
    return Problem(401, "unauthenticated", detail, headers={"WWW-Authenticate": "Bearer"})


def invalid(errors: list[dict[str, str]], detail: str = "") -> Problem:
    return Problem(400, "invalid", detail or "The request has errors; see `errors`.", errors=errors)


def pydantic_errors(errors: list[dict], *, skip: int) -> list[dict[str, str]]:
    """`{"path", "message"}` from pydantic's errors, dropping the first `skip` parts of each
    location (ninja's `body` and parameter name). Never the input value: it may be personal."""
    return [
        {"path": path_of(error.get("loc", ())[skip:]), "message": error.get("msg", "Invalid.")}
        for error in errors
    ]


def path_of(parts) -> str:
    """("recipient", "email") → recipient.email; ("events", 3) → events[3]."""
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def method_not_allowed_as_problem(view):
    """Wrap one of ninja's path views so that its 405 (a plain-text `HttpResponseNotAllowed`
    built before any exception handler runs) answers in the problem shape too, keeping `Allow`.
    `wraps` keeps the view's `csrf_exempt`."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code != 405:
            return response
        allowed = ", ".join(sorted(m.strip() for m in response.get("Allow", "").split(",") if m))
        return Problem(
            405,
            "method-not-allowed",
            f"{request.method[:10]} is not allowed here; use {allowed}.",
            headers={"Allow": allowed},
        ).response()

    return wrapper

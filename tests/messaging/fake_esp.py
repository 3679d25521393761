"""A Postmark-compatible fake ESP: a threaded HTTP server on 127.0.0.1 with a scripted plan.

Anymail's real Postmark backend talks to it over HTTP (`ANYMAIL["POSTMARK_API_URL"]`), so the
tests exercise the same requests, JSON and error handling as production. Each request to
`/email` takes the next step of its message's script (`scripts`, keyed by our message id, from
the request's metadata), else the next step of the plan, else the default; every request is
recorded, with whether the fake *accepted* it: what a real ESP would have delivered, the count
that tells a duplicate email from a harmless retry.

Fault steps besides HTTP statuses and delays:
- `RESET_BEFORE`: the connection is reset before any answer and the request is not accepted
  (the body is read only to know which message it was; no byte of a response goes out);
- `RESET_AFTER`: the request is accepted, then the connection is reset without a response;
- `timeout_step(seconds)`: accepted, answered only after the client's read timeout.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RESET = "reset"


@dataclass(frozen=True)
class Step:
    status: int = 200
    body: dict | None = None
    delay: float = 0.0  # seconds before answering (a slow or hanging ESP)
    headers: tuple[tuple[str, str], ...] = ()
    # "" answers; "reset_before" / "reset_after" reset the connection instead (see above).
    fault: str = ""
    name: str = ""  # for reports and assertion messages

    @property
    def accepts(self) -> bool:
        """Whether a real ESP would have taken the email for delivery."""
        return self.fault != "reset_before" and 200 <= self.status < 300

    @property
    def label(self) -> str:
        return self.name or self.fault or str(self.status)


OK = Step(200)
UNAVAILABLE = Step(503, {"ErrorCode": 100, "Message": "Service unavailable"})
INVALID = Step(422, {"ErrorCode": 300, "Message": "Invalid 'From' address: 'nobody'."})
# The refusal names a different address than the one we sent to: the email was still refused.
INVALID_OTHER_TO = Step(
    422,
    {"ErrorCode": 300, "Message": "Invalid 'To' address: 'someone-else@example.com'."},
    name="422/300 other To",
)
# Postmark lists the inactive address(es); "{to}" is replaced by the request's recipient.
INACTIVE = Step(
    422,
    {
        "ErrorCode": 406,
        "Message": "You tried to send to a recipient that has been marked as inactive.\n"
        "Found inactive addresses: {to}.\n"
        "Inactive recipients are ones that have generated a hard bounce or a spam complaint.",
    },
    name="422/406 inactive",
)
TOO_MANY = Step(
    429,
    {"ErrorCode": 429, "Message": "Rate limit exceeded."},
    headers=(("Retry-After", "1"),),
    name="429 Retry-After",
)
UNAUTHORIZED = Step(
    401,
    {"ErrorCode": 10, "Message": "Request does not contain a valid Server token."},
    name="401 bad token",
)
# Accepted, but the answer lacks the MessageID a success response should carry.
NO_MESSAGE_ID = Step(
    200,
    {"ErrorCode": 0, "Message": "OK", "SubmittedAt": "2026-11-28T01:00:00Z"},
    name="200 no MessageID",
)
RESET_BEFORE = Step(fault="reset_before")
RESET_AFTER = Step(fault="reset_after")


def timeout_step(seconds: float) -> Step:
    """Accepted, answered after `seconds` (set it above the client's read timeout)."""
    return Step(200, delay=seconds, name="timeout")


@dataclass
class FakePostmark:
    plan: list[Step] = field(default_factory=list)
    default: Step = field(default_factory=lambda: OK)
    requests: list[dict] = field(default_factory=list)
    # Our message id (str) → the steps its next requests take, before the plan.
    scripts: dict[str, list[Step]] = field(default_factory=dict)

    def __post_init__(self):
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length) or b"{}")
                message_id = (payload.get("Metadata") or {}).get("message_id")
                with fake._lock:
                    script = fake.scripts.get(message_id)
                    if script:
                        step = script.pop(0)
                    else:
                        step = fake.plan.pop(0) if fake.plan else fake.default
                    record = {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "json": payload,
                        "message_id": message_id,
                        "step": step,
                        "accepted": step.accepts,
                        "received_at": time.time(),
                        "client_port": self.client_address[1],
                        "answered": False,
                    }
                    fake.requests.append(record)
                if step.fault:
                    self._reset()
                    record["answered"] = True
                    return
                if step.delay:
                    time.sleep(step.delay)
                body = step.body
                if body is None:
                    body = {
                        "ErrorCode": 0,
                        "Message": "OK",
                        "MessageID": str(uuid.uuid4()),
                        "To": payload.get("To", ""),
                        "SubmittedAt": "2026-11-28T01:00:00Z",
                    }
                elif "{to}" in body.get("Message", ""):
                    to = str(payload.get("To", "")).lower()
                    body = {**body, "Message": body["Message"].replace("{to}", to)}
                data = json.dumps(body).encode()
                try:
                    self.send_response(step.status)
                    for name, value in step.headers:
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (read timeout, or it was killed)
                record["answered"] = True

            def _reset(self):
                # Linger 0: close() sends a TCP reset, not an orderly end of stream.
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.close_connection = True
                self.rfile.close()
                self.connection.close()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def start(self) -> FakePostmark:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def sent_message_ids(self) -> list[str]:
        """Our Message ids, from the metadata of every accepted request, in order."""
        with self._lock:
            return [r["message_id"] for r in self.requests if r["accepted"]]

    def accepted(self) -> list[dict]:
        with self._lock:
            return [r for r in self.requests if r["accepted"]]

    def in_flight(self) -> list[dict]:
        """Requests received and not answered yet (the client is waiting on us)."""
        with self._lock:
            return [r for r in self.requests if not r["answered"]]

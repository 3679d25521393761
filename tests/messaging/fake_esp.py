"""A Postmark-compatible fake ESP: a threaded HTTP server on 127.0.0.1 with a scripted plan.

Anymail's real Postmark backend talks to it over HTTP (`ANYMAIL["POSTMARK_API_URL"]`), so the
tests exercise the same requests, JSON and error handling as production. Each request to
`/email` takes the next step of the plan (then the default); every request is recorded.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Step:
    status: int = 200
    body: dict | None = None
    delay: float = 0.0  # seconds before answering (a slow or hanging ESP)


OK = Step(200)
UNAVAILABLE = Step(503, {"ErrorCode": 100, "Message": "Service unavailable"})
INVALID = Step(422, {"ErrorCode": 300, "Message": "Invalid 'From' address: 'nobody'."})


@dataclass
class FakePostmark:
    plan: list[Step] = field(default_factory=list)
    default: Step = field(default_factory=lambda: OK)
    requests: list[dict] = field(default_factory=list)

    def __post_init__(self):
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length) or b"{}")
                with fake._lock:
                    fake.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "json": payload}
                    )
                    step = fake.plan.pop(0) if fake.plan else fake.default
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
                data = json.dumps(body).encode()
                try:
                    self.send_response(step.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (read timeout): that is the point of the step

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def start(self) -> FakePostmark:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def sent_message_ids(self) -> list[str]:
        """Our Message ids, from the metadata of every accepted request, in order."""
        with self._lock:
            return [r["json"].get("Metadata", {}).get("message_id") for r in self.requests]

"""The HTTP API as a source of events for the fault suite: a real gunicorn serving `/api/v1/`
against the test database and broker, and a client that posts order confirmations to it the way
another shop's system would (JSON, a Bearer key, its own idempotency keys, a retry of a request
whose answer it did not see).
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
from pathlib import Path

from api.keys import create_api_key
from messaging.models import Message
from shop.events import order_confirmation_example
from tests.chaos.conftest import Broker, free_port
from tests.factories import EventTypeFactory
from tests.harness import BASE_DIR, CeleryProcess, celery_env


class ApiServer(CeleryProcess):
    """`gunicorn config.wsgi` (2 sync workers) on a free port of 127.0.0.1, publishing to the
    scenario's broker; stopped like the worker (its process group)."""

    def __init__(self, *, broker: Broker, log: Path):
        self.port = free_port()
        self.log = log
        env = celery_env(esp=None, broker_url=broker.url, queue=broker.queue)
        env |= {"ALLOWED_HOSTS": "127.0.0.1", "SHOP_RATE_LIMIT_ENABLED": "false"}
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    "2",
                    "--timeout",
                    "30",
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_until_up()

    def _wait_until_up(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited\n{self.tail()}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/api/v1/openapi.json")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer\n{self.tail()}")


class ApiClient:
    """Another shop's system: posts order confirmations with its key, one request at a time."""

    def __init__(self, server: ApiServer):
        EventTypeFactory()  # the order confirmation type the template is for
        _, self.key = create_api_key(client_name="Chaos shop", event_types=["order_confirmation"])
        self.server = server
        self.example = order_confirmation_example(language="en")

    def event(self, n: int) -> dict:
        return {
            "type": "order_confirmation",
            "recipient": {"email": f"kund{n}@example.org", "name": f"Kund {n}"},
            "language": "en",
            "data": self.example,
            "reference": f"API-{n}",
            "idempotency_key": f"chaos-{n}",
        }

    def post(self, path: str, body: dict) -> tuple[int, dict, float]:
        """(status, JSON body, seconds) of one POST on a fresh connection."""
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        try:
            connection.request(
                "POST",
                f"/api/v1{path}",
                json.dumps(body),
                {"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"},
            )
            response = connection.getresponse()
            payload = json.loads(response.read() or b"{}")
        finally:
            connection.close()
        return response.status, payload, time.monotonic() - started


def messages_of_events(event_ids) -> list[int]:
    """The first (customer) message of each event."""
    return list(
        Message.objects.filter(event_id__in=list(event_ids), sequence=0, is_proof=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )

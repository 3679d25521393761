"""h. Events from the HTTP API instead of the storefront, under the same faults.

Another shop's system posts order confirmations to a real gunicorn (`/api/v1/events`, one at a
time, then `/api/v1/events/batch`), and re-posts some of them as a client does when it never
saw the answer (same idempotency key, same body). Meanwhile:

- **worker kills** (Redis and RabbitMQ): pool processes are SIGKILLed mid-send, as in
  scenario a; every event must be sent, a duplicate email only where a kill landed after the
  ESP accepted, and flagged in the history;
- **broker restart** (a Redis of the test's own, as in scenario b): the broker is killed for a
  few seconds while events keep arriving; every request must still be answered (202: the
  publish on commit gives up, the event is kept), and the relay sends what was never
  published, none twice.

A replayed request is answered 200 with the first event's id, and makes no second email.
"""

import os
import random
import signal
import threading
import time

import pytest

from messaging.models import Event
from tests.chaos.api_source import ApiClient, ApiServer, messages_of_events
from tests.chaos.conftest import all_sent
from tests.chaos.test_a_worker_kills import accepted_during_current_claim
from tests.harness import pid_with_connection, settle
from tests.messaging.fake_esp import Step

pytestmark = [pytest.mark.chaos, pytest.mark.django_db(transaction=True)]

SINGLES, BATCH, REPLAY_EVERY = 16, 16, 4
KILLS, KILL_EVERY = 4, 1.5
OUTAGE_SECONDS = 4.0


class Sender:
    """Posts the events and remembers every answer; `run` sends `singles` one by one (each
    `REPLAY_EVERY`-th twice), then `batch` in one request."""

    def __init__(self, client: ApiClient):
        self.client = client
        self.event_ids: dict[int, int] = {}  # n → event id
        self.replays: list[tuple[int, int, int]] = []  # (n, status, id)
        self.timings: list[float] = []
        self.refused: list = []
        self.next = 0

    def singles(self, count: int, pause: float = 0.0) -> None:
        for _ in range(count):
            n, self.next = self.next, self.next + 1
            status, body, seconds = self.client.post("/events", self.client.event(n))
            self.timings.append(seconds)
            if status != 202:
                self.refused.append((n, status, body))
                continue
            self.event_ids[n] = body["id"]
            if n % REPLAY_EVERY == 0:
                status, body, seconds = self.client.post("/events", self.client.event(n))
                self.timings.append(seconds)
                self.replays.append((n, status, body.get("id")))
            time.sleep(pause)

    def batch(self, count: int) -> None:
        numbers = range(self.next, self.next + count)
        self.next += count
        events = [self.client.event(n) for n in numbers]
        status, body, seconds = self.client.post("/events/batch", {"events": events})
        self.timings.append(seconds)
        if status != 207:
            self.refused.append(("batch", status, body))
            return
        for n, result in zip(numbers, body["results"], strict=True):
            if result["status"] == 202:
                self.event_ids[n] = result["id"]
            else:
                self.refused.append((n, result["status"], result))

    def check(self) -> None:
        assert not self.refused, f"refused: {self.refused[:3]}"
        for n, status, event_id in self.replays:
            assert (status, event_id) == (200, self.event_ids[n]), "a replay made a new event"
        assert Event.objects.count() == len(self.event_ids)


def kill_pool_processes(running, esp) -> list[tuple[int, bool]]:
    """Scenario a's kills: every KILL_EVERY s the pool process holding an ESP request (else a
    random one); (pid, whether the kill landed after the ESP accepted its email)."""
    kills = []
    for _ in range(KILLS):
        deadline = time.monotonic() + KILL_EVERY
        victim = None
        while victim is None and time.monotonic() < deadline:
            children = running.worker.children()
            for request in esp.in_flight():
                pid = pid_with_connection(
                    children, local_port=request["client_port"], remote_port=esp.port
                )
                if pid is not None:
                    victim = (pid, request["accepted"])
                    break
            else:
                time.sleep(0.05)
        if victim is None:
            children = running.worker.children()
            if not children:
                continue
            victim = (random.choice(children), None)  # noqa: S311 - not a secret
        pid, after_acceptance = victim
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue
        if after_acceptance is None:
            after_acceptance = accepted_during_current_claim(esp)
        kills.append((pid, after_acceptance))
        time.sleep(max(0.0, deadline - time.monotonic()))
    return kills


def test_h_api_events_under_worker_kills(
    chaos_row, broker, confirmation_template, esp, cluster, tmp_path
):
    esp.default = Step(200, delay=0.4)
    running = cluster(broker)
    server = ApiServer(broker=broker, log=tmp_path / "gunicorn.log")
    try:
        sender = Sender(ApiClient(server))
        started = time.monotonic()
        posting = threading.Thread(target=lambda: (sender.singles(SINGLES), sender.batch(BATCH)))
        posting.start()
        ok, _ = settle(lambda: esp.accepted(), timeout=60)
        assert ok, f"the worker never sent anything\n{running.logs()}\n{server.tail()}"
        kills = kill_pool_processes(running, esp)
        posting.join(timeout=120)
        sender.check()
        message_ids = messages_of_events(sender.event_ids.values())
        settled, _ = settle(lambda: all_sent(message_ids), timeout=90)
    finally:
        server.stop()
    chaos_row.settle_s = time.monotonic() - started
    chaos_row.orders = len(message_ids)
    chaos_row.tally(esp, message_ids)
    landed = sum(1 for _, after in kills if after)
    chaos_row.notes.append(
        f"HTTP API: {SINGLES} single + {BATCH} batched events, {len(sender.replays)} replays; "
        f"{len(kills)} kills, {landed} after the ESP accepted"
    )

    assert len(message_ids) == SINGLES + BATCH
    assert len(kills) >= KILLS - 1, "too few pool processes were killed"
    assert settled, f"not every event was sent\n{running.logs()}"
    assert chaos_row.lost == 0
    assert chaos_row.esp_copies - len(message_ids) <= landed
    assert chaos_row.flagged == chaos_row.duplicates, "a duplicate email left no trace"


def test_h_api_events_across_broker_restart(
    chaos_row, own_redis, confirmation_template, esp, cluster, tmp_path
):
    redis_server, broker = own_redis
    chaos_row.broker = broker.name
    running = cluster(broker)
    server = ApiServer(broker=broker, log=tmp_path / "gunicorn.log")
    try:
        sender = Sender(ApiClient(server))
        started = time.monotonic()
        sender.singles(8, pause=0.05)
        redis_server.kill()
        down = time.monotonic()
        sender.singles(3, pause=OUTAGE_SECONDS / 3)
        sender.batch(3)  # one request publishing three messages to a dead broker
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - down)))
        redis_server.start()
        sender.singles(8, pause=0.05)
        sender.check()
        message_ids = messages_of_events(sender.event_ids.values())
        settled, _ = settle(lambda: all_sent(message_ids), timeout=90)
    finally:
        server.stop()
    chaos_row.settle_s = time.monotonic() - started
    chaos_row.orders = len(message_ids)
    chaos_row.tally(esp, message_ids)
    slowest = max(sender.timings)
    chaos_row.notes.append(
        f"HTTP API: every request answered, the slowest in {slowest:.2f} s (a batch of 3 "
        f"while the broker was down); broker down ≥ {OUTAGE_SECONDS:.0f} s"
    )

    assert settled, f"not every event was sent after the broker came back\n{running.logs()}"
    assert chaos_row.lost == 0
    assert chaos_row.duplicates == 0

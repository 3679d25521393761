"""f. Redis is killed while the worker holds countdown retries; the supervisor keeps it running.

Worker and beat run under the shipped `deploy/supervisord.conf`, on a `redis-server` of the
test's own. The ESP answers the first attempt of every order 503, so every message waits for
its retry as a countdown task the worker holds (taken from Redis, not acknowledged) — routine
with late acknowledgement. Then Redis is SIGKILLed: the worker must ride it out
(config/kombu_redis.py; kombu 5.7.0 alone stops it for good). Redis comes back empty; the held
retries died with it, and the relay and the same worker send every order, once. Whatever
still ends a worker is the supervisor's: the worker is SIGKILLed, and the one it starts sends
the next orders.
"""

import os
import signal
import time

import pytest
import redis

from messaging.models import MessageEvent
from tests.chaos.conftest import all_sent
from tests.harness import place_orders, settle
from tests.messaging.fake_esp import UNAVAILABLE

pytestmark = [pytest.mark.chaos, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ORDERS = 6
LATER_ORDERS = 2  # placed after the supervisor restarted a killed worker
# Each retry waits 8-16 s: held by the worker while Redis dies.
RETRY_BASE_SECONDS = "16"
# A worker that kombu stops logs it at once and is gone ~2 s later (it shuts its pool down).
WATCH_SECONDS = 5.0


def retries_scheduled(message_ids) -> bool:
    return MessageEvent.objects.filter(
        message_id__in=message_ids, kind=MessageEvent.Kind.RETRY_SCHEDULED
    ).values("message_id").distinct().count() == len(message_ids)


def test_f_redis_killed_under_held_tasks(
    chaos_row, own_redis, confirmation_template, esp, supervised
):
    server, broker = own_redis
    chaos_row.broker = broker.name
    esp.plan = [UNAVAILABLE] * ORDERS  # every order's first attempt
    supervisor = supervised(broker, extra_env={"MESSAGING_RETRY_BASE_SECONDS": RETRY_BASE_SECONDS})
    ready, _ = settle(lambda: "ready." in supervisor.output(), timeout=60)
    assert ready, f"the worker never started\n{supervisor.tail()}"

    started = time.monotonic()
    message_ids = place_orders(ORDERS)
    scheduled, _ = settle(lambda: retries_scheduled(message_ids), timeout=60)
    assert scheduled, f"the first attempts were not refused\n{supervisor.tail()}"
    broker_client = redis.Redis.from_url(server.url, socket_connect_timeout=1)
    held, _ = settle(lambda: broker_client.hlen("unacked") >= ORDERS, timeout=30)
    assert held, f"the worker does not hold the retries\n{supervisor.tail()}"

    server.kill()
    time.sleep(WATCH_SECONDS)
    exits_from_redis_kill = supervisor.exits("worker")
    stopped_for_good = "Unrecoverable error" in supervisor.output()
    server.start()
    # The held retries died with Redis: the relay publishes them again once they are due.
    sent_after_redis, _ = settle(lambda: all_sent(message_ids), timeout=90)
    chaos_row.settle_s = time.monotonic() - started

    # Whatever else ends the worker, the supervisor starts it again.
    os.kill(supervisor.spawned("worker")[-1], signal.SIGKILL)
    respawned, _ = settle(lambda: len(supervisor.spawned("worker")) >= 2, timeout=30)
    later_ids = place_orders(LATER_ORDERS)
    sent_after_restart, _ = settle(lambda: all_sent(later_ids), timeout=90)

    chaos_row.orders = ORDERS + LATER_ORDERS
    chaos_row.tally(esp, message_ids + later_ids)
    chaos_row.notes.append(
        f"worker exits: {exits_from_redis_kill} from the Redis kill,"
        f" {supervisor.exits('worker')} in all (one SIGKILL);"
        f" started {len(supervisor.spawned('worker'))} times"
    )

    assert not stopped_for_good, f"the Redis kill stopped the worker\n{supervisor.tail()}"
    assert exits_from_redis_kill == 0
    assert sent_after_redis, f"not every order was sent after Redis came back\n{supervisor.tail()}"
    assert respawned, f"the supervisor did not restart the killed worker\n{supervisor.tail()}"
    assert sent_after_restart, f"the restarted worker sent nothing\n{supervisor.tail()}"
    assert chaos_row.lost == 0
    assert chaos_row.duplicates == 0

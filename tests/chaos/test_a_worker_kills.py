"""a. Worker processes SIGKILLed mid-send: nothing is lost, and every duplicate says so.

A slow ESP keeps requests in flight; every ~1.5 s the pool process whose request the fake ESP
is holding (found through its TCP connection) is killed, after the ESP accepted the email.
Prefork respawns it; the relay (beat) releases the dead process's claim after
MESSAGING_CLAIM_SECONDS and the message is sent again. Each such kill may cost one duplicate
email, never more, and the message's history must flag it.
"""

import os
import random
import signal
import time
from datetime import timedelta

import pytest

from messaging.models import Message
from tests.chaos.conftest import all_sent
from tests.harness import FAST_TIMINGS, pid_with_connection, place_orders, settle
from tests.messaging.fake_esp import Step

pytestmark = [pytest.mark.chaos, pytest.mark.django_db(transaction=True)]

ORDERS = 40
KILLS = 5
KILL_EVERY = 1.5
CLAIM = timedelta(seconds=int(FAST_TIMINGS["MESSAGING_CLAIM_SECONDS"]))


def accepted_during_current_claim(esp) -> bool:
    """Some message still `sending` whose current attempt the ESP has already accepted."""
    accepted_at = {}
    for request in esp.accepted():
        accepted_at.setdefault(int(request["message_id"]), []).append(request["received_at"])
    for pk, claimed_until in Message.objects.filter(
        status=Message.Status.SENDING, pk__in=list(accepted_at)
    ).values_list("pk", "claimed_until"):
        started = (claimed_until - CLAIM).timestamp()
        if any(at >= started for at in accepted_at[pk]):
            return True
    return False


def test_a_worker_kills(chaos_row, broker, confirmation_template, esp, cluster):
    esp.default = Step(200, delay=0.4)
    running = cluster(broker)
    started = time.monotonic()
    message_ids = place_orders(ORDERS)
    chaos_row.orders = ORDERS
    ok, _ = settle(lambda: esp.accepted(), timeout=60)
    assert ok, f"the worker never sent anything\n{running.logs()}"

    kills = []  # (pid, landed after the ESP accepted the email in flight)
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
        if victim is None:  # nothing in flight: a pool process at a random moment
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

    settled, _ = settle(lambda: all_sent(message_ids), timeout=90)
    chaos_row.settle_s = time.monotonic() - started
    chaos_row.tally(esp, message_ids)
    landed = sum(1 for _, after in kills if after)
    chaos_row.notes.append(f"{len(kills)} kills, {landed} after the ESP accepted")

    assert len(kills) >= KILLS - 1, "too few pool processes were killed"
    assert settled, f"not every order was sent\n{running.logs()}"
    assert chaos_row.lost == 0
    assert chaos_row.esp_copies - ORDERS <= landed
    assert chaos_row.flagged == chaos_row.duplicates, "a duplicate email left no trace"

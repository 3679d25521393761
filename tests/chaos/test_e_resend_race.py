"""e. Two operators run the same `resend_confirmations --order ...` a second apart.

Both runs select the same orders; each order must be resent exactly once: the second run
finds the first one's fresh resends (the latest message of each order, within
MESSAGING_RESEND_COOLDOWN_SECONDS and not failed or bounced) and skips them. The ESP count is
the customer's view: the confirmation and one resend per order.
"""

import subprocess
import sys
import time
from collections import Counter

import pytest

from messaging.models import Message
from tests.chaos.conftest import all_sent
from tests.harness import BASE_DIR, celery_env, place_orders, settle

pytestmark = [pytest.mark.chaos, pytest.mark.django_db(transaction=True)]

ORDERS = 50


def test_e_resend_race(chaos_row, broker, confirmation_template, esp, cluster):
    running = cluster(broker)
    started = time.monotonic()
    originals = place_orders(ORDERS)
    chaos_row.orders = ORDERS
    ok, _ = settle(lambda: all_sent(originals), timeout=90)
    assert ok, f"the confirmations were not sent\n{running.logs()}"

    numbers = list(
        Message.objects.filter(pk__in=originals).values_list("event__reference", flat=True)
    )
    command = [sys.executable, "manage.py", "resend_confirmations", "--reason", "chaos overlap"]
    command += [f"--order={number}" for number in numbers]
    env = celery_env(esp=None, broker_url=broker.url, queue=broker.queue)
    runs = []
    for delay in (0, 1):
        time.sleep(delay)
        runs.append(
            subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
    outputs = [run.communicate(timeout=120)[0] for run in runs]

    order_ids = set(Message.objects.filter(pk__in=originals).values_list("event_id", flat=True))
    every = list(Message.objects.filter(event_id__in=order_ids).values_list("pk", flat=True))
    settled, _ = settle(lambda: all_sent(every), timeout=90)
    chaos_row.settle_s = time.monotonic() - started

    resends = Counter(
        Message.objects.filter(event_id__in=order_ids, resend_of__isnull=False).values_list(
            "event_id", flat=True
        )
    )
    order_of = dict(Message.objects.filter(pk__in=every).values_list("pk", "event_id"))
    copies = Counter(order_of[int(m)] for m in esp.sent_message_ids() if m and int(m) in order_of)
    chaos_row.tally(esp, every)
    # Per order: the confirmation and one resend reach the customer; anything more is a
    # duplicate, whichever message carried it.
    chaos_row.duplicates = sum(max(0, copies[o] - 2) for o in order_ids)
    chaos_row.lost = sum(1 for o in order_ids if copies[o] < 2)
    chaos_row.notes.append(
        f"resends per order: {dict(sorted(Counter(resends.values()).items()))};"
        f" exit codes {[run.returncode for run in runs]}"
    )

    assert [run.returncode for run in runs] == [0, 0], "\n".join(outputs)
    assert settled, f"resends left unsent\n{running.logs()}"
    assert set(resends) == order_ids
    assert set(resends.values()) == {1}, "an order was resent more than once"
    assert chaos_row.duplicates == 0
    assert chaos_row.lost == 0

"""c. The ESP misbehaves in every way Postmark can: each message gets its own script of faults.

Transient faults (503, 429 with Retry-After, a timeout, a reset before or after the ESP
accepted the email) are retried and end `sent`; a timeout or a reset after acceptance means the
customer got the email twice, and the history must say so. Refusals (422, including 406
inactive recipient and 300 invalid 'To' naming another address) end `failed` and never `sent`.
A bad server token (401) is a sender outage, not the message's fault: the message stays queued,
the 401 answers are not counted as attempts, and it goes out once the ESP accepts again. A
success without a `MessageID` was accepted: `sent`, with an empty ESP id.
"""

import time
from collections import Counter
from dataclasses import dataclass

import pytest

from messaging.models import Message, MessageEvent
from tests.chaos.conftest import all_final
from tests.harness import place_orders, settle
from tests.messaging.fake_esp import (
    INACTIVE,
    INVALID,
    INVALID_OTHER_TO,
    NO_MESSAGE_ID,
    RESET_AFTER,
    RESET_BEFORE,
    TOO_MANY,
    UNAUTHORIZED,
    UNAVAILABLE,
    Step,
    timeout_step,
)

pytestmark = [pytest.mark.chaos, pytest.mark.django_db(transaction=True)]

SENT, FAILED = Message.Status.SENT, Message.Status.FAILED


@dataclass(frozen=True)
class Case:
    name: str
    steps: tuple[Step, ...]
    count: int
    status: str
    attempts: int
    copies: int  # accepted by the ESP
    flagged: bool = False  # history says "may have been sent twice"


CASES = [
    Case("ok", (), 13, SENT, 1, 1),
    Case("503", (UNAVAILABLE,), 5, SENT, 2, 1),
    Case("503 x3", (UNAVAILABLE,) * 3, 3, SENT, 4, 1),
    Case("429 Retry-After", (TOO_MANY,), 5, SENT, 2, 1),
    # The client gives up after 2 s (ANYMAIL_REQUESTS_TIMEOUT); the ESP had accepted it.
    Case("timeout", (timeout_step(2.5),), 4, SENT, 2, 2, flagged=True),
    # A reset before the ESP accepted looks the same to us as one after: flagged either way
    # (a flag without a duplicate is the price of never having a duplicate without a flag).
    Case("reset before", (RESET_BEFORE,), 5, SENT, 2, 1, flagged=True),
    Case("reset after", (RESET_AFTER,), 5, SENT, 2, 2, flagged=True),
    Case("422/300 From", (INVALID,), 4, FAILED, 1, 0),
    Case("422/406 inactive", (INACTIVE,), 4, FAILED, 1, 0),
    Case("422/300 other To", (INVALID_OTHER_TO,), 4, FAILED, 1, 0),
    Case("401 bad token", (UNAUTHORIZED, UNAUTHORIZED), 4, SENT, 1, 1),
    Case("200 no MessageID", (NO_MESSAGE_ID,), 4, SENT, 1, 1),
]
ORDERS = sum(case.count for case in CASES)


def test_c_esp_faults(chaos_row, broker, confirmation_template, esp, cluster):
    message_ids = place_orders(ORDERS)
    chaos_row.orders = ORDERS
    case_of = {}
    ids = iter(message_ids)
    for case in CASES:
        for _ in range(case.count):
            message_id = next(ids)
            case_of[message_id] = case
            esp.scripts[str(message_id)] = list(case.steps)
    # Scripts in place before any worker runs: the tasks wait in the broker until then.
    started = time.monotonic()
    running = cluster(broker)

    settled, _ = settle(lambda: all_final(message_ids), timeout=100)
    chaos_row.settle_s = time.monotonic() - started
    chaos_row.tally(
        esp, message_ids, deliverable=[m for m, c in case_of.items() if c.status == SENT]
    )
    copies = Counter(int(m) for m in esp.sent_message_ids())
    flagged = set(
        MessageEvent.objects.filter(
            message_id__in=message_ids,
            kind__in=(MessageEvent.Kind.NO_RESPONSE, MessageEvent.Kind.CLAIM_EXPIRED),
        ).values_list("message_id", flat=True)
    )
    ever_failed = set(
        MessageEvent.objects.filter(
            message_id__in=message_ids, kind=MessageEvent.Kind.FAILED
        ).values_list("message_id", flat=True)
    )
    rows = {m.pk: m for m in Message.objects.filter(pk__in=message_ids)}
    wrong = Counter()
    for message_id, case in case_of.items():
        message = rows[message_id]
        got = (message.status, message.attempts, copies[message_id], message_id in flagged)
        want = (str(case.status), case.attempts, case.copies, case.flagged)
        if got != want:
            wrong[f"{case.name}: got {got}, want {want} (status, attempts, copies, flagged)"] += 1
        if case.name.startswith("401") and message_id in ever_failed:
            wrong[f"{case.name}: marked failed on the way"] += 1
    refused_sent = sum(
        1
        for m, c in case_of.items()
        if c.status == FAILED and rows[m].status in (SENT, Message.Status.DELIVERED)
    )
    no_id = [rows[m].esp_message_id for m, c in case_of.items() if c.name == "200 no MessageID"]
    retry_gaps = []
    for message_id, case in case_of.items():
        if case.name == "429 Retry-After":
            times = [r["received_at"] for r in esp.requests if r["message_id"] == str(message_id)]
            if len(times) > 1:
                retry_gaps.append(times[1] - times[0])
    if retry_gaps:
        chaos_row.notes.append(
            f"earliest retry after a 429 (Retry-After 1 s): {min(retry_gaps):.2f} s later"
        )
    chaos_row.notes.extend(f"{n} x {line}" for line, n in sorted(wrong.items()))

    assert settled, f"messages left unfinished\n{running.logs()}"
    assert refused_sent == 0, f"{refused_sent} refused email(s) recorded as sent"
    assert no_id == [""] * len(no_id)
    assert not wrong, "\n".join(f"{n} x {line}" for line, n in sorted(wrong.items()))
    assert chaos_row.flagged == chaos_row.duplicates

"""g. A customer is erased while their confirmation is retrying, then an operator resends the
failed confirmations.

Four customers' confirmations meet an ESP answering 503; while the worker retries them, each
customer is erased on request with `manage.py erase_customer` (run again while it is refused
because an attempt is in flight, as an operator would). Two other customers' confirmations were
refused for good (422). `resend_confirmations --status failed` must then resend those two only,
and say that four were not resent because the customer was erased: the ESP never sees the
erased placeholder address, nor any email about an erased order after its erasure. Afterwards
a `pg_dump` of the database and every decoded session are searched for the erased customers'
addresses, names and phone numbers.
"""

import json
import subprocess
import sys
import time

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse

from messaging.models import Message, MessageEvent
from shop.models import ERASED_ADDRESS, Order
from tests.chaos.conftest import all_final
from tests.factories import CHECKOUT_DETAILS, TextOptionFactory
from tests.harness import BASE_DIR, celery_env, place_orders, settle
from tests.messaging.fake_esp import INVALID, UNAVAILABLE

pytestmark = [pytest.mark.chaos, pytest.mark.django_db(transaction=True)]

ERASED, REFUSED, FINE = 4, 2, 4


def run_command(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def decoded_sessions() -> str:
    """Every stored session's data, decoded: what a dump's base64 hides."""
    return " ".join(
        json.dumps(session.get_decoded(), ensure_ascii=False) for session in Session.objects.all()
    )


def retrying(message_id: int) -> bool:
    return MessageEvent.objects.filter(
        message_id=message_id, kind=MessageEvent.Kind.RETRY_SCHEDULED
    ).exists()


def abandon_a_checkout(email: str) -> None:
    """The same customer, in another browser, left a checkout half-way (engraving and all)."""
    client = Client()
    option = TextOptionFactory(product__name="Mugg")
    client.post(
        reverse("shop:product", args=[option.product.slug]),
        {f"option_{option.pk}": "Till mormor", "quantity": 1},
    )
    client.post(reverse("shop:checkout"), CHECKOUT_DETAILS | {"email": email.upper()})


def test_g_erase_then_resend(chaos_row, broker, confirmation_template, esp, cluster):
    message_ids = place_orders(ERASED + REFUSED + FINE)
    chaos_row.orders = len(message_ids)
    erased_ids = message_ids[:ERASED]
    refused_ids = message_ids[ERASED : ERASED + REFUSED]
    for message_id in erased_ids:
        esp.scripts[str(message_id)] = [UNAVAILABLE] * 50  # retried until they are erased
    for message_id in refused_ids:
        esp.scripts[str(message_id)] = [INVALID]
    erased_numbers = Message.objects.filter(pk__in=erased_ids).values_list(
        "event__reference", flat=True
    )
    orders = list(Order.objects.select_related("customer").filter(number__in=erased_numbers))
    people = []
    for n, order in enumerate(orders):
        # Their own name, phone and street (the factory gives every customer the same ones).
        person = {"last_name": f"Raderasson{n}", "phone": f"+46 70 555 66 0{n}"}
        person["address_line1"] = f"Glömskegatan {n + 10}"
        type(order.customer).objects.filter(pk=order.customer_id).update(**person)
        people.append((order.customer.email, *person.values()))
    erased_orders = [order.number for order in orders]
    abandon_a_checkout(people[0][0])
    env = celery_env(esp=None, broker_url=broker.url, queue=broker.queue)
    started = time.monotonic()
    running = cluster(broker)

    ok, _ = settle(lambda: all(retrying(m) for m in erased_ids), timeout=60)
    assert ok, f"the confirmations never retried\n{running.logs()}"
    refusals = 0
    for email, *_ in people:
        for _ in range(40):
            erasure = run_command(["erase_customer", "--email", email], env)
            if erasure.returncode == 0:
                break
            assert "being sent right now" in erasure.stderr, erasure.stderr
            refusals += 1
            time.sleep(0.25)
        assert erasure.returncode == 0, erasure.stderr
    erased_at = time.time()

    ok, _ = settle(lambda: all_final(message_ids), timeout=60)
    assert ok, f"messages left unfinished\n{running.logs()}"
    resend = run_command(["resend_confirmations", "--status", "failed", "--reason", "chaos"], env)
    every = list(
        Message.objects.filter(event__messages__pk__in=message_ids)
        .distinct()
        .values_list("pk", flat=True)
    )
    settled, _ = settle(lambda: all_final(every), timeout=60)
    chaos_row.settle_s = time.monotonic() - started

    resends = Message.objects.filter(resend_of__isnull=False)
    to_placeholder = [r for r in esp.requests if ERASED_ADDRESS in str(r["json"].get("To", ""))]
    erased_messages = {
        str(pk)
        for pk in Message.objects.filter(event__reference__in=erased_orders).values_list(
            "pk", flat=True
        )
    }
    after_erasure = [
        r
        for r in esp.requests
        if r["message_id"] in erased_messages and r["received_at"] > erased_at
    ]
    resent_ids = list(resends.values_list("pk", flat=True))
    chaos_row.tally(esp, every, deliverable=[*message_ids[ERASED + REFUSED :], *resent_ids])
    chaos_row.notes.append(
        f"erasures refused while an attempt was in flight: {refusals}; "
        f"ESP requests to the placeholder: {len(to_placeholder)}; "
        f"about erased orders after erasure: {len(after_erasure)}"
    )

    assert resend.returncode == 0, resend.stderr
    assert f"Queued {REFUSED} resend(s)" in resend.stdout
    assert f"Not resent {ERASED}: the customer's data was erased on request." in resend.stdout
    assert settled, f"resends left unsent\n{running.logs()}"
    assert sorted(resends.values_list("resend_of_id", flat=True)) == sorted(refused_ids)
    assert set(resends.values_list("status", flat=True)) == {Message.Status.SENT}
    assert to_placeholder == []
    assert after_erasure == []
    for pk in erased_ids:
        message = Message.objects.get(pk=pk)
        assert (message.status, message.recipient) == (Message.Status.FAILED, ERASED_ADDRESS)

    # What an attacker with a copy of the database would find of them: nothing.
    db = connection.settings_dict
    dump = subprocess.run(
        ["pg_dump", "--no-owner", "-h", db["HOST"] or "127.0.0.1", "-U", db["USER"], db["NAME"]],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PGPASSWORD": db["PASSWORD"] or "", "PATH": "/usr/bin:/bin"},
        check=True,
    ).stdout.casefold()
    sessions = decoded_sessions().casefold()
    found = [
        value
        for person in people
        for value in person
        if value and (value.casefold() in dump or value.casefold() in sessions)
    ]
    assert found == [], "left after erasure"

"""A broker that is down (or silent) at checkout: the order commits fast, the email waits."""

import shutil
import signal
import socket
import subprocess
import threading
import time
from decimal import Decimal

import pytest

from messaging import relay
from messaging.models import Message
from shop.services import CartItem, place_order
from tests.factories import CHECKOUT_DETAILS, ProductFactory
from tests.messaging.conftest import celery_config, closed_port
from tests.messaging.helpers import messages_of

pytestmark = pytest.mark.django_db


def checkout(key):
    product = ProductFactory(price=Decimal("100.00"))
    return place_order(
        checkout_key=key,
        items=[CartItem(product_id=product.pk, options={}, quantity=1)],
        customer=CHECKOUT_DETAILS,
        card_number="4242424242424242",
    )


@pytest.fixture
def silent_broker():
    """Something that accepts TCP connections and never answers (a half-dead broker)."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


@pytest.mark.parametrize("broker", ["closed", "silent"])
def test_checkout_survives_a_dead_broker_and_the_relay_sends_later(
    broker,
    silent_broker,
    broker_calls,
    confirmation_template,
    mailoutbox,
    settings,
    django_capture_on_commit_callbacks,
    caplog,
):
    port = closed_port() if broker == "closed" else silent_broker
    with (
        celery_config(broker_url=f"redis://127.0.0.1:{port}/0", task_always_eager=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        order = checkout(f"dead-broker-{broker}")

    # Bounded: the publish and its one retry, each read given up after the 0.5 s socket
    # timeout (a refused connection waits for nothing), and no endless retry.
    assert broker_calls.connects <= 2
    assert broker_calls.seconds_waited <= 1.0
    if broker == "closed":
        assert broker_calls.waits == []
    message = messages_of(order).get()
    assert message.status == Message.Status.QUEUED
    assert mailoutbox == []
    # The operators' log says which message waits for the relay (its id, never an address).
    assert any(
        line.startswith(f"Could not enqueue message {message.pk} (")
        and line.endswith("); the relay will retry.")
        for line in caplog.messages
    ), caplog.messages

    # The broker is back (eager here); the relay finds the row once its grace period passed.
    settings.MESSAGING_RELAY_GRACE_SECONDS = 0
    report = relay.relay_due_messages()
    assert report.published == 1
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert len(mailoutbox) == 1


@pytest.fixture
def own_redis(tmp_path):
    """A Redis of this test's own on a free port (never the shared one: it gets frozen)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("needs redis-server")
    port = closed_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    yield process, port
    process.send_signal(signal.SIGCONT)
    process.kill()
    process.wait()


def test_a_broker_that_freezes_after_the_first_checkout_holds_the_next_one_briefly(
    own_redis, confirmation_template, django_capture_on_commit_callbacks, broker_calls
):
    """A frozen broker (SIGSTOP: the kernel still accepts, nothing answers) on a connection the
    web process already holds: the read times out, the publish retries once, then gives up."""
    process, port = own_redis
    with celery_config(broker_url=f"redis://127.0.0.1:{port}/0", task_always_eager=False):
        with django_capture_on_commit_callbacks(execute=True):
            checkout("before-the-freeze")
        process.send_signal(signal.SIGSTOP)
        broker_calls.connects, broker_calls.waits = 0, []  # the frozen checkout's only
        with django_capture_on_commit_callbacks(execute=True):
            order = checkout("during-the-freeze")

    # Three socket timeouts of 0.5 s at most: the read, the retry's reconnect, its read (it
    # was three of 2 s, 6 s of a customer's checkout, before the socket timeout was cut).
    assert len(broker_calls.waits) <= 3
    assert broker_calls.seconds_waited <= 1.5
    assert messages_of(order).get().status == Message.Status.QUEUED


def test_workers_wait_on_the_broker_with_a_longer_socket_timeout(settings):
    from types import SimpleNamespace

    from config.celery import longer_broker_reads_in_workers

    conf = SimpleNamespace(broker_transport_options={"socket_timeout": 0.5, "x": 1})
    longer_broker_reads_in_workers(conf=conf)
    assert conf.broker_transport_options == {
        "socket_timeout": settings.CELERY_WORKER_BROKER_SOCKET_TIMEOUT,
        "x": 1,
    }
    assert settings.CELERY_WORKER_BROKER_SOCKET_TIMEOUT > 1  # above the 1 s BRPOP wait

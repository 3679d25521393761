import os
import socket
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import Group

from config.celery import app as celery_app
from messaging import outbox
from shop.signals import order_completed
from tests.factories import OrderConfirmationFactory, StaffFactory
from tests.messaging.fake_esp import FakePostmark

TOKEN = "fake-postmark-token"

# The tests of the checkout-to-email path as the demo project wires it (shop's
# `order_completed` → `demo.receivers` → `send_event`); every other messaging test sends its
# events itself, as any client does.
DEMO_WIRING_MODULES = {
    "tests.messaging.test_checkout_flow",
    "tests.messaging.test_broker_down",
    "tests.messaging.test_worker",
    "tests.messaging.test_demo_email",
    "tests.messaging.test_demo_languages",
    "tests.messaging.test_demo_notices",
    "tests.messaging.test_demo_order_actions",
}


@pytest.fixture(autouse=True)
def _no_demo_wiring(request, monkeypatch):
    """Nothing answers the shop's `order_completed` here: messaging is tested through
    `send_event`, so a test that leaned on the demo's receiver (and its seeding of the event
    type) fails instead of passing for the demo's sake."""
    if request.module.__name__ in DEMO_WIRING_MODULES:
        return
    monkeypatch.setattr(order_completed, "receivers", [])
    monkeypatch.setattr(order_completed, "sender_receivers_cache", {})


@pytest.fixture
def confirmation_template(db):
    """The active order confirmation: a layout, the email and one encrypted receipt PDF."""
    return OrderConfirmationFactory()


@pytest.fixture
def editor(db):
    user = StaffFactory(username="editor")
    user.groups.add(Group.objects.get(name="Template editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def fake_postmark(settings):
    """A fake Postmark on 127.0.0.1 and Anymail's real Postmark backend pointed at it."""
    esp = FakePostmark().start()
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {
        "POSTMARK_SERVER_TOKEN": TOKEN,
        "POSTMARK_API_URL": esp.url,
        "REQUESTS_TIMEOUT": (1, 2),
        "WEBHOOK_SECRET": "hook:secret",
    }
    yield esp
    esp.stop()


@pytest.fixture
def no_publish(monkeypatch) -> list[dict]:
    """Nothing reaches Celery: each publish succeeds and is recorded (its keyword arguments),
    for tests that drive delivery by hand."""
    published: list[dict] = []

    def publish(**kwargs) -> bool:
        published.append(kwargs)
        return True

    monkeypatch.setattr(outbox, "publish_delivery", publish)
    return published


@pytest.fixture
def fast_retries(settings):
    """Retries due at once, so an eager task chain plays every attempt in one call."""
    settings.MESSAGING_RETRY_BASE_SECONDS = 0
    settings.MESSAGING_RETRY_MAX_SECONDS = 0


def closed_port() -> int:
    """A local port with nothing listening (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def celery_config(**overrides):
    """Change the Celery app's configuration (it copies Django's settings once) for a block."""
    saved = {key: celery_app.conf[key] for key in overrides}
    saved_env = os.environ.get("CELERY_BROKER_URL")
    celery_app.conf.update(overrides)
    if "broker_url" in overrides:
        # Celery reads this variable before its configuration (CI sets it).
        os.environ["CELERY_BROKER_URL"] = overrides["broker_url"]
    _forget_connections()
    try:
        yield celery_app
    finally:
        celery_app.conf.update(saved)
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env
        _forget_connections()


def _forget_connections():
    # The app caches its broker connection and producer pools; drop them (not close: kombu
    # keeps pools per URL globally) so the next publish uses the current broker URL.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    # And its queue declarations, built once from `task_default_queue`: a test may change it.
    for cached in ("queues", "default_queue", "router"):
        celery_app.amqp.__dict__.pop(cached, None)

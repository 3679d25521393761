"""A worker's broker connection closes cleanly while it holds tasks (config/kombu_redis.py).

The whole story (a worker under a Redis killed with countdown tasks held, restarted by the
supervisor) is the fault suite's `f_redis_killed_under_held_tasks`; here the closing itself,
against a real Redis database of its own, and the guard's conditions.
"""

import inspect
import os
import tomllib
import uuid
from importlib.metadata import version

import pytest
from django.conf import settings
from kombu import Connection
from kombu.transport import redis as kombu_redis
from kombu.transport.virtual import base as virtual

from config import kombu_redis as guard

REDIS_URL = os.environ.get("SEALPOST_TEST_KOMBU_REDIS_URL", "redis://127.0.0.1:6379/2")


@pytest.fixture
def held_task():
    """A connection that took one task from its queue and has not acknowledged it."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"needs Redis at {REDIS_URL} ({type(exc).__name__})")
    queue_name = f"sealpost-kombu-{uuid.uuid4().hex[:8]}"
    connection = Connection(REDIS_URL)
    queue = connection.SimpleQueue(queue_name)
    queue.put({"message_id": 1})
    message = queue.get(timeout=2)
    assert not message.acknowledged
    yield connection, client
    connection.release()
    client.delete(queue_name, "unacked", "unacked_index")


def test_closing_after_the_transport_let_go_keeps_the_held_task_in_redis(held_task, caplog):
    connection, client = held_task
    channel = connection.default_channel
    assert client.hlen("unacked") == 1
    # What a dead broker leaves: the connection closed and let go of its transport's URL
    # before the channel puts its held tasks back.
    channel.connection.client = None

    channel.close()  # kombu 5.7.0 alone: AttributeError: 'NoneType' ... 'hostname'

    assert channel.qos._delivered == {}
    assert client.hlen("unacked") == 1  # restored once the visibility timeout has passed
    assert "closed with 1 unacknowledged task(s)" in caplog.text


def test_a_live_connection_still_puts_held_tasks_back_at_once(held_task):
    connection, client = held_task
    queue_name = next(iter(connection.default_channel.active_queues))

    connection.default_channel.close()

    assert client.hlen("unacked") == 0
    assert client.llen(queue_name) == 1


def test_the_guard_is_installed_once_and_only_on_the_checked_release(monkeypatch):
    assert guard.guard_restore_unacked() is True
    installed = kombu_redis.QoS.__dict__["restore_unacked"]
    assert installed.sealpost_guard
    assert guard.guard_restore_unacked() is True
    assert kombu_redis.QoS.__dict__["restore_unacked"] is installed  # not wrapped twice

    monkeypatch.setattr(guard, "version", lambda name: "5.7.1")
    monkeypatch.setattr(kombu_redis.QoS, "restore_unacked", installed.__wrapped__)
    assert guard.guard_restore_unacked() is False
    assert kombu_redis.QoS.__dict__["restore_unacked"] is installed.__wrapped__


def test_what_the_guard_relies_on_in_kombu_is_unchanged():
    """Fails when kombu moves: re-check the guard (config/kombu_redis.py) against the new
    release, then update CHECKED_KOMBU."""
    assert version("kombu") == guard.CHECKED_KOMBU
    lock = (settings.BASE_DIR / "requirements.lock").read_text()
    assert f"kombu=={guard.CHECKED_KOMBU} " in lock
    pyproject = tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text())
    assert any(dep.startswith("celery[redis]") for dep in pyproject["project"]["dependencies"])

    original = kombu_redis.QoS.restore_unacked.__wrapped__
    assert list(inspect.signature(original).parameters) == ["self", "client"]
    assert "self.channel.conn_or_acquire(client)" in inspect.getsource(original)
    # The callers: a channel closing restores what it holds, after the connection may have
    # let go of the transport; a new client reads the URL from `connection.client`.
    assert "self._qos.restore_unacked_once()" in inspect.getsource(virtual.Channel.close)
    assert "self.restore_unacked()" in inspect.getsource(virtual.QoS.restore_unacked_once)
    assert "self._transport.client = None" in inspect.getsource(Connection._do_close_transport)
    assert "conninfo = self.connection.client" in inspect.getsource(kombu_redis.Channel._connparams)
    # The ack: Redis's copy removed through a new client, then the virtual QoS's bookkeeping.
    ack = kombu_redis.QoS.ack.__wrapped__
    assert list(inspect.signature(ack).parameters) == ["self", "delivery_tag"]
    assert "self._remove_from_indices(delivery_tag).execute()" in inspect.getsource(ack)
    assert "super().ack(delivery_tag)" in inspect.getsource(ack)
    assert kombu_redis.QoS.__mro__[1] is virtual.QoS


def test_an_ack_after_the_transport_let_go_leaves_the_copy_in_redis(held_task, caplog):
    """A task that finished while Redis was away: kombu 5.7.0 alone raises AttributeError
    ('NoneType' object has no attribute 'client') from the ack, which stops the worker."""
    connection, client = held_task
    channel = connection.default_channel
    [tag] = list(channel.qos._delivered)
    channel.connection.client = None

    channel.qos.ack(tag)

    assert tag in channel.qos._dirty  # acknowledged for the prefetch count, as any ack is
    assert client.hlen("unacked") == 1  # restored, then a no-op, after the visibility timeout
    assert "acknowledged after the broker connection closed" in caplog.text


def test_a_live_connection_still_acks_in_redis(held_task):
    connection, client = held_task
    channel = connection.default_channel
    [tag] = list(channel.qos._delivered)

    channel.qos.ack(tag)

    assert client.hlen("unacked") == 0

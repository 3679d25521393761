"""A worker survives its Redis broker dying while it holds tasks (kombu's Redis transport).

With late acknowledgement and countdown retries a worker routinely holds tasks it has not
acknowledged. When the Redis server dies, Celery closes the broker connection to reconnect;
kombu's Redis channel then tries to put those tasks back (`QoS.restore_unacked`) after the
connection has already let go of its transport: building a Redis client reads the URL from
`channel.connection.client`, which is `None` by then, and the `AttributeError` is not one of
the broker errors Celery shrugs off, so the worker stops for good ("Unrecoverable error:
AttributeError(\"'NoneType' object has no attribute 'hostname'\")").

Nothing is lost by not restoring at that moment: kombu keeps a copy of every unacknowledged
task in Redis itself, and puts it back on its queue once the visibility timeout has passed;
if the server died without persistence, the copies died with it, and the relay
(`messaging/relay.py`) publishes again whatever is still due. So, when the channel has no
transport left to connect with, `restore_unacked` forgets the tasks it held instead of
failing, and says so in the log.

The same holds for an acknowledgement that arrives after the connection let go (`QoS.ack`: a
task finished while Redis was away): its Redis copy cannot be removed then, so it is left for
the visibility timeout, and the task, delivered again, finds its message already sent or
claimed (`Message.claim`) and does nothing. The in-memory acknowledgement still happens.

Applied only on the kombu release it was checked against (`CHECKED_KOMBU`);
`tests/test_kombu_redis.py` fails when the method, its callers or the version change. On
another release nothing is replaced — the supervisor in `deploy/` restarts a worker that
still dies.
"""

from __future__ import annotations

import logging
from functools import wraps
from importlib.metadata import version

logger = logging.getLogger(__name__)

CHECKED_KOMBU = "5.7.0"


def transport_detached(channel) -> bool:
    """Whether a kombu Redis channel can no longer build a client: its connection closed and
    let go of the transport's URL (`connection.client`)."""
    transport = getattr(channel, "connection", None)
    return transport is None or getattr(transport, "client", None) is None


def _forgets_when_detached(restore_unacked):
    @wraps(restore_unacked)
    def restore_unless_detached(self, client=None):
        if client is None and transport_detached(self.channel):
            held = len(self._delivered)
            self._delivered.clear()
            if held:
                logger.warning(
                    "The broker connection closed with %d unacknowledged task(s): left in "
                    "Redis for its visibility timeout (the relay re-publishes what is due).",
                    held,
                )
            return None
        return restore_unacked(self, client)

    restore_unless_detached.sealpost_guard = True
    return restore_unless_detached


def _acks_in_memory_when_detached(ack):
    @wraps(ack)
    def ack_unless_detached(self, delivery_tag):
        if transport_detached(self.channel):
            logger.warning(
                "A task was acknowledged after the broker connection closed: its copy stays in "
                "Redis for its visibility timeout (delivered again, it finds its message done)."
            )
            # The virtual QoS's own bookkeeping, without the Redis round trip.
            return super(type(self), self).ack(delivery_tag)
        return ack(self, delivery_tag)

    ack_unless_detached.sealpost_guard = True
    return ack_unless_detached


def guard_restore_unacked() -> bool:
    """Install the guards on kombu's Redis `QoS.restore_unacked` and `QoS.ack`, once; returns
    whether they are in place (False on a kombu release they were not checked against)."""
    if version("kombu") != CHECKED_KOMBU:
        return False
    from kombu.transport.redis import QoS

    current = QoS.__dict__["restore_unacked"]
    if not getattr(current, "sealpost_guard", False):
        QoS.restore_unacked = _forgets_when_detached(current)
    current_ack = QoS.__dict__["ack"]
    if not getattr(current_ack, "sealpost_guard", False):
        QoS.ack = _acks_in_memory_when_detached(current_ack)
    return True

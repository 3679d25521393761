"""One template choice for many events: what a batch of events shares.

Every event of one type and language pins the same published revisions, so a request that
sends 500 of them (the HTTP API's batch) need not look up the type, the email, its layout and
its PDFs 500 times. Inside `shared_choices()` the look-ups that take `memoized` run once per
key; outside it (a checkout, a resend, a worker) every call looks again, as before.

The block is one request long: a template published meanwhile is pinned by the next request,
as it would be by an event a moment later. Only read-only look-ups are shared; every event
still writes and checks its own rows.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")
_shared: ContextVar[dict | None] = ContextVar("messaging_shared_choices", default=None)


@contextmanager
def shared_choices() -> Iterator[None]:
    """Share the memoized look-ups among the events sent inside this block."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def memoized(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, once per `key` inside `shared_choices()`; every time outside it."""
    shared = _shared.get()
    if shared is None:
        return compute()
    if key not in shared:
        shared[key] = compute()
    return shared[key]

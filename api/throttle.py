"""Each key's request rate: a fixed one-minute window counted in Django's default cache.

Like the storefront's limits (shop/ratelimit.py), the count is only as shared as the cache
(point CACHE_URL at Redis when several web processes serve the API), and a cache that cannot be
reached lets the request through uncounted rather than refusing every client.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache

log = logging.getLogger(__name__)
WINDOW = 60


def seconds_to_wait(*, key_pk: int, per_minute: int, now: float | None = None) -> int:
    """Count one request of the key; how long it must wait when over its rate, else 0."""
    now = time.time() if now is None else now
    window = int(now // WINDOW)
    name = f"api-rate:{key_pk}:{window}"
    try:
        cache.add(name, 0, timeout=WINDOW)
        try:
            count = cache.incr(name)
        except ValueError:  # expired between add and incr: this request opens a new window
            cache.add(name, 1, timeout=WINDOW)
            count = 1
    except Exception as exc:  # each cache backend raises its own connection errors
        log.warning("API rate cache unreachable (%s): request not counted", type(exc).__name__)
        return 0
    if count <= per_minute:
        return 0
    return max(1, int((window + 1) * WINDOW - now))

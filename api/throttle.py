"""Each key's request rate: a fixed one-minute window counted in Django's default cache by the
project's shared counter (sealpost_ratelimits.py).

Like the storefront's limits (shop/ratelimit.py), the count is only as shared as the cache
(point CACHE_URL at Redis when several web processes serve the API), and a cache that cannot be
reached lets the request through uncounted rather than refusing every client.
"""

from __future__ import annotations

from sealpost_ratelimits import Rate
from sealpost_ratelimits import seconds_to_wait as _seconds_to_wait

WINDOW = 60


def seconds_to_wait(*, key_pk: int, per_minute: int, now: float | None = None) -> int:
    """Count one request of the key; how long it must wait when over its rate, else 0."""
    return _seconds_to_wait([("api", str(key_pk), Rate(per_minute, WINDOW))], now=now)

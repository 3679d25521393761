"""Fixed-window request counts in Django's cache, the one counter every limit of the project
uses: the storefront's forms (shop/ratelimit.py), the lost-password form
(messaging/document_access_views.py), the ESP webhooks (messaging/webhooks.py) and the HTTP
API's keys (api/throttle.py).

Two cache calls per counted request and no new dependency. The counts are only as shared as
the cache is: with the default per-process memory cache each web process counts on its own, so
production should point the cache at a shared one (Redis, Memcached).

A cache that cannot be reached lets the request through uncounted: that shared Redis is often
the broker's server too, and while it is down the site keeps working; a failing count would
turn every limited request into a server error.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re
import time
from dataclasses import dataclass

from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured

log = logging.getLogger(__name__)

_RATE = re.compile(r"\A\s*(\d+)\s*/\s*([smhd])\s*\Z")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(text: str) -> Rate:
    """``"10/m"`` → 10 requests a minute (``s``, ``m``, ``h`` or ``d``)."""
    match = _RATE.match(text)
    if match is None or int(match[1]) < 1:
        raise ImproperlyConfigured(f"Not a rate such as 10/m: {text!r}")
    return Rate(int(match[1]), _SECONDS[match[2]])


def client_address(request, header: str = "REMOTE_ADDR") -> str:
    """The client's address from `header` (a request.META key), IPv6 reduced to its /64 (one
    customer's network holds many)."""
    raw = request.META.get(header, "") or ""
    raw = raw.split(",")[0].strip()
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw or "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def count(
    scope: str, identity: str, rate: Rate, *, cache_alias: str = "default", now: float | None = None
) -> tuple[int, int]:
    """Count one request of `identity` in `scope`'s current window; return (count, seconds
    left in the window). (0, 0) when the cache cannot be reached."""
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    # Hashed: no address, email or session key is stored in the cache as such.
    digest = hashlib.sha256(f"{scope}:{identity}".encode()).hexdigest()[:32]
    key = f"rate:{digest}:{rate.seconds}:{window}"
    cache = caches[cache_alias]
    try:
        cache.add(key, 0, timeout=rate.seconds)
        try:
            counted = cache.incr(key)
        except ValueError:  # expired between add and incr: this request opens a new window
            cache.add(key, 1, timeout=rate.seconds)
            counted = 1
    except Exception as exc:  # each cache backend raises its own connection errors
        # The class only: the key is hashed, but an error's text may name the server.
        log.warning("Rate limit cache unreachable (%s): request not counted", type(exc).__name__)
        return 0, 0
    return counted, max(1, int((window + 1) * rate.seconds - now))


def seconds_to_wait(
    limits: list[tuple[str, str, Rate]], *, cache_alias: str = "default", now: float | None = None
) -> int:
    """Count one request under each `(scope, identity, rate)`; how many seconds to wait when
    any is over its rate, else 0. Every limit is counted, whichever is over."""
    now = time.time() if now is None else now
    wait = 0
    for scope, identity, rate in limits:
        counted, left = count(scope, identity, rate, cache_alias=cache_alias, now=now)
        if counted > rate.count:
            wait = max(wait, left)
    return wait

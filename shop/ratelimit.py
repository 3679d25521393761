"""Per-session and per-IP limits on how often the storefront's forms may be posted.

A fixed-window counter in Django's cache: two cache calls per limited request and no new
dependency. The counts are only as shared as the cache is: with the default per-process
memory cache each web process counts on its own, so production should point
`SHOP_RATE_LIMIT_CACHE` at a shared cache (Redis, Memcached).

A cache that cannot be reached lets the request through uncounted: that shared Redis is often
the broker's server too, and while it is down the shop keeps selling (the relay sends the
emails once it is back); a failing count would turn every checkout into a server error.
"""

import hashlib
import ipaddress
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)

_RATE = re.compile(r"\A\s*(\d+)\s*/\s*([smhd])\s*\Z")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

# What the refusal page tells a person, per limited form.
_REFUSALS = {
    "add_to_cart": _("You added items to your cart too quickly."),
    "checkout": _("The checkout form was sent too many times."),
    "payment": _("There were too many payment attempts; nothing was charged for the refused ones."),
}


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


def client_address(request) -> str:
    """The client's address, IPv6 reduced to its /64 (one customer's network holds many)."""
    raw = request.META.get(settings.SHOP_CLIENT_IP_HEADER, "") or ""
    raw = raw.split(",")[0].strip()
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw or "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _count(scope: str, identity: str, rate: Rate, now: float) -> tuple[int, int]:
    """Count this request in the current window; return (count, seconds left in the window)."""
    window = int(now // rate.seconds)
    # Hashed: no address or session key is stored in the cache as such.
    digest = hashlib.sha256(f"{scope}:{identity}".encode()).hexdigest()[:32]
    key = f"shop-rate:{digest}:{rate.seconds}:{window}"
    cache = caches[settings.SHOP_RATE_LIMIT_CACHE]
    try:
        cache.add(key, 0, timeout=rate.seconds)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: this request opens a new window
            cache.add(key, 1, timeout=rate.seconds)
            count = 1
    except Exception as exc:  # each cache backend raises its own connection errors
        # The class only: the key is hashed, but an error's text may name the server.
        log.warning("Rate limit cache unreachable (%s): request not counted", type(exc).__name__)
        return 0, 0
    return count, max(1, int((window + 1) * rate.seconds - now))


def over_limit(request, action: str) -> int:
    """Count a POST to `action`; return how many seconds to wait if it is over a limit, else 0."""
    limits = settings.SHOP_RATE_LIMITS.get(action)
    if not settings.SHOP_RATE_LIMIT_ENABLED or limits is None:
        return 0
    per_session, per_ip = (parse_rate(text) for text in limits)
    now = time.time()
    scopes = [(f"{action}:ip", client_address(request), per_ip)]
    if request.session.session_key:  # a client without a cookie is still counted by address
        scopes.append((f"{action}:session", request.session.session_key, per_session))
    wait = 0
    for scope, identity, rate in scopes:
        count, left = _count(scope, identity, rate, now)
        if count > rate.count:
            wait = max(wait, left)
    return wait


def rate_limited(action: str) -> Callable:
    """Decorate a view: POSTs over the limit for `action` get a 429 page saying when to retry."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                wait = over_limit(request, action)
                if wait:
                    return too_many_requests(request, action=action, retry_after=wait)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def too_many_requests(request, *, action: str, retry_after: int):
    """The 429 page: what happened, and how long to wait."""
    minutes = max(1, round(retry_after / 60))
    response = render(
        request,
        "shop/rate_limited.html",
        {"reason": _REFUSALS.get(action, ""), "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response

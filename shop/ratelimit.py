"""Per-session and per-IP limits on how often the storefront's forms may be posted.

The counting is the project's shared fixed-window counter (sealpost_ratelimits.py): two cache calls
per limited request, in the cache `SHOP_RATE_LIMIT_CACHE` names (a shared one in production), and a
cache that cannot be reached lets the request through uncounted."""

import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from sealpost_ratelimits import Rate, parse_rate, seconds_to_wait
from sealpost_ratelimits import client_address as _client_address

__all__ = ["Rate", "client_address", "over_limit", "parse_rate", "rate_limited"]

# What the refusal page tells a person, per limited form.
_REFUSALS = {
    "add_to_cart": _("You added items to your cart too quickly."),
    "checkout": _("The checkout form was sent too many times."),
    "payment": _("There were too many payment attempts; nothing was charged for the refused ones."),
}


def client_address(request) -> str:
    """The client's address (`SHOP_CLIENT_IP_HEADER`), IPv6 reduced to its /64."""
    return _client_address(request, settings.SHOP_CLIENT_IP_HEADER)


def over_limit(request, action: str) -> int:
    """Count a POST to `action`; return how many seconds to wait if it is over a limit, else 0."""
    limits = settings.SHOP_RATE_LIMITS.get(action)
    if not settings.SHOP_RATE_LIMIT_ENABLED or limits is None:
        return 0
    per_session, per_ip = (parse_rate(text) for text in limits)
    scopes = [(f"{action}:ip", client_address(request), per_ip)]
    if request.session.session_key:  # a client without a cookie is still counted by address
        scopes.append((f"{action}:session", request.session.session_key, per_session))
    return seconds_to_wait(scopes, cache_alias=settings.SHOP_RATE_LIMIT_CACHE, now=time.time())


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

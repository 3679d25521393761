"""Who is calling: `Authorization: Bearer <key>`, then the body cap and the key's rate.

Runs before ninja reads the body, so an unauthenticated or oversized request costs no parsing.
The key is never logged: a refusal says only which check failed.
"""

from __future__ import annotations

from django.conf import settings
from ninja.security import HttpBearer

from .models import ApiKey
from .problems import Problem, not_authenticated
from .throttle import seconds_to_wait


def body_cap() -> int:
    """The largest body accepted: Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default)."""
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440


class ApiKeyAuth(HttpBearer):
    def __call__(self, request) -> ApiKey:
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise not_authenticated("Send your API key as `Authorization: Bearer <key>`.")
        api_key = ApiKey.objects.authenticate(key.strip())
        if api_key is None:
            raise not_authenticated("The API key is unknown or has been revoked.")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > body_cap():
            raise Problem(
                413,
                "too-large",
                f"The body has {length} bytes; at most {body_cap()} are accepted "
                "(send large batches in several requests).",
            )
        if wait := seconds_to_wait(key_pk=api_key.pk, per_minute=api_key.rate_per_minute):
            raise Problem(
                429,
                "rate-limited",
                f"Over this key's {api_key.rate_per_minute} requests a minute; retry in {wait} s.",
                headers={"Retry-After": str(wait)},
            )
        api_key.record_use()
        return api_key

    def authenticate(self, request, token):  # the check is __call__'s; ninja requires this
        return ApiKey.objects.authenticate(token)

"""Making API keys (the `create_api_key` command and admin share it)."""

from __future__ import annotations

from django.db import transaction

from messaging.models import Client
from stafftemplates.models import EventType

from .models import ApiKey


class UnknownEventTypes(ValueError):
    """Some codes name no event type."""


@transaction.atomic
def create_api_key(*, client_name: str, event_types: list[str]) -> tuple[ApiKey, str]:
    """A new key for the client named `client_name` (made if new), allowed `event_types`.

    Returns the key and its secret text, which is shown once and never stored."""
    types = list(EventType.objects.filter(code__in=event_types))
    if unknown := sorted(set(event_types) - {t.code for t in types}):
        raise UnknownEventTypes(", ".join(unknown))
    client, _ = Client.objects.get_or_create(name=client_name)
    api_key = ApiKey(client=client)
    key = api_key.new_secret()
    api_key.save()
    api_key.event_types.set(types)
    return api_key, key

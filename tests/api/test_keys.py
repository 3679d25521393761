"""API keys: made by command or admin, shown once, stored as a hash, revocable, use recorded."""

import io

import pytest
from django.core.management import CommandError, call_command

from api.models import ApiKey
from tests.api.conftest import Api


def create(*args) -> str:
    out = io.StringIO()
    call_command("create_api_key", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_key_alone_on_its_last_line_and_stores_only_its_hash(
    client, order_confirmation
):
    output = create("--name", "Other shop", "--event-types", "order_confirmation")

    key = output.strip().splitlines()[-1]
    assert key.startswith("sp_live_")
    api_key = ApiKey.objects.get()
    assert key.startswith(api_key.prefix)
    assert key not in str(list(ApiKey.objects.values()))
    assert [t.code for t in api_key.event_types.all()] == ["order_confirmation"]
    assert api_key.last_used_at is None
    assert Api(client, key).get("/event-types").status_code == 200
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


def test_the_command_refuses_unknown_event_types(order_confirmation):
    with pytest.raises(CommandError, match="no_such"):
        create("--name", "Shop", "--event-types", "order_confirmation,no_such")
    assert not ApiKey.objects.exists()


def test_admin_shows_a_new_key_once_and_revokes_it(admin_client, client, order_confirmation):
    from messaging.models import Client

    shop = Client.objects.create(name="Admin-made")
    response = admin_client.post(
        "/admin/api/apikey/add/",
        {"client": shop.pk, "event_types": [order_confirmation.pk], "rate_per_minute": 60},
    )

    assert response.status_code == 200
    api_key = ApiKey.objects.get()
    key = response.context["key"]
    assert key.encode() in response.content
    assert Api(client, key).get("/event-types").status_code == 200
    change = admin_client.get(f"/admin/api/apikey/{api_key.pk}/change/")
    assert key.encode() not in change.content
    assert api_key.prefix.encode() in change.content

    admin_client.post(
        "/admin/api/apikey/",
        {"action": "revoke", "_selected_action": [api_key.pk]},
    )
    assert Api(client, key).get("/event-types").status_code == 401

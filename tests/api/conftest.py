import json

import pytest

from api.keys import create_api_key
from tests.factories import EventTypeFactory, OrderConfirmationFactory


@pytest.fixture
def order_confirmation(db):
    """The order confirmation type with its active email, which carries one encrypted PDF."""
    OrderConfirmationFactory()
    return EventTypeFactory()


@pytest.fixture
def shop_key(order_confirmation) -> str:
    """An outside shop's key, allowed order confirmations."""
    return create_api_key(client_name="Outside shop", event_types=["order_confirmation"])[1]


class Api:
    """The API as a client on another stack calls it: JSON over HTTP with a Bearer key."""

    def __init__(self, client, key: str | None):
        self.client, self.key = client, key

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}

    def get(self, path: str):
        return self.client.get(f"/api/v1{path}", headers=self.headers())

    def post(self, path: str, body, *, raw: bytes | None = None):
        content = raw if raw is not None else json.dumps(body)
        return self.client.post(
            f"/api/v1{path}", content, content_type="application/json", headers=self.headers()
        )


@pytest.fixture
def api(client, shop_key) -> Api:
    return Api(client, shop_key)


def example_event(api: Api, **changes) -> dict:
    """An order confirmation built from the type's published example, to the client's own
    recipient."""
    example = api.get("/event-types/order_confirmation").json()["example"]
    return {
        "type": "order_confirmation",
        "recipient": {"email": "kund@example.org", "name": "Kim Kund"},
        "language": "en",
        "data": example,
        "reference": "WEB-1001",
        "idempotency_key": "order-WEB-1001",
        **changes,
    }

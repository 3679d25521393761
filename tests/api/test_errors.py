"""Every refusal: one problem+json shape, the right status, each field named; never a 500."""

import json

import pytest

from api.models import ApiKey
from messaging.models import Event
from tests.api.conftest import Api, example_event
from tests.factories import EventTypeFactory


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert set(body) == {"type", "title", "status", "detail", "errors"}
    return body


def paths(body: dict) -> set[str]:
    return {error["path"] for error in body["errors"]}


@pytest.mark.parametrize("key", [None, "sp_live_0000_wrong", "not-a-key"])
def test_no_or_wrong_key_is_401_with_bearer_challenge(client, order_confirmation, key):
    response = Api(client, key).get("/event-types")

    problem(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_revoked_key_is_401(api):
    assert api.get("/event-types").status_code == 200
    ApiKey.objects.get().revoke()

    problem(api.post("/events", {}), 401)


def test_a_wrong_secret_for_an_existing_key_id_is_401(api):
    key_id = ApiKey.objects.get().key_id
    problem(Api(api.client, f"sp_live_{key_id}_guessed").get("/event-types"), 401)


def test_a_type_outside_the_keys_scope_is_403(api, client):
    EventTypeFactory(code="newsletter", schema={"type": "object"}, example={})
    event = example_event(api, type="newsletter", data={})

    body = problem(api.post("/events", event), 403)

    assert "newsletter" in body["detail"]
    assert not Event.objects.exists()


def test_schema_violations_and_bad_fields_are_400_naming_each_path(api):
    event = example_event(
        api, language="fi", recipient={"email": "not an address", "name": "x" * 300}
    )
    del event["data"]["customer"]
    event["data"]["order"]["number"] = 12

    body = problem(api.post("/events", event), 400)

    assert {"language", "recipient.email", "recipient.name"} <= paths(body)
    assert any(path.startswith("data") for path in paths(body))
    assert not Event.objects.exists()


def test_nul_bytes_and_over_long_strings_are_400(api):
    event = example_event(api, reference="WEB\x00", idempotency_key="k" * 201)
    event["data"]["note"] = "x" * 10_001

    body = problem(api.post("/events", event), 400)

    assert {"reference", "idempotency_key"} <= paths(body)


def test_missing_and_mistyped_fields_are_400(api):
    body = problem(api.post("/events", {"type": 3, "recipient": {}, "surprise": 1}), 400)

    assert {"type", "recipient.email", "data", "idempotency_key", "surprise"} <= paths(body)


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe", b"[1, 2"])
def test_malformed_json_is_400(api, raw):
    problem(api.post("/events", None, raw=raw), 400)


def test_a_body_over_the_cap_is_413_saying_the_cap(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    event = example_event(api)
    event["data"]["padding"] = "x" * 20_000

    body = problem(api.post("/events", event), 413)

    assert "10000" in body["detail"]


def test_over_the_keys_rate_is_429_with_retry_after(api):
    ApiKey.objects.update(rate_per_minute=2)
    api.get("/event-types")
    api.get("/event-types")

    response = api.get("/event-types")

    problem(response, 429)
    assert 1 <= int(response["Retry-After"]) <= 60


def test_an_unreachable_rate_cache_lets_requests_through(api, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "add", down)
    ApiKey.objects.update(rate_per_minute=1)

    assert [api.get("/event-types").status_code for _ in range(3)] == [200, 200, 200]


@pytest.mark.parametrize("event_id", ["999999", "99999999999999999999"])
def test_an_unknown_event_id_is_404(api, event_id):
    problem(api.get(f"/events/{event_id}"), 404)


def test_an_unknown_type_is_400_not_403(api):
    body = problem(api.post("/events", example_event(api, type="no_such_type")), 400)

    assert "type" in paths(body)


@pytest.mark.parametrize("raw", [b"[]", b"null", b'"event"'])
def test_a_body_that_is_not_an_object_is_400(api, raw):
    problem(api.post("/events", None, raw=raw), 400)


def test_a_time_without_its_offset_is_400(api):
    body = problem(api.post("/events", example_event(api, scheduled_at="2030-01-01T09:00")), 400)

    assert paths(body) == {"scheduled_at"}


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("get", "/events", "POST"), ("delete", "/event-types", "GET"), ("put", "/events/1", "GET")],
)
def test_a_method_the_path_does_not_take_is_405_naming_the_allowed_ones(api, method, path, allowed):
    response = getattr(api.client, method)(f"/api/v1{path}", headers=api.headers())

    body = problem(response, 405)
    assert response["Allow"] == allowed
    assert allowed in body["detail"]
    assert body["type"].endswith("/method-not-allowed")


def test_data_nested_too_deeply_is_400_and_writes_nothing(api):
    # 400 levels parse as JSON, but building the event's documents recursed past Python's
    # limit: a 500 after the event was written, its passwords never returned.
    event = example_event(api)
    event["data"]["note"] = [[[]]]
    nested = event["data"]["note"][0][0]
    for _ in range(400):
        nested.append([])
        nested = nested[0]

    body = problem(api.post("/events", event), 400)

    [error] = body["errors"]
    assert error["path"].startswith("data.note[0]")
    assert error["message"] == "Nested more than 20 levels deep."
    assert not Event.objects.exists()


def test_an_unpaired_surrogate_is_400_naming_the_field(api):
    # `"\ud800"` is valid JSON but no UTF-8 text: hashing or storing it failed with a 500.
    event = example_event(api)
    raw = json.dumps(event).replace('"WEB-1001"', '"WEB-\\ud800"')
    event_in_data = example_event(api, idempotency_key="order-2")
    event_in_data["data"]["note"] = "PLACEHOLDER"
    raw_in_data = json.dumps(event_in_data).replace('"PLACEHOLDER"', '"\\udfff"')

    in_field = problem(api.post("/events", None, raw=raw.encode()), 400)
    in_data = problem(api.post("/events", None, raw=raw_in_data.encode()), 400)

    assert paths(in_field) == {"reference"}
    assert paths(in_data) == {"data.note"}
    assert not Event.objects.exists()

"""POST /api/v1/events/batch: one result per item, in order; accepted items commit regardless."""

from messaging.models import Event
from tests.api.conftest import example_event
from tests.api.test_errors import problem


def test_each_item_gets_its_own_result_in_order(
    api, mailoutbox, django_capture_on_commit_callbacks
):
    good = example_event(api)
    bad = example_event(api, idempotency_key="order-2", recipient={"email": "nope"})
    second = example_event(api, idempotency_key="order-3", reference="WEB-1003")

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/events/batch", {"events": [good, bad, second, {"type": 1}]})

    assert response.status_code == 207
    results = response.json()["results"]
    assert [r["status"] for r in results] == [202, 400, 202, 400]
    assert results[0]["document_passwords"]
    assert "recipient.email" in {e["path"] for e in results[1]["errors"]}
    assert {e["path"] for e in results[3]["errors"]} >= {"type", "recipient", "data"}
    assert sorted(Event.objects.values_list("pk", flat=True)) == sorted(
        [results[0]["id"], results[2]["id"]]
    )
    assert len(mailoutbox) == 2


def test_more_than_500_items_are_refused_whole(api):
    body = problem(api.post("/events/batch", {"events": [{}] * 501}), 400)

    assert {e["path"] for e in body["errors"]} == {"events"}
    assert not Event.objects.exists()

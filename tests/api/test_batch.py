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


def _batch(api, count: int, start: int) -> list[dict]:
    event = example_event(api)
    return [
        {
            **event,
            "idempotency_key": f"order-{n}",
            "reference": f"WEB-{n}",
            "recipient": {"email": f"kund{n}@example.org", "name": "Kim Kund"},
        }
        for n in range(start, start + count)
    ]


def test_a_batch_checks_scope_and_chooses_templates_once_per_type_and_language(api):
    """Work counted, not timed: each further event of a batch costs its own writes and
    idempotency check, not another look-up of its key's scope, its type and its templates."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size, start in ((5, 0), (15, 100)):
        events = _batch(api, size, start)
        with CaptureQueriesContext(connection) as queries:
            response = api.post("/events/batch", {"events": events})
        assert [r["status"] for r in response.json()["results"]] == [202] * size
        counts.append(len(queries))

    assert (
        counts[1] - counts[0]
    ) / 10 <= 14  # 28 when each event looked everything up, 18 with a look-up before each write


def test_a_template_published_between_two_batches_is_the_one_the_second_pins(api):
    from messaging.models import Message, MessageTemplate

    first = api.post("/events/batch", {"events": _batch(api, 2, 0)}).json()["results"]
    template = MessageTemplate.objects.get()
    template.subject = "Changed {{ order.number }}"
    template.save()
    template.publish(template.current_revision())
    second = api.post("/events/batch", {"events": _batch(api, 2, 10)}).json()["results"]

    pinned = dict(Message.objects.values_list("event_id", "template_revision_id"))
    assert {pinned[r["id"]] for r in first} != {pinned[r["id"]] for r in second}
    assert {pinned[r["id"]] for r in second} == {template.published_revision_id}

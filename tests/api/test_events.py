"""POST /api/v1/events and GET /api/v1/events/{id}, as an outside client uses them."""

from api.keys import create_api_key
from messaging.models import Event, Message
from tests.api.conftest import Api, example_event
from tests.attachments.conftest import decrypted_text
from tests.factories import EventTypeFactory


def test_an_event_built_from_the_published_example_sends_a_pdf_the_returned_password_opens(
    api, mailoutbox, django_capture_on_commit_callbacks
):
    event = example_event(api)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/events", event)

    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending"
    (document,) = body["document_passwords"]
    (email,) = mailoutbox
    assert email.to == ["kund@example.org"]
    (filename, content, _) = email.attachments[0]
    assert filename in document["filenames"]
    order_number = event["data"]["order"]["number"]
    assert f"Receipt for order {order_number}" in decrypted_text(content, document["password"])

    status = api.get(f"/events/{body['id']}").json()
    assert status["status"] == "sent"
    (message,) = status["messages"]
    assert message["status"] == "sent"
    assert message["sent_at"]
    assert "sent" in [line["kind"] for line in message["history"]]
    # Never the data, the address or a password.
    assert document["password"] not in str(status)
    assert "kund@example.org" not in str(status)
    assert order_number not in str(status)


def test_the_same_key_and_body_again_is_the_same_event_and_no_second_email(
    api, mailoutbox, django_capture_on_commit_callbacks
):
    event = example_event(api)
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post("/events", event)
        again = api.post("/events", event)

    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["id"] == first.json()["id"]
    # The password is shown in the 202 only.
    assert again.json()["document_passwords"] == []
    assert len(mailoutbox) == 1
    assert Message.objects.count() == 1


def test_the_same_key_with_another_body_is_a_409_and_sends_nothing_more(api, mailoutbox):
    first = api.post("/events", example_event(api))
    conflict = api.post("/events", example_event(api, recipient={"email": "other@example.org"}))

    assert conflict.status_code == 409
    assert conflict["Content-Type"] == "application/problem+json"
    assert str(first.json()["id"]) in conflict.json()["detail"]
    assert Event.objects.count() == 1


def test_another_clients_event_is_not_found(api, client):
    sent = api.post("/events", example_event(api)).json()
    other = Api(client, create_api_key(client_name="Other", event_types=["order_confirmation"])[1])

    response = other.get(f"/events/{sent['id']}")

    assert response.status_code == 404
    assert response.json()["status"] == 404
    assert api.get(f"/events/{sent['id']}").status_code == 200


def test_event_types_show_their_schema_and_example(api):
    listed = api.get("/event-types")
    one = api.get("/event-types/order_confirmation")

    assert [t["code"] for t in listed.json()] == ["order_confirmation"]
    body = one.json()
    assert body["schema"]["type"] == "object"
    assert "order" in body["example"]
    assert api.get("/event-types/no_such_type").status_code == 404


def test_a_type_outside_the_keys_scope_is_not_shown(api):
    # The list held only the key's types, but each other type's schema and example (the
    # fields of another sender's emails) answered 200 by its code.
    EventTypeFactory(code="payroll_slip", name="Payroll slip", description="Internal.")

    response = api.get("/event-types/payroll_slip")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert "Internal." not in response.content.decode()

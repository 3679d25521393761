"""The OpenAPI document and the interactive reference page."""

import pytest


def test_the_openapi_document_lists_every_endpoint(client, db):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    operations = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    assert operations == {
        ("POST", "/api/v1/events"),
        ("POST", "/api/v1/events/batch"),
        ("GET", "/api/v1/events/{event_id}"),
        ("GET", "/api/v1/event-types"),
        ("GET", "/api/v1/event-types/{code}"),
    }
    assert "bearer" in str(document["components"]["securitySchemes"]).lower()


@pytest.mark.parametrize(
    ("debug", "staff", "status"), [(False, False, 302), (False, True, 200), (True, False, 200)]
)
def test_the_reference_page_is_for_staff_unless_debug(
    client, settings, admin_user, debug, staff, status
):
    settings.DEBUG = debug
    if staff:
        client.force_login(admin_user)

    response = client.get("/api/v1/docs")

    assert response.status_code == status
    if status == 200:
        assert b"swagger" in response.content.lower()

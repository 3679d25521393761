"""Event types: a schema, an example that satisfies it, and templates that render it."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from stafftemplates.models import EventType
from stafftemplates.schemas import data_errors, typed_data
from tests.factories import EventTypeFactory, MessageTemplateFactory

WIDTH_SCHEMA = {
    "type": "object",
    "properties": {"width": {"type": "integer"}, "name": {"type": "string", "maxLength": 20}},
    "required": ["width"],
}


def width_type(**fields) -> EventType:
    return EventTypeFactory(
        code="padded_notice", name="Padded", schema=WIDTH_SCHEMA, example={"width": 5}, **fields
    )


def refusal(event_type: EventType) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        event_type.full_clean()
    return raised.value.message_dict


def test_a_schema_that_is_no_json_schema_is_refused_with_the_reason(db):
    event_type = width_type()
    event_type.schema = {"type": "object", "properties": {"width": {"type": "integre"}}}

    assert "Not a valid JSON Schema at properties/width/type" in refusal(event_type)["schema"][0]


def test_a_schema_of_no_object_is_refused(db):
    event_type = width_type()
    event_type.schema = {"type": "array"}

    assert "must describe an object" in refusal(event_type)["schema"][0]


def test_an_example_that_breaks_the_schema_is_refused_naming_the_field(db):
    event_type = width_type()
    event_type.example = {"width": "wide", "name": "x" * 21}

    errors = refusal(event_type)["example"]

    assert errors[0].startswith("example.name: ")
    assert errors[1] == "example.width: 'wide' is not of type 'integer'"


def test_an_example_the_published_templates_cannot_render_is_refused(db):
    event_type = width_type()
    MessageTemplateFactory(event=event_type, name="Padded note", subject='{{ "x"|ljust:width }}')
    event_type.example = {"width": 10**7}  # valid, but the subject would be 10 MB wide

    errors = refusal(event_type)["example"]

    assert "“Padded note (English)” cannot render this example" in errors[0]


def test_a_draft_that_cannot_render_the_example_does_not_block_the_type(db):
    event_type = width_type()
    MessageTemplateFactory(event=event_type, subject='{{ "x"|ljust:width }}', published=False)
    event_type.example = {"width": 10**7}

    event_type.full_clean()


def test_admin_refuses_a_breaking_example_with_the_reason(admin_client, db):
    event_type = width_type()
    url = reverse("admin:stafftemplates_eventtype_change", args=[event_type.pk])
    form = {"name": "Padded", "description": "", "schema": '{"type": "object"}'}

    refused = admin_client.post(url, {**form, "example": "[1]"})
    saved = admin_client.post(url, {**form, "example": '{"any": "thing"}'})

    assert refused.status_code == 200
    assert "example: [1] is not of type" in refused.content.decode()
    assert saved.status_code == 302
    event_type.refresh_from_db()
    assert event_type.example == {"any": "thing"}


def test_typed_strings_become_dates_and_exact_numbers():
    schema = {
        "type": "object",
        "properties": {
            "when": {"type": "string", "format": "date-time"},
            "day": {"type": "string", "format": "date"},
            "lines": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"total": {"type": "string", "format": "decimal"}},
                },
            },
            "note": {"type": "string"},
        },
    }
    data = {
        "when": "2026-11-28T14:05:00+01:00",
        "day": "2026-11-28",
        "lines": [{"total": "1095.10"}],
        "note": "2026-11-28",
    }

    typed = typed_data(schema, data)

    assert typed["when"] == datetime.fromisoformat("2026-11-28T13:05:00+00:00")
    assert typed["day"].isoformat() == "2026-11-28"
    assert typed["lines"][0]["total"] == Decimal("1095.10")
    assert typed["note"] == "2026-11-28"  # no format: text stays text


def test_typed_strings_that_would_not_convert_are_refused():
    schema = {
        "type": "object",
        "properties": {
            "when": {"type": "string", "format": "date-time"},
            "total": {"type": "string", "format": "decimal"},
        },
    }

    errors = data_errors(schema, {"when": "2026-11-28T14:05", "total": "12,50"})

    assert [error.path for error in errors] == ["data.total", "data.when"]

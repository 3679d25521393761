"""Mark the values of `order_confirmation` data the books keep (`"x-bookkeeping": true`), in
the schema stored for the type, as `shop.events` now declares them: erasure and retention cut
an erased event's data to those (docs/operators/bookkeeping.md).

Only the marks are added, on the properties that exist: a schema staff edited keeps every
edit. The paths are copied here, not imported (a migration never imports code that changes).
"""

from django.db import migrations

MARK = "x-bookkeeping"
ORDER = ("number", "status", "date", "currency", "subtotal", "total", "vat", "vat_rate")
LINE = ("product", "quantity", "unit_price", "line_total")


def _properties(node):
    """The `properties` of an object's schema, or {} where there is none."""
    found = node.get("properties") if isinstance(node, dict) else None
    return found if isinstance(found, dict) else {}


def _marked_places(schema):
    """The schemas of the values the books keep, where the stored schema has them."""
    root = _properties(schema)
    lines = root.get("lines")
    order = _properties(root.get("order"))
    line = _properties(lines.get("items") if isinstance(lines, dict) else None)
    return [order.get(name) for name in ORDER] + [line.get(name) for name in LINE]


def mark(apps, schema_editor):
    EventType = apps.get_model("stafftemplates", "EventType")
    for event_type in EventType.objects.filter(code="order_confirmation"):
        for place in _marked_places(event_type.schema):
            if isinstance(place, dict):
                place[MARK] = True
        event_type.save(update_fields=["schema"])


def unmark(apps, schema_editor):
    EventType = apps.get_model("stafftemplates", "EventType")
    for event_type in EventType.objects.filter(code="order_confirmation"):
        for place in _marked_places(event_type.schema):
            if isinstance(place, dict):
                place.pop(MARK, None)
        event_type.save(update_fields=["schema"])


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0006_order_events"),
        ("stafftemplates", "0001_event_types"),
    ]

    operations = [migrations.RunPython(mark, unmark)]

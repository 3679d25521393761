"""Receipt numbers in a gapless series per year, shipments, and refunds with their lines.

Orders placed before the series get their numbers here, in order of creation, each in the
series of the year it was placed (in `TIME_ZONE`); each year's counter then continues after
the last number given.
"""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import copy
import importlib

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


CONFIRMATION_SCHEMA_0005 = importlib.import_module(
    "shop.migrations.0005_order_confirmation_event_type"
).SCHEMA


def receipt_number_in_confirmation_schema(apps, schema_editor):
    """The `order_confirmation` type as migration 0005 created it gets `order.receipt_number`
    (an optional string) in its schema; a schema staff edited since is left alone, and so is
    one whose example already holds a receipt number that is no string."""
    EventType = apps.get_model("stafftemplates", "EventType")
    event_type = EventType.objects.filter(code="order_confirmation").first()
    if event_type is None or event_type.schema != CONFIRMATION_SCHEMA_0005:
        return
    number = event_type.example.get("order", {}).get("receipt_number", "")
    if not isinstance(number, str):
        return
    schema = copy.deepcopy(CONFIRMATION_SCHEMA_0005)
    schema["properties"]["order"]["properties"]["receipt_number"] = {
        "type": "string",
        "maxLength": 40,
    }
    event_type.schema = schema
    event_type.save(update_fields=["schema"])


def number_existing_orders(apps, schema_editor):
    Order = apps.get_model("shop", "Order")
    ReceiptCounter = apps.get_model("shop", "ReceiptCounter")
    prefix = settings.SHOP_RECEIPT_PREFIX
    last: dict[int, int] = {}
    orders = Order.objects.filter(receipt_number__isnull=True).order_by("created_at", "id")
    for order in orders.only("pk", "created_at").iterator(chunk_size=2000):
        year = timezone.localtime(order.created_at).year
        last[year] = last.get(year, 0) + 1
        Order.objects.filter(pk=order.pk).update(receipt_number=f"{prefix}-{year}-{last[year]:06d}")
    for year, number in last.items():
        ReceiptCounter.objects.update_or_create(year=year, defaults={"last": number})


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0006_order_events"),
        ("stafftemplates", "0001_event_types"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReceiptCounter",
            fields=[
                ("year", models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ("last", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.AlterModelOptions(
            name="order",
            options={
                "ordering": ["-created_at"],
                "permissions": [
                    ("view_document_password", "Can reveal an order's document password"),
                    ("ship_order", "Can mark an order as shipped"),
                    ("refund_order", "Can refund an order"),
                ],
            },
        ),
        migrations.AddField(
            model_name="order",
            name="receipt_number",
            field=models.CharField(
                blank=True, editable=False, max_length=40, null=True, unique=True
            ),
        ),
        migrations.RunPython(number_existing_orders, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(
            receipt_number_in_confirmation_schema, migrations.RunPython.noop, elidable=False
        ),
        migrations.CreateModel(
            name="Refund",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sequence", models.PositiveSmallIntegerField()),
                ("total", models.DecimalField(decimal_places=2, max_digits=12)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="refunds",
                        to="shop.order",
                    ),
                ),
            ],
            options={
                "ordering": ["order", "sequence"],
            },
        ),
        migrations.CreateModel(
            name="RefundLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "quantity",
                    models.PositiveSmallIntegerField(
                        validators=[django.core.validators.MinValueValidator(1)]
                    ),
                ),
                ("amount", models.DecimalField(decimal_places=2, max_digits=12)),
                (
                    "order_line",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="refunds",
                        to="shop.orderline",
                    ),
                ),
                (
                    "refund",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lines",
                        to="shop.refund",
                    ),
                ),
            ],
            options={
                "ordering": ["id"],
            },
        ),
        migrations.CreateModel(
            name="Shipment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("carrier", models.CharField(blank=True, max_length=100)),
                ("tracking_number", models.CharField(blank=True, max_length=100)),
                ("shipped_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "order",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="shipment",
                        to="shop.order",
                    ),
                ),
            ],
        ),
        migrations.AddConstraint(
            model_name="refund",
            constraint=models.UniqueConstraint(
                fields=("order", "sequence"), name="one_refund_per_sequence"
            ),
        ),
    ]

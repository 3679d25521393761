# The captured emails moved here from `messaging` without losing data: the models keep their
# tables (`db_table`), this migration takes them over in the migration state only, and
# `messaging.0006_captured_emails_moved_to_inbox` drops them from messaging's state. On a
# database where the tables are missing (inbox added to a deployment that never had them),
# they are created.

import django.db.models.deletion
from django.db import migrations, models

TABLES = {"capturedemail": "messaging_capturedemail", "capturedattachment": "messaging_capturedattachment"}


def create_missing_tables(apps, schema_editor):
    existing = set(schema_editor.connection.introspection.table_names())
    for model_name in ("CapturedEmail", "CapturedAttachment"):
        model = apps.get_model("inbox", model_name)
        if model._meta.db_table not in existing:
            schema_editor.create_model(model)


def move_content_types(apps, schema_editor):
    """Permissions on captured emails follow the models to their new app label."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model_name in TABLES:
        if not ContentType.objects.filter(app_label="inbox", model=model_name).exists():
            ContentType.objects.filter(app_label="messaging", model=model_name).update(
                app_label="inbox"
            )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        # The tables were created by messaging's first migration: take them over after it.
        ("messaging", "0005_delivery_faults"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CapturedEmail",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("message_id", models.CharField(max_length=64, unique=True)),
                        ("from_email", models.CharField(max_length=320)),
                        ("to", models.JSONField(default=list)),
                        ("cc", models.JSONField(blank=True, default=list)),
                        ("bcc", models.JSONField(blank=True, default=list)),
                        ("reply_to", models.JSONField(blank=True, default=list)),
                        ("subject", models.CharField(blank=True, max_length=998)),
                        ("text_body", models.TextField(blank=True)),
                        ("html_body", models.TextField(blank=True)),
                        ("headers", models.JSONField(blank=True, default=dict)),
                        ("metadata", models.JSONField(blank=True, default=dict)),
                        ("tags", models.JSONField(blank=True, default=list)),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                    ],
                    options={
                        "db_table": "messaging_capturedemail",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="CapturedAttachment",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("filename", models.CharField(max_length=255)),
                        ("mimetype", models.CharField(max_length=100)),
                        ("content", models.BinaryField()),
                        ("size", models.PositiveIntegerField()),
                        ("email", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="attachments", to="inbox.capturedemail")),
                    ],
                    options={
                        "db_table": "messaging_capturedattachment",
                        "ordering": ["id"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(create_missing_tables, migrations.RunPython.noop),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]

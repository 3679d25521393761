import django.db.models.deletion
import stafftemplates.languages
from django.db import migrations, models


def create_missing_types(apps, schema_editor):
    """Every event code a template uses becomes an event type (the project's own migration
    gave `order_confirmation` its schema already; any other gets one that accepts any object,
    for staff to tighten)."""
    EventType = apps.get_model("stafftemplates", "EventType")
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for code in MessageTemplate.objects.values_list("event", flat=True).distinct():
        EventType.objects.get_or_create(
            code=code,
            defaults={"name": code.replace("_", " ").capitalize(), "schema": {"type": "object"}},
        )


class Migration(migrations.Migration):

    dependencies = [
        ('messaging', '0013_esp_request_attempt'),
        ('stafftemplates', '0001_event_types'),
    ]

    operations = [
        migrations.RunPython(create_missing_types, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='message',
            name='event',
            field=models.CharField(db_index=True, max_length=50),
        ),
        migrations.AlterField(
            model_name='messagetemplate',
            name='event',
            field=models.ForeignKey(db_column='event', on_delete=django.db.models.deletion.PROTECT, related_name='message_templates', to='stafftemplates.eventtype', to_field='code', verbose_name='event type'),
        ),
        migrations.AlterField(
            model_name='messagetemplate',
            name='language',
            field=stafftemplates.languages.LanguageField(choices=stafftemplates.languages.language_choices, db_index=True, default=stafftemplates.languages.default_language, help_text='Recipients of events in this language get it.', max_length=10),
        ),
    ]

import django.db.models.deletion
from django.db import migrations, models


def assign_types(apps, schema_editor):
    """A document takes the event type of an email that carries it; one no email carries was
    an order confirmation's (the only event there was)."""
    EventType = apps.get_model("stafftemplates", "EventType")
    AttachmentTemplate = apps.get_model("attachments", "AttachmentTemplate")
    links = apps.get_model("messaging", "MessageTemplateAttachment").objects
    for document in AttachmentTemplate.objects.all():
        link = links.filter(attachment_template=document).select_related("template").first()
        code = link.template.event_id if link else "order_confirmation"
        event_type, _ = EventType.objects.get_or_create(
            code=code,
            defaults={"name": code.replace("_", " ").capitalize(), "schema": {"type": "object"}},
        )
        AttachmentTemplate.objects.filter(pk=document.pk).update(event_type=event_type)


class Migration(migrations.Migration):

    dependencies = [
        ('attachments', '0006_languages'),
        ('messaging', '0014_event_types'),
        ('stafftemplates', '0001_event_types'),
    ]

    operations = [
        migrations.AddField(
            model_name='attachmenttemplate',
            name='event_type',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='attachment_templates', to='stafftemplates.eventtype'),
        ),
        migrations.RunPython(assign_types, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='attachmenttemplate',
            name='event_type',
            field=models.ForeignKey(help_text='The events whose data this document renders; previews render its example.', on_delete=django.db.models.deletion.PROTECT, related_name='attachment_templates', to='stafftemplates.eventtype'),
        ),
    ]

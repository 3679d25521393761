"""Draft and publish, on an existing install: each attachment template's newest revision is
what customers got until now, so it becomes the published one (nothing changes for them)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def publish_latest(apps, schema_editor):
    Template = apps.get_model("attachments", "AttachmentTemplate")
    Revision = apps.get_model("attachments", "AttachmentTemplateRevision")
    newest = Revision.objects.filter(template=OuterRef("pk")).order_by("-number").values("pk")[:1]
    Template.objects.filter(published_revision__isnull=True).update(
        published_revision=Subquery(newest)
    )


class Migration(migrations.Migration):
    dependencies = [("attachments", "0004_draft_and_publish")]

    operations = [migrations.RunPython(publish_latest, migrations.RunPython.noop)]

"""Draft and publish, on an existing install: each message template's and layout's newest
revision is what customers got until now, so it becomes the published one (nothing changes for
them). And the "Template publishers" group: who may make a draft live. Not the editors' group,
so a shop can have one person write and another publish."""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import OuterRef, Subquery

GROUP = "Template publishers"

PERMISSIONS = {
    "messaging": [
        "publish_messagetemplate",
        "view_messagetemplate",
        "view_messagetemplateattachment",
        "view_messagetemplaterevision",
        "publish_layout",
        "view_layout",
        "view_layoutrevision",
    ],
    "attachments": [
        "publish_attachmenttemplate",
        "view_attachmenttemplate",
        "view_attachmenttemplaterevision",
    ],
}


def publish_latest(apps, schema_editor):
    for model, revision_model, key in [
        ("MessageTemplate", "MessageTemplateRevision", "template"),
        ("Layout", "LayoutRevision", "layout"),
    ]:
        Model = apps.get_model("messaging", model)
        Revision = apps.get_model("messaging", revision_model)
        newest = Revision.objects.filter(**{key: OuterRef("pk")}).order_by("-number").values("pk")
        Model.objects.filter(published_revision__isnull=True).update(
            published_revision=Subquery(newest[:1])
        )


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate).
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, codenames in PERMISSIONS.items():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0008_draft_and_publish"),
        ("attachments", "0005_publish_latest_revisions"),
    ]

    operations = [
        migrations.RunPython(publish_latest, migrations.RunPython.noop),
        migrations.RunPython(create_group, remove_group),
    ]

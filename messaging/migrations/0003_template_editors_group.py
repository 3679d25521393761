"""The "Template editors" group: who may edit message, layout and attachment templates.

Other staff get Django's view permissions only (assigned per user or group by an admin).
Resending (`messaging.resend_message`) and revealing document passwords
(`shop.view_document_password`) are deliberately not part of this group.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Template editors"

PERMISSIONS = {
    "messaging": [
        "add_messagetemplate",
        "change_messagetemplate",
        "view_messagetemplate",
        # The template's ordered attachments are an inline of their own model.
        "add_messagetemplateattachment",
        "change_messagetemplateattachment",
        "delete_messagetemplateattachment",
        "view_messagetemplateattachment",
        "view_messagetemplaterevision",
        "add_layout",
        "change_layout",
        "view_layout",
        "view_layoutrevision",
    ],
    "attachments": [
        "add_attachmenttemplate",
        "change_attachmenttemplate",
        "view_attachmenttemplate",
        "view_attachmenttemplaterevision",
    ],
}


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate): make sure they
    # exist now, on a fresh database too.
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
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("attachments", "0001_initial"),
        ("messaging", "0002_layouts"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]

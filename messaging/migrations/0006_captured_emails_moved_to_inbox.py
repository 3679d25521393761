# The dev inbox's captured emails moved to the `inbox` app (inbox.0001_initial takes their
# tables over, data included): they leave messaging's migration state, the tables stay.
# No dependency on `inbox`, so a deployment without the dev inbox migrates too.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("messaging", "0005_delivery_faults"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="CapturedAttachment"),
                migrations.DeleteModel(name="CapturedEmail"),
            ],
            database_operations=[],
        ),
    ]

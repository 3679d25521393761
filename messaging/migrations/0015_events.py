# Events and their senders; a message's event becomes a row of its own. The old columns stay
# until the project's data migration (shop's, where there is a shop) has moved each message's
# order into an event: 0014 drops them.

import django.db.models.deletion
import messaging.encryption
import messaging.models.events
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('attachments', '0007_event_types'),
        ('messaging', '0014_event_types'),
        ('stafftemplates', '0001_event_types'),
    ]

    operations = [
        migrations.CreateModel(
            name='Client',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='Event',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('recipient', models.EmailField(max_length=254)),
                ('recipient_name', models.CharField(blank=True, max_length=200)),
                ('language', models.CharField(max_length=10)),
                ('data', messaging.encryption.EncryptedJSONField(default=dict)),
                ('reference', models.CharField(blank=True, db_index=True, max_length=200)),
                ('idempotency_key', models.CharField(max_length=200)),
                ('request_hash', models.CharField(max_length=64)),
                ('token', models.CharField(default=messaging.models.events.new_event_token, editable=False, max_length=64)),
                ('scheduled_at', models.DateTimeField(blank=True, null=True)),
                ('expires_at', models.DateTimeField(blank=True, null=True)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('processing', 'Processing'), ('sent', 'Sent'), ('delivered', 'Delivered'), ('bounced', 'Bounced'), ('failed', 'Failed'), ('ignored', 'Ignored'), ('expired', 'Expired')], db_index=True, default='pending', max_length=20)),
                ('status_reason', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('client', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='events', to='messaging.client')),
                ('type', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='stafftemplates.eventtype', to_field='code')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['type', 'created_at'], name='event_type_created_idx')],
                'constraints': [
                    models.UniqueConstraint(condition=models.Q(('client__isnull', False)), fields=('client', 'idempotency_key'), name='one_event_per_client_idempotency_key'),
                    models.UniqueConstraint(condition=models.Q(('client__isnull', True)), fields=('idempotency_key',), name='one_local_event_per_idempotency_key'),
                ],
            },
        ),
        migrations.RemoveConstraint(
            model_name='message',
            name='one_message_per_order_event_sequence',
        ),
        # The event type's code, kept until the data migration has read it.
        migrations.RenameField(
            model_name='message',
            old_name='event',
            new_name='event_type_code',
        ),
        migrations.AddField(
            model_name='message',
            name='event',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='messages', to='messaging.event'),
        ),
    ]

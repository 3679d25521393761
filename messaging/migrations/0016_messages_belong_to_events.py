# Every customer message now belongs to an event: the order and the event type's code go.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('messaging', '0015_events'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='message',
            name='order',
        ),
        migrations.RemoveField(
            model_name='message',
            name='event_type_code',
        ),
        migrations.AddConstraint(
            model_name='message',
            constraint=models.UniqueConstraint(condition=models.Q(('is_proof', False)), fields=('event', 'sequence'), name='one_message_per_event_sequence'),
        ),
        migrations.AddConstraint(
            model_name='message',
            constraint=models.CheckConstraint(condition=models.Q(('is_proof', True), ('event__isnull', False), _connector='OR'), name='customer_message_has_event'),
        ),
    ]

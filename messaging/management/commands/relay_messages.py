"""Re-enqueue stuck messages: the same sweep Celery beat runs, for cron users."""

from django.core.management.base import BaseCommand

from messaging.services import relay_due_messages


class Command(BaseCommand):
    help = (
        "Re-enqueue queued messages that are due but were never picked up (broker down, lost "
        "task) and messages whose worker died mid-attempt. Safe to run at any time."
    )

    def handle(self, *args, **options):
        report = relay_due_messages()
        self.stdout.write(
            f"{report.released} expired claims released, {report.published} messages re-enqueued."
        )

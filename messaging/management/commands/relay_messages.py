"""Re-enqueue stuck messages: the same sweep Celery beat runs, for cron users."""

from django.core.management.base import BaseCommand

from messaging.relay import relay_due_messages


class Command(BaseCommand):
    help = (
        "Re-enqueue queued messages that are due but were never picked up (broker down, lost "
        "task) and messages whose worker died mid-attempt. Safe to run at any time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be re-enqueued."
        )

    def handle(self, *args, **options):
        report = relay_due_messages(dry_run=options["dry_run"])
        prefix = "Would have: " if options["dry_run"] else ""
        self.stdout.write(
            f"{prefix}{report.released} expired claims released, "
            f"{report.published} messages re-enqueued."
        )

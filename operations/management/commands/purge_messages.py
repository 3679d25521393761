"""Retention: anonymise old messages and trim the dev inbox (beat runs it daily)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from operations.retention import purge_messages


class Command(BaseCommand):
    help = (
        "Anonymise finished messages older than MESSAGING_RETENTION_DAYS (recipient address, "
        "history details) and delete dev-inbox emails beyond the DEV_INBOX_KEEP newest. "
        "Statuses, dates and ids stay for the statistics, and events keep the part of their "
        "data their type marks for the books. What erasure and retention kept for the books "
        "is deleted once BOOKKEEPING_YEARS have passed since the end of its financial year "
        "(BOOKKEEPING_YEAR_END_MONTH). Safe to interrupt and run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            metavar="DAYS",
            default=None,
            help="Age in days (default: MESSAGING_RETENTION_DAYS, now "
            f"{settings.MESSAGING_RETENTION_DAYS}).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only count what would go.")

    def handle(self, *args, **options):
        days = options["older_than"]
        if days is not None and days < 0:
            raise CommandError("--older-than must be 0 or more days.")
        report = purge_messages(
            older_than_days=days, dry_run=options["dry_run"], progress=self.progress
        )
        prefix = "Would anonymise" if options["dry_run"] else "Anonymised"
        deleted = "would delete" if options["dry_run"] else "deleted"
        self.stdout.write(
            f"{prefix} {report.messages} messages; {deleted} {report.captured_emails} captured "
            f"emails; {deleted} {report.events} events and {report.receipts} receipts past "
            "their bookkeeping period."
        )

    def progress(self, label: str, done: int, total: int) -> None:
        """One line per chunk on stderr, so stdout stays the summary a script can read."""
        self.stderr.write(f"{label}: {done}/{total}")

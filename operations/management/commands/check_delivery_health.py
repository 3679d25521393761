"""The alert rules from cron or a shell: exit 1 while any rule fires, each on its own line."""

import sys

from django.core.management.base import BaseCommand

from operations.alerting import check_delivery_health
from operations.rules import TITLES


class Command(BaseCommand):
    help = (
        "Check the delivery alert rules, record firings and resolutions and send the alert "
        "emails due (the same as beat's check). Exit status 1 while a rule fires."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only evaluate and print: record nothing, email nobody.",
        )

    def handle(self, *args, **options):
        findings = check_delivery_health(record=not options["dry_run"])
        firing = [f for f in findings if f.firing]
        for finding in firing:
            self.stdout.write(f"FIRING {finding.rule}: {TITLES[finding.rule]} — {finding.summary}")
        if not firing:
            self.stdout.write(f"OK: {len(findings)} rules checked, none firing.")
        sys.stdout.flush()
        if firing:
            sys.exit(1)

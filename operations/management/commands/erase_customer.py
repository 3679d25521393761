"""Erasure on request: anonymise one person's data everywhere Sealpost keeps it."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from operations.retention import ErasureRefused, erase_customer


class Command(BaseCommand):
    help = (
        "Anonymise the customer with this email address: customer records, orders' typed "
        "options, messages and their history, captured dev-inbox mail, admin log lines, "
        "admin login attempts typed with the address, and browser sessions holding it (a "
        "checkout left half-way) or their orders. "
        "Queued messages to them are cancelled. Refused while one of their messages is being "
        "sent. Prints and logs counts only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, metavar="ADDRESS")

    def handle(self, *args, **options):
        address = options["email"].strip()
        try:
            validate_email(address)
        except ValidationError as exc:
            raise CommandError("--email must be an email address.") from exc
        try:
            report = erase_customer(email=address)
        except ErasureRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Erased: {report.customers} customer records, {report.orders} orders, "
            f"{report.messages} messages ({report.cancelled} queued ones cancelled), "
            f"{report.captured_emails} captured emails, {report.log_entries} admin log lines, "
            f"{report.sessions} browser sessions, {report.login_attempts} admin login attempts."
        )

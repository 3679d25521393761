"""Resend order confirmations from the command line, e.g. last week's failed ones."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max
from django.utils import timezone

from messaging.models import Event, Message
from messaging.models.events import ERASED_ADDRESS
from messaging.outbox import resend_messages

CHUNK = 500
ERASED = "the customer's data was erased on request"


class ProgressBar:
    """A one-line progress bar on stderr, redrawn at most every `every` items."""

    def __init__(self, total: int, stream, width: int = 30, every: int = 1):
        self.total, self.stream, self.width, self.every = total, stream, width, every

    def show(self, done: int, summary: str) -> None:
        if done % self.every and done != self.total:
            return
        filled = self.width * done // self.total if self.total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{self.total}  {summary}")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")


def parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} {value!r} is not a date: use YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Resend order confirmation emails. Each resend is a new message (resend_of set), "
        "delivered by the workers, with the same document password. Select with --order, "
        "--since/--until (order dates, inclusive) and --status; --dry-run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--order",
            action="append",
            default=[],
            metavar="NUMBER",
            help="An order number, the reference of its event (repeatable).",
        )
        parser.add_argument("--since", metavar="YYYY-MM-DD", help="Orders placed on or after.")
        parser.add_argument("--until", metavar="YYYY-MM-DD", help="Orders placed on or before.")
        parser.add_argument(
            "--status",
            choices=[choice.value for choice in Message.Status],
            help="Only confirmations whose latest message has this status, e.g. failed.",
        )
        parser.add_argument(
            "--type",
            default="order_confirmation",
            help="The event type to resend (default: order_confirmation).",
        )
        parser.add_argument("--reason", default="", help="Recorded in each message's history.")
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be resent; change nothing."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Also resend orders whose latest message is a resend queued within the "
            "cooldown (MESSAGING_RESEND_COOLDOWN_SECONDS) that has not failed.",
        )

    def handle(self, *args, **options):
        if not (options["order"] or options["since"] or options["until"] or options["status"]):
            raise CommandError("Select something: --order, --since, --until or --status.")
        for name in ("order", "since", "until", "reason"):
            # PostgreSQL refuses NUL in text: a DataError (and a traceback) otherwise.
            values = options[name] if isinstance(options[name], list) else [options[name] or ""]
            if any("\x00" in value for value in values):
                raise CommandError(f"--{name} must not contain a NUL byte.")
        selection = self.select(options)
        total = selection.count()
        if not total:
            self.stdout.write("Nothing to resend.")
            return
        if options["dry_run"]:
            self.list_selection(selection, total)
            return

        requested_by = f"resend_confirmations ({options['reason'] or 'no reason given'})"
        progress = ProgressBar(total, self.stderr)  # redrawn once per chunk
        resent = skipped = erased = done = 0
        # One transaction per chunk: the resends of a chunk are queued (and published) together,
        # a few statements each (`resend_messages`); never one transaction for the whole run.
        for chunk in self.iterate_chunks(selection):
            run = resend_messages(
                message_ids=chunk,
                reason=options["reason"],
                by=requested_by,
                force=options["force"],
            )
            done += len(chunk)
            resent += len(run.resends)
            erased += len(run.erased)
            # The others: somebody else resent them meanwhile (another run, staff in admin),
            # or their latest message is a resend that is minutes old.
            skipped += len(chunk) - len(run.resends) - len(run.erased)
            progress.show(done, f"resent {resent}, skipped {skipped}, erased {erased}")
        progress.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"Queued {resent} resend(s). Workers deliver them; follow them in admin (Messages)."
            )
        )
        if erased:
            self.stdout.write(self.style.WARNING(f"Not resent {erased}: {ERASED}."))
        if skipped:
            minutes = round(settings.MESSAGING_RESEND_COOLDOWN_SECONDS / 60)
            self.stdout.write(
                self.style.WARNING(
                    f"Skipped {skipped}: resent by someone else during this run, or already "
                    f"resent less than {minutes} minutes ago (add --force to resend those)."
                )
            )

    def select(self, options):
        """The latest customer message of each selected order's confirmation event (the
        project's own events of that type, found by the order number, their reference)."""
        messages = Message.objects.latest_per_event().filter(
            event__type=options["type"], event__client=None, is_proof=False
        )
        if numbers := options["order"]:
            events = Event.objects.filter(client=None, reference__in=numbers)
            known = set(events.values_list("reference", flat=True))
            if unknown := sorted(set(numbers) - known):
                raise CommandError(f"Unknown order number(s): {', '.join(unknown)}.")
            messages = messages.filter(event__reference__in=numbers)
            without = known - set(messages.values_list("event__reference", flat=True))
            if without:
                raise CommandError(
                    f"No confirmation was ever queued for: {', '.join(sorted(without))}."
                )
        since = until = None
        if options["since"]:
            since = parse_day(options["since"], "--since")
            messages = messages.filter(event__created_at__gte=self.start_of(since))
        if options["until"]:
            until = parse_day(options["until"], "--until")
            messages = messages.filter(event__created_at__lt=self.start_of(until + timedelta(1)))
        if since and until and since > until:
            raise CommandError("--since is after --until.")
        if options["status"]:
            messages = messages.filter(status=options["status"])
        return messages

    @staticmethod
    def start_of(day: date) -> datetime:
        return timezone.make_aware(datetime.combine(day, time.min))

    @staticmethod
    def iterate_chunks(selection):
        """Primary keys, CHUNK at a time (keyset pagination): constant memory however many
        orders match.

        Only rows that existed when the run started: the resends it creates match the selection
        too (they are now the latest), and must not be resent again.
        """
        last, ceiling = 0, selection.aggregate(ceiling=Max("pk"))["ceiling"] or 0
        while True:
            chunk = list(
                selection.filter(pk__gt=last, pk__lte=ceiling)
                .order_by("pk")
                .values_list("pk", flat=True)[:CHUNK]
            )
            if not chunk:
                return
            yield chunk
            last = chunk[-1]

    def list_selection(self, selection, total: int) -> None:
        rows = selection.order_by("pk").values_list(
            "pk", "event__reference", "status", "attempts", "event__recipient"
        )
        erased = 0
        for pk, number, status, attempts, recipient in rows.iterator(chunk_size=CHUNK):
            if recipient == ERASED_ADDRESS:
                erased += 1
                self.stdout.write(f"not resent  order {number}  message #{pk}  erased")
                continue
            self.stdout.write(f"would resend  order {number}  message #{pk}  {status} ({attempts})")
        summary = f"Dry run: {total - erased} message(s) would be resent"
        summary += f"; {erased} not: {ERASED}." if erased else "."
        self.stdout.write(self.style.WARNING(summary))

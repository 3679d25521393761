"""Re-encrypt every event's data with the first key of EVENT_DATA_KEYS."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from messaging.encryption import EncryptedToken, configured_keys, rotate_token
from messaging.models import Event

CHUNK = 500


class Command(BaseCommand):
    help = (
        "Re-encrypt every event's data with the first key in EVENT_DATA_KEYS. Rotation: put a "
        "new key first in EVENT_DATA_KEYS (keep the old ones after it), run this, then remove "
        "the old keys. --dry-run counts the events and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count; change nothing.")

    def handle(self, *args, **options):
        if not configured_keys():
            raise CommandError(
                "EVENT_DATA_KEYS is not set: the data is encrypted with a key derived from "
                "SECRET_KEY. Set EVENT_DATA_KEYS to a new key first (see --help)."
            )
        total = Event.objects.count()
        if options["dry_run"]:
            self.stdout.write(f"Dry run: {total} event(s) would be re-encrypted.")
            return
        done, last = 0, 0
        # The stored tokens, read and written raw (`values_list` of the column through
        # `.only` would decrypt): one short transaction per chunk, rows locked meanwhile.
        while True:
            with transaction.atomic():
                rows = list(
                    Event.objects.select_for_update()
                    .filter(pk__gt=last)
                    .order_by("pk")
                    .values_list("pk", flat=True)[:CHUNK]
                )
                if not rows:
                    break
                for pk, token in _raw_tokens(rows):
                    Event.objects.filter(pk=pk).update(data=EncryptedToken(rotate_token(token)))
                done += len(rows)
                last = rows[-1]
            self.stderr.write(f"\r{done}/{total}", ending="")
        self.stderr.write("")
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {done} event(s) with the first key."))


def _raw_tokens(pks: list[int]):
    from django.db import connection

    table = Event._meta.db_table
    column = Event._meta.get_field("data").column
    placeholders = ", ".join(["%s"] * len(pks))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, {column} FROM {table} WHERE id IN ({placeholders})",  # noqa: S608 - names from the model, values bound
            pks,
        )
        return cursor.fetchall()

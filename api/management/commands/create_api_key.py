"""Make an API key for a client: the key is printed once, alone on the last line."""

from django.core.management.base import BaseCommand, CommandError

from api.keys import UnknownEventTypes, create_api_key


class Command(BaseCommand):
    help = (
        "Create an API key for the client NAME (created if new), allowed the given event "
        "types. The key is printed once, alone on the last line; only its hash is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="The client's name, e.g. its shop.")
        parser.add_argument(
            "--event-types", required=True, help="Comma-separated codes: order_confirmation,…"
        )

    def handle(self, *args, name: str, event_types: str, **options):
        name = name.strip()
        codes = [code.strip() for code in event_types.split(",") if code.strip()]
        if not name or len(name) > 200:
            raise CommandError("--name: give the client's name (at most 200 characters).")
        if not codes:
            raise CommandError("--event-types: give at least one event type code.")
        try:
            api_key, key = create_api_key(client_name=name, event_types=codes)
        except UnknownEventTypes as exc:
            raise CommandError(f"--event-types: no event type {exc}.") from None
        self.stdout.write(
            f"API key {api_key.prefix} for {api_key.client} ({', '.join(sorted(codes))}). "
            "Keep it now: it is not shown again."
        )
        self.stdout.write(key)

"""Load the demo data (idempotent); optionally create the demo admin user.

It lives in the project's `demo` app, because the demo spans the reusable apps: the shop's
catalog, the attachment templates and the message templates.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from demo.catalog import seed_catalog
from demo.emails import seed_message_templates
from demo.events import SeedRefused
from demo.notices import seed_notices

DEMO_ADMIN = ("admin", "sealpost-demo")


class Command(BaseCommand):
    help = (
        "Create or update the demo catalog, its event types (order confirmation, shipped, "
        "refunded) and their emails and documents. Safe to run any number of times."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--admin",
            action="store_true",
            help=f"Also create the demo superuser {DEMO_ADMIN[0]!r} (only with DEBUG on).",
        )

    def handle(self, *args, **options):
        products = seed_catalog()
        try:
            template = seed_message_templates()  # with its attachment template
            notices = seed_notices()
        except SeedRefused as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(self.style.SUCCESS(f"Demo catalog ready: {products} products."))
        for email in (template, *notices):
            self.stdout.write(self.style.SUCCESS(f"Demo email ready: {email.name!r}."))
        if options["admin"]:
            self.create_admin()

    def create_admin(self):
        if not settings.DEBUG:
            raise CommandError("The demo admin has a published password: only with DEBUG on.")
        username, password = DEMO_ADMIN
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": "admin@example.com"}
        )
        if created:
            user.set_password(password)
        user.is_staff = user.is_superuser = True
        user.save()
        self.stdout.write(
            self.style.SUCCESS(f"Demo admin at /admin/: login {username!r}, password {password!r}")
        )

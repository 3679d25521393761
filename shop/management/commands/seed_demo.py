"""Load the demo catalog (idempotent); optionally create the demo admin user."""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shop.models import OptionChoice, Product, ProductOption

DEMO_ADMIN = ("admin", "sealpost-demo")

# name, slug, price, description, [(option, kind, required, max_length, [(label, delta)])]
CATALOG = [
    (
        "Ullfilt Åre",
        "ullfilt-are",
        "895.00",
        "A heavy wool blanket woven in Jämtland. Warm, soft, and made to last for decades.",
        [
            (
                "Colour",
                "choice",
                True,
                0,
                [("Skogsgrön", "0"), ("Havsblå", "0"), ("Rödbrun", "50")],
            ),
            ("Size", "choice", True, 0, [("130 × 170 cm", "0"), ("150 × 200 cm", "200")]),
        ],
    ),
    (
        "Engraved Cutting Board",
        "engraved-cutting-board",
        "449.00",
        "Solid Swedish birch, oiled by hand. We engrave your text on the front.",
        [
            ("Wood", "choice", True, 0, [("Björk", "0"), ("Ek", "120")]),
            ("Engraving", "text", False, 30, []),
        ],
    ),
    (
        "Mugg Fjällräv",
        "mugg-fjallrav",
        "189.00",
        "A stoneware mug with a hand-painted mountain fox. Dishwasher safe.",
        [("Glaze", "choice", True, 0, [("Vit", "0"), ("Mörkblå", "20"), ("Ockra", "20")])],
    ),
    (
        "Leather Notebook",
        "leather-notebook",
        "329.00",
        "A5 notebook with a vegetable-tanned leather cover and 192 dotted pages.",
        [
            ("Leather", "choice", True, 0, [("Natur", "0"), ("Svart", "0"), ("Konjak", "40")]),
            ("Initials", "text", False, 4, []),
        ],
    ),
    (
        "Stickad Mössa",
        "stickad-mossa",
        "249.00",
        "A knitted merino beanie from Gotland wool. One size fits most.",
        [
            ("Colour", "choice", True, 0, [("Grå", "0"), ("Gul", "0"), ("Röd", "0")]),
            ("Size", "choice", True, 0, [("S/M", "0"), ("L/XL", "0")]),
        ],
    ),
]


class Command(BaseCommand):
    help = "Create or update the demo catalog. Safe to run any number of times."

    def add_arguments(self, parser):
        parser.add_argument(
            "--admin",
            action="store_true",
            help=f"Also create the demo superuser {DEMO_ADMIN[0]!r} (only with DEBUG on).",
        )

    def handle(self, *args, **options):
        with transaction.atomic():
            for name, slug, price, description, product_options in CATALOG:
                product, _ = Product.objects.update_or_create(
                    slug=slug,
                    defaults={"name": name, "price": Decimal(price), "description": description},
                )
                for position, (label, kind, required, max_length, choices) in enumerate(
                    product_options
                ):
                    option, _ = ProductOption.objects.update_or_create(
                        product=product,
                        name=label,
                        defaults={
                            "kind": kind,
                            "required": required,
                            "max_length": max_length or 30,
                            "position": position,
                        },
                    )
                    for choice_position, (choice, delta) in enumerate(choices):
                        OptionChoice.objects.update_or_create(
                            option=option,
                            label=choice,
                            defaults={"price_delta": Decimal(delta), "position": choice_position},
                        )
        self.stdout.write(self.style.SUCCESS(f"Demo catalog ready: {len(CATALOG)} products."))
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

"""The demo catalog: a handful of products with varied options, in Swedish and English."""

from decimal import Decimal

from django.db import transaction

from shop.models import (
    OptionChoice,
    OptionChoiceTranslation,
    Product,
    ProductOption,
    ProductOptionTranslation,
    ProductTranslation,
)

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


# Each product's name and description per language (names of Swedish origin stay as they are).
PRODUCT_TEXTS = {
    "ullfilt-are": {
        "sv": (
            "Ullfilt Åre",
            "En tung ullfilt vävd i Jämtland. Varm, mjuk och gjord för att hålla i årtionden.",
        ),
    },
    "engraved-cutting-board": {
        "sv": (
            "Skärbräda med gravyr",
            "Massiv svensk björk, oljad för hand. Vi graverar din text på framsidan.",
        ),
    },
    "mugg-fjallrav": {
        "sv": ("Mugg Fjällräv", "En mugg i stengods med en handmålad fjällräv. Tål diskmaskin."),
    },
    "leather-notebook": {
        "sv": (
            "Anteckningsbok i läder",
            "Anteckningsbok i A5 med omslag av vegetabiliskt garvat läder och 192 prickade sidor.",
        ),
    },
    "stickad-mossa": {
        "sv": (
            "Stickad Mössa",
            "En stickad mössa i merino av gotländsk ull. En storlek som passar de flesta.",
        ),
    },
}
# Option names (English in CATALOG) and choice labels (Swedish in CATALOG) in the other language.
OPTION_NAMES_SV = {
    "Colour": "Färg",
    "Size": "Storlek",
    "Wood": "Träslag",
    "Engraving": "Gravyr",
    "Glaze": "Glasyr",
    "Leather": "Läder",
    "Initials": "Initialer",
}
CHOICE_LABELS_EN = {
    "Skogsgrön": "Forest green",
    "Havsblå": "Sea blue",
    "Rödbrun": "Russet",
    "Björk": "Birch",
    "Ek": "Oak",
    "Vit": "White",
    "Mörkblå": "Dark blue",
    "Ockra": "Ochre",
    "Natur": "Natural",
    "Svart": "Black",
    "Konjak": "Cognac",
    "Grå": "Grey",
    "Gul": "Yellow",
    "Röd": "Red",
}


def seed_catalog() -> int:
    """Create or update the demo products; safe to run any number of times."""
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
                _translate(
                    ProductOptionTranslation,
                    {"option": option},
                    {"sv": {"name": OPTION_NAMES_SV.get(label, label)}, "en": {"name": label}},
                )
                for choice_position, (choice, delta) in enumerate(choices):
                    row, _ = OptionChoice.objects.update_or_create(
                        option=option,
                        label=choice,
                        defaults={"price_delta": Decimal(delta), "position": choice_position},
                    )
                    english = CHOICE_LABELS_EN.get(choice, choice)
                    _translate(
                        OptionChoiceTranslation,
                        {"choice": row},
                        {"sv": {"label": choice}, "en": {"label": english}},
                    )
            swedish_name, swedish_description = PRODUCT_TEXTS[slug]["sv"]
            _translate(
                ProductTranslation,
                {"product": product},
                {
                    "sv": {"name": swedish_name, "description": swedish_description},
                    "en": {"name": name, "description": description},
                },
            )
    return len(CATALOG)


def _translate(model, parent: dict, texts: dict[str, dict[str, str]]) -> None:
    """One translation row per language, created or brought up to date."""
    for language, fields in texts.items():
        model.objects.update_or_create(**parent, language=language, defaults=fields)

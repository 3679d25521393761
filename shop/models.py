"""Catalog (products and their options), customers, and orders with snapshotted lines."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import pgettext_lazy

from .countries import Country

# Crockford-style alphabet without 0/O, 1/I/L, U: order numbers get read over the phone.
ORDER_NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
MAX_QUANTITY = 99
# What `new_order_number` makes, e.g. NG-7K3M-Q9XD. URLs and lookups accept nothing else, so
# a NUL byte or a 5,000-character "number" never reaches the database.
ORDER_NUMBER_PATTERN = rf"NG-[{ORDER_NUMBER_ALPHABET}]{{4}}-[{ORDER_NUMBER_ALPHABET}]{{4}}"
validate_order_number = RegexValidator(
    rf"\A{ORDER_NUMBER_PATTERN}\Z",
    message="Enter an order number such as NG-7K3M-Q9XD.",
    code="invalid_order_number",
)


def new_order_number() -> str:
    """A short, human-friendly number such as ``NG-7K3M-Q9XD``; unique by constraint."""
    chars = "".join(secrets.choice(ORDER_NUMBER_ALPHABET) for _ in range(8))
    return f"NG-{chars[:4]}-{chars[4:]}"


def new_order_token() -> str:
    """256 random bits: the order's secret (document password seed, confirmation link)."""
    return secrets.token_urlsafe(32)


def language_choices() -> list[tuple[str, str]]:
    """The shop's `LANGUAGES`, read when asked: a new language changes no migration."""
    return list(settings.LANGUAGES)


def default_language() -> str:
    """The shop's default language (`LANGUAGE_CODE`), which missing translations fall back to."""
    return settings.LANGUAGE_CODE


def active_language() -> str:
    """The language of the current request (or `translation.override`), if the shop has it;
    else the default language."""
    code = translation.get_language() or ""
    codes = dict(settings.LANGUAGES)
    if code in codes:
        return code
    return code.split("-")[0] if code.split("-")[0] in codes else default_language()


class Translated(models.Model):
    """A catalog row whose text has per-language rows in `translations` (each with `language`
    and the same text fields); the row's own fields are the default language's text.

    Rows per language rather than a column per language: adding a language changes no schema.
    """

    class Meta:
        abstract = True

    def translated(self, field: str, language: str | None = None) -> str:
        """`field` in `language` (the active one by default), else in the default language,
        else the row's own text: never an empty string where the row has text."""
        rows = {row.language: row for row in self.translations.all()}  # prefetch-friendly
        for code in (language or active_language(), default_language()):
            if (row := rows.get(code)) is not None and (value := getattr(row, field)):
                return value
        return getattr(self, field)


class TranslationRow(models.Model):
    """One language's text of a catalog row."""

    language = models.CharField(max_length=10, choices=language_choices)

    class Meta:
        abstract = True


# What erasure on request (operations/retention.py) writes in place of personal data. The address
# validates as an EmailField (a reserved .invalid domain, RFC 2606) and reveals nothing; nothing
# is ever sent to it.
ERASED_ADDRESS = "erased@erased.invalid"
ERASED_TEXT = "[erased]"


class Customer(models.Model):
    # Every field holding personal data, with what erasure writes in its place. Erasure writes
    # exactly this, and tests/operations/test_retention.py fails for a field of Customer, Order
    # or OrderLine that is neither erased (here, or in OrderLine's) nor declared kept there.
    # A customer row holds nothing the books need (a receipt to a consumer names no buyer).
    ACCOUNTING_FIELDS: tuple[str, ...] = ()
    ERASED_VALUES = {
        "email": ERASED_ADDRESS,
        "first_name": ERASED_TEXT,
        "last_name": "",
        "phone": "",
        "address_line1": ERASED_TEXT,
        "address_line2": "",
        "postal_code": "",
        "city": "",
        "country": "",
    }

    email = models.EmailField(db_index=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    phone = models.CharField(max_length=40, blank=True)
    address_line1 = models.CharField("address", max_length=200)
    address_line2 = models.CharField("address (line 2)", max_length=200, blank=True)
    postal_code = models.CharField(max_length=20)
    city = models.CharField(max_length=100)
    # An ISO 3166-1 code from shop/countries.py; orders typed in free text before the list were
    # converted where the name was known (migration 0003) and keep their text otherwise.
    country = models.CharField(max_length=100, choices=Country.choices, default=Country.SWEDEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_erased(self) -> bool:
        """Whether this person's data was erased on request: nothing may be sent to them."""
        return self.email == ERASED_ADDRESS


class ProductQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Product(Translated):
    name = models.CharField(max_length=200, help_text="In the default language.")
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    active = models.BooleanField(default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("shop:product", args=[self.slug])

    @property
    def display_name(self) -> str:
        return self.translated("name")

    @property
    def display_description(self) -> str:
        return self.translated("description")


class ProductTranslation(TranslationRow):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="translations")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "language"], name="one_product_translation_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class ProductOption(Translated):
    class Kind(models.TextChoices):
        CHOICE = "choice", "Choice (pick one)"
        TEXT = "text", "Free text"

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="options")
    name = models.CharField(max_length=100, help_text="Shown to the customer, e.g. Colour.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CHOICE)
    required = models.BooleanField(default=True)
    max_length = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text="Free-text options only: the longest text accepted.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="unique_option_per_product")
        ]

    def __str__(self) -> str:
        return f"{self.product.name}: {self.name}"

    @property
    def display_name(self) -> str:
        return self.translated("name")


class ProductOptionTranslation(TranslationRow):
    option = models.ForeignKey(ProductOption, on_delete=models.CASCADE, related_name="translations")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["option", "language"], name="one_option_translation_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class OptionChoice(Translated):
    option = models.ForeignKey(ProductOption, on_delete=models.CASCADE, related_name="choices")
    label = models.CharField(max_length=100)
    price_delta = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("0.00"), help_text="Added to the price."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["option", "label"], name="unique_choice_per_option")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def display_label(self) -> str:
        return self.translated("label")


class OptionChoiceTranslation(TranslationRow):
    choice = models.ForeignKey(OptionChoice, on_delete=models.CASCADE, related_name="translations")
    label = models.CharField(max_length=100)

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["choice", "language"], name="one_choice_translation_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.language})"


class Order(models.Model):
    # What the books keep after the customer is erased (bokföringslagen, mervärdesskattelagen:
    # docs/operators/bookkeeping.md): the receipt's number, date, amounts, how it was paid.
    # Every other field is the row's own (its id, secrets, customer link, language) or
    # personal (`ERASED_VALUES`, written by erasure); tests/operations/test_retention.py fails
    # for a field that is none of these.
    ACCOUNTING_FIELDS = (
        *("number", "status", "currency", "subtotal", "total"),
        *("payment_reference", "card_last4", "created_at", "paid_at"),
    )
    ERASED_VALUES: dict = {}

    class Status(models.TextChoices):
        PAID = "paid", pgettext_lazy("order status", "Paid")
        CANCELLED = "cancelled", pgettext_lazy("order status", "Cancelled")

    number = models.CharField(max_length=20, unique=True, default=new_order_number, editable=False)
    token = models.CharField(max_length=64, unique=True, default=new_order_token, editable=False)
    # The checkout's idempotency key: a replayed or double-clicked payment finds this order.
    checkout_key = models.CharField(max_length=64, unique=True, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=20, choices=Status.choices, db_index=True)
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    # The language the customer shopped in: their confirmation (email, PDF) and every resend are
    # rendered in it.
    language = models.CharField(
        max_length=10, choices=language_choices, default=default_language, editable=False
    )
    payment_reference = models.CharField(max_length=64, blank=True)
    # The card's last four digits, for the receipt ("Card •••• 4242"); never the full number.
    # NULL: not recorded (orders placed before the column existed).
    card_last4 = models.CharField(  # noqa: DJ001 - NULL means "not recorded", not "no card"
        "card's last four digits", max_length=4, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("view_document_password", "Can reveal an order's document password")]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    # What was sold, how many and for how much (the VAT follows from the amounts): the books.
    ACCOUNTING_FIELDS = ("product_name", "unit_price", "quantity", "line_total")
    # What the customer typed (an engraving, a name) is theirs: see Customer.ERASED_VALUES.
    ERASED_VALUES = {"options": []}

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True, blank=True)
    product_name = models.CharField(max_length=200)
    # Snapshot of what the customer chose: [{"name": "Colour", "value": "Blå"}, ...]
    options = models.JSONField(default=list, blank=True)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)]
    )
    line_total = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_name}"

    @property
    def options_display(self) -> str:
        return ", ".join(f"{o['name']}: {o['value']}" for o in self.options)

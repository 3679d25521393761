"""Plain HTML forms for the storefront. Prices are never part of a form."""

from django import forms
from django.conf import settings
from django.core import validators
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .glyphs import validate_drawable
from .models import Customer, Product, ProductOption
from .money import format_money
from .payments import normalise_card_number
from .services import CUSTOMER_FIELDS, max_line_quantity, validate_options


class PricedSelect(forms.Select):
    """A select whose options carry their price delta (`data-delta`), for static/js/shop.js.

    The page's price is rendered by the server; the script only recomputes it in the browser.
    """

    def __init__(self, deltas: dict[str, str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.deltas = deltas

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"]["data-delta"] = self.deltas.get(str(value), "0.00")
        return option


def price_label(label: str, delta) -> str:
    """A choice as the customer reads it, in the active language: "Ek (+120,00 kr)",
    "Oak (+SEK 120.00)"; no suffix when it costs nothing."""
    return f"{label} (+{format_money(delta, settings.SHOP_CURRENCY)})" if delta else label


class AddToCartForm(forms.Form):
    """One field per product option, plus the quantity."""

    def __init__(self, product: Product, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.product = product
        # Built here, not on the class: the limit is a setting.
        self.fields["quantity"] = forms.IntegerField(
            label=_("Quantity"),
            min_value=1,
            max_value=max_line_quantity(),
            initial=1,
            widget=forms.NumberInput(attrs={"data-price-quantity": "", "class": "quantity"}),
        )
        self.option_fields: list[str] = []
        # Option names and choice labels in the active language (catalog translations).
        options = product.options.prefetch_related("translations", "choices__translations")
        for option in options:
            name = f"option_{option.pk}"
            if option.kind == ProductOption.Kind.CHOICE:
                choices = [
                    (str(c.pk), price_label(c.display_label, c.price_delta))
                    for c in option.choices.all()
                ]
                if not option.required:
                    choices.insert(0, ("", "—"))
                deltas = {str(c.pk): str(c.price_delta) for c in option.choices.all()}
                field = forms.ChoiceField(
                    label=option.display_name,
                    choices=choices,
                    required=option.required,
                    widget=PricedSelect(deltas, attrs={"data-price-option": ""}),
                )
            else:
                field = forms.CharField(
                    label=option.display_name,
                    max_length=option.max_length,
                    required=option.required,
                    help_text=_("Up to %(limit)d characters.") % {"limit": option.max_length},
                    validators=[validate_drawable],
                    widget=forms.TextInput(attrs={"data-counter": ""}),
                )
            self.fields[name] = field
            self.option_fields.append(name)
        self.order_fields([*self.option_fields, "quantity"])

    def selected_options(self) -> dict[str, str]:
        return {
            name.removeprefix("option_"): self.cleaned_data.get(name) or ""
            for name in self.option_fields
            if self.cleaned_data.get(name)
        }

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            # The same rule the order service applies, so the cart never holds a bad line.
            validate_options(self.product, self.selected_options())
        return cleaned


class CartQuantityForm(forms.Form):
    key = forms.CharField(max_length=32)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity"] = forms.IntegerField(min_value=0, max_value=max_line_quantity())


class CheckoutForm(forms.ModelForm):
    """Contact and address, validated against the `Customer` columns they are saved to.

    Built from the model so a limit can never differ from its column: an email longer than
    254 characters is a form error here, not a database error after the payment. Text the
    receipt's font cannot draw is refused as it is in the cart (`shop.glyphs`).
    """

    # Names first, as people say them; the two pairs share a line (templates/shop/_form.html).
    field_order = [
        "first_name",
        "last_name",
        "email",
        "phone",
        "address_line1",
        "address_line2",
        "postal_code",
        "city",
        "country",
    ]
    half_width = ("first_name", "last_name", "postal_code", "city")

    class Meta:
        model = Customer
        fields = CUSTOMER_FIELDS
        # Autofill tokens (HTML's autocomplete attribute): a phone fills the form in one tap.
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "phone": forms.TelInput(attrs={"autocomplete": "tel"}),
            "address_line1": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "address_line2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "country": forms.Select(attrs={"autocomplete": "country"}),
        }
        help_texts = {"email": gettext_lazy("Your order confirmation and its PDF are sent here.")}
        labels = {
            "email": gettext_lazy("Email"),
            "first_name": gettext_lazy("First name"),
            "last_name": gettext_lazy("Last name"),
            "phone": gettext_lazy("Phone"),
            "address_line1": gettext_lazy("Address"),
            "address_line2": gettext_lazy("Address (line 2)"),
            "postal_code": gettext_lazy("Postal code"),
            "city": gettext_lazy("City"),
            "country": gettext_lazy("Country"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Name, address and contact are printed on the receipt PDF: refuse what its font cannot
        # draw, with the cart's message, rather than print an empty box.
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(validate_drawable)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        # A NUL a broken client sent arrives as U+FFFD (config/nul_bytes.py), which Django's
        # validator takes for a letter of an international domain name: the order would be
        # paid and its confirmation refused by the ESP.
        if "\ufffd" in email:
            raise ValidationError(validators.EmailValidator.message, code="invalid")
        return email


class BlankedInput(forms.TextInput):
    """A text field that is always rendered empty: a card number or CVC is typed, never
    written back into a page (a declined card's number would sit in the HTML, the browser's
    history and any screenshot)."""

    def format_value(self, value):
        return None


class PaymentForm(forms.Form):
    checkout_key = forms.RegexField(
        regex=r"^[A-Za-z0-9_-]{16,64}$", widget=forms.HiddenInput, error_messages={"invalid": ""}
    )
    card_number = forms.CharField(
        label=gettext_lazy("Card number"),
        max_length=23,
        widget=BlankedInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}),
        help_text=gettext_lazy("Demo shop: use 4242 4242 4242 4242."),
    )
    expiry = forms.RegexField(
        label=gettext_lazy("Expiry (MM/YY)"),
        regex=r"^(0[1-9]|1[0-2])\s*/\s*\d{2}$",
        max_length=7,
        widget=forms.TextInput(attrs={"autocomplete": "cc-exp", "placeholder": "12/30"}),
        error_messages={"invalid": gettext_lazy("Enter the expiry as MM/YY.")},
    )
    cvc = forms.RegexField(
        label=gettext_lazy("CVC"),
        regex=r"^\d{3,4}$",
        max_length=4,
        widget=BlankedInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}),
        error_messages={
            "invalid": gettext_lazy("Enter the 3 or 4 digits on the back of the card.")
        },
    )

    def clean_card_number(self) -> str:
        number = normalise_card_number(self.cleaned_data["card_number"])
        if not number.isdigit() or not 12 <= len(number) <= 19:
            raise ValidationError(_("Enter a card number of 12 to 19 digits."))
        return number

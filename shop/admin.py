from django.contrib import admin
from django.db.models.constants import LOOKUP_SEP
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from .models import (
    Customer,
    OptionChoice,
    OptionChoiceTranslation,
    Order,
    OrderLine,
    Product,
    ProductOption,
    ProductOptionTranslation,
    ProductTranslation,
    Shipment,
)
from .money import format_money


class TranslationInline(admin.TabularInline):
    """A catalog row's text in each of the shop's languages (settings.LANGUAGES); a language
    without a row, or with an empty field, shows the default language's text."""

    extra = 0
    verbose_name = "translation"
    verbose_name_plural = "translations (a missing one shows the default language's text)"


class ProductTranslationInline(TranslationInline):
    model = ProductTranslation
    fields = ["language", "name", "description"]


class ProductOptionTranslationInline(TranslationInline):
    model = ProductOptionTranslation
    fields = ["language", "name"]


class OptionChoiceTranslationInline(TranslationInline):
    model = OptionChoiceTranslation
    fields = ["language", "label"]


class ProductOptionInline(admin.TabularInline):
    model = ProductOption
    extra = 0
    show_change_link = True  # choices are edited on the option's own page
    fields = ["name", "kind", "required", "max_length", "position"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "price", "active", "created_at"]
    list_filter = ["active"]
    list_editable = ["active"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ProductTranslationInline, ProductOptionInline]


class OptionChoiceInline(admin.TabularInline):
    model = OptionChoice
    extra = 1
    show_change_link = True  # each choice's translations are on its own page


@admin.register(ProductOption)
class ProductOptionAdmin(admin.ModelAdmin):
    list_display = ["name", "product", "kind", "required"]
    list_filter = ["kind", "product"]
    search_fields = ["name", "product__name"]
    inlines = [ProductOptionTranslationInline, OptionChoiceInline]


@admin.register(OptionChoice)
class OptionChoiceAdmin(admin.ModelAdmin):
    list_display = ["label", "option", "price_delta"]
    list_select_related = ["option__product"]
    search_fields = ["label", "option__name", "option__product__name"]
    inlines = [OptionChoiceTranslationInline]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = ["product_name", "options_display", "unit_price_display", "quantity", "amount"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="unit price")
    def unit_price_display(self, line: OrderLine) -> str:
        return format_money(line.unit_price, line.order.currency)

    @admin.display(description="line total")
    def amount(self, line: OrderLine) -> str:
        return format_money(line.line_total, line.order.currency)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "customer", "status", "language", "total_display", "created_at"]
    # No date hierarchy (its year links are a DISTINCT over every order's date, ~0.35 s at 10⁶
    # orders) and no currency filter (a DISTINCT over every order's currency, ~0.15 s, to
    # offer the one SHOP_CURRENCY): the created_at filter answers from the index.
    list_filter = ["status", "language", "created_at"]
    search_fields = [
        "number",
        "receipt_number",
        "customer__email",
        "customer__last_name",
        "customer__first_name",
    ]
    show_full_result_count = False
    list_select_related = ["customer"]
    readonly_fields = [
        "number",
        "receipt_number",
        "customer",
        "delivery_address",
        "status",
        "language",
        "subtotal_display",
        "total_display",
        "payment_reference",
        "created_at",
        "paid_at",
        "shipped",
        "refunded",
    ]
    fields = readonly_fields
    inlines = [OrderLineInline]
    # The order's secrets: its document passwords derive from the token, and the checkout key
    # names its payment. Not on the page, and no lookup in the URL either: Django allows one on
    # any field of the model, and `?token__startswith=a` would tell, by the orders it lists,
    # the token one character at a time.
    secret_fields = ("token", "checkout_key")

    def lookup_allowed(self, lookup, value, request=None):
        """Refuse (a 400) any lookup on a secret field, whatever its operator."""
        if lookup.split(LOOKUP_SEP)[0] in self.secret_fields:
            return False
        return super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False  # orders come from checkout, never from a form in admin

    def has_delete_permission(self, request, obj=None):
        # A paid order is the shop's record of a payment (and its bookkeeping): never deleted
        # here, whatever the user's rights. The bulk delete action asks this for each order too.
        if obj is not None and obj.status == Order.Status.PAID:
            return False
        return super().has_delete_permission(request, obj)

    # Amounts as the shop writes them (shop.money), with their currency: "SEK 1,138.00".
    @admin.display(description="subtotal")
    def subtotal_display(self, order: Order) -> str:
        return format_money(order.subtotal, order.currency)

    @admin.display(description="total", ordering="total")
    def total_display(self, order: Order) -> str:
        return format_money(order.total, order.currency)

    @admin.display(description="shipped")
    def shipped(self, order: Order) -> str:
        shipment = Shipment.objects.filter(order=order).first()
        if shipment is None:
            return "Not yet"
        how = " · ".join(part for part in (shipment.carrier, shipment.tracking_number) if part)
        return f"{timezone.localtime(shipment.shipped_at):%Y-%m-%d %H:%M}" + (
            f" ({how})" if how else ""
        )

    @admin.display(description="refunds")
    def refunded(self, order: Order) -> str:
        refunds = order.refunds.all()
        if not refunds:
            return "None"
        return format_html_join(
            mark_safe("<br>"),
            "{}: {} on {}",
            (
                (
                    refund.credit_note_number,
                    format_money(refund.total, order.currency),
                    f"{timezone.localtime(refund.created_at):%Y-%m-%d}",
                )
                for refund in refunds
            ),
        )

    @admin.display(description="delivery address")
    def delivery_address(self, order: Order) -> str:
        customer = order.customer
        lines = [
            customer.full_name,
            customer.address_line1,
            customer.address_line2,
            f"{customer.postal_code} {customer.city}",
            customer.get_country_display(),  # "Sweden"; a name typed before the list as typed
            customer.phone,
        ]
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines if line))


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["email", "first_name", "last_name", "city", "created_at"]
    search_fields = ["email", "first_name", "last_name", "postal_code", "city"]
    list_filter = ["country"]

"""What an order looks like to staff-written templates: a flat dict of plain values.

Staff templates (emails, PDF attachments) render against this and nothing else: no model
instance reaches them, so `{{ order.customer.user.password }}` has nothing to walk into.

Amounts come three times: the number (`order.total`, for arithmetic and comparisons), the
number written in the language the context is built in (`order.total_formatted`: "1 387,00"
in Swedish, "1,387.00" in English) and the amount with its currency as that language writes it
(`order.total_display`: "1 387,00 kr", "SEK 1,387.00"); the date as `order.date`,
`order.date_display` ("7 december 2026") and `order.date_short` ("7 dec. 2026"). The words
around them ("Total", "Order date") are the template's own: each language has its own template.
"""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from .countries import country_name
from .fulfilment import refundable_quantities
from .models import Order, Refund, Shipment, active_language
from .money import format_amount, format_date, format_money, format_short_date

ORE = Decimal("0.01")
SAMPLE_RECEIPT_NUMBER = "NG-2026-000042"


def vat_included(total: Decimal, rate: Decimal | None = None) -> Decimal:
    """The VAT contained in a price that includes it, at `rate` percent (`SHOP_VAT_RATE`),
    rounded to öre: 1,000.00 at 25% holds 200.00."""
    rate = settings.SHOP_VAT_RATE if rate is None else Decimal(rate)
    return (total * rate / (100 + rate)).quantize(ORE, rounding=ROUND_HALF_UP)


def shop_context() -> dict[str, Any]:
    """The shop as templates name it: `shop.name`, and `shop.url`, where customers find it
    (settings `SHOP_NAME`, `SHOP_URL`)."""
    return {"name": settings.SHOP_NAME, "url": settings.SHOP_URL}


def seller_context() -> dict[str, Any]:
    """Who sells: what a receipt must name (settings `SHOP_LEGAL_NAME`, `SHOP_ADDRESS`…), the
    country named in the active language ("Sweden", "Sverige": `SHOP_COUNTRY`)."""
    country = country_name(settings.SHOP_COUNTRY) if settings.SHOP_COUNTRY else ""
    return {
        "legal_name": settings.SHOP_LEGAL_NAME,
        "address": ", ".join(part for part in (settings.SHOP_ADDRESS, country) if part),
        "country": country,
        "org_number": settings.SHOP_ORG_NUMBER,
        "vat_number": settings.SHOP_VAT_NUMBER,
    }


def shop_values() -> dict[str, Any]:
    """`shop` and `seller` in the active language: what every staff template renders beside
    its event's data (the project names this in `STAFF_TEMPLATE_SHOP_VALUES`)."""
    return {"shop": shop_context(), "seller": seller_context()}


def payment_method(card_last4: str | None) -> str:
    """How the order was paid, as a receipt says it: "Card •••• 4242" (in the active language)."""
    if card_last4:
        return gettext("Card •••• %(last4)s") % {"last4": card_last4}
    return gettext("Card")


def amounts(currency: str, **values: Decimal) -> dict[str, Any]:
    """Each amount three times: the number, `<name>_formatted` (the number as the active
    language writes it, `shop.money.format_amount`) and `<name>_display` (with the currency,
    `shop.money.format_money`)."""
    written = {}
    for name, value in values.items():
        written[f"{name}_formatted"] = format_amount(value)
        written[f"{name}_display"] = format_money(value, currency)
    return {**values, **written}


def _line(*, product, options, unit_price, quantity, line_total, currency) -> dict[str, Any]:
    return {
        "product": product,
        "options": options,
        "quantity": quantity,
        **amounts(currency, unit_price=unit_price, line_total=line_total),
    }


def _amounts(*, subtotal, total, currency, date) -> dict[str, Any]:
    """The order's amounts and date, as values and written out in the active language."""
    return {
        "date": date,
        "date_display": format_date(date),
        "date_short": format_short_date(date),
        "currency": currency,
        **amounts(currency, subtotal=subtotal, total=total, vat=vat_included(total)),
        "vat_rate": settings.SHOP_VAT_RATE,
    }


def order_context(order: Order, *, language: str | None = None) -> dict[str, Any]:
    """The whitelisted template context for one order, written in `language` (by default the
    language the customer ordered in)."""
    with translation.override(language or order.language):
        return _order_context(order)


def _order_context(order: Order) -> dict[str, Any]:
    customer = order.customer
    # One query for the lines; their count is the list's length, not a second COUNT query.
    lines = [
        _line(
            product=line.product_name,
            options=[{"name": o["name"], "value": o["value"]} for o in line.options],
            unit_price=line.unit_price,
            quantity=line.quantity,
            line_total=line.line_total,
            currency=order.currency,
        )
        for line in order.lines.all()
    ]
    return {
        "shop": shop_context(),
        "seller": seller_context(),
        "order": {
            "number": order.number,
            "receipt_number": order.receipt_number or "",
            "language": order.language,
            "status": str(order.get_status_display()),
            **_amounts(
                subtotal=order.subtotal,
                total=order.total,
                currency=order.currency,
                date=timezone.localtime(order.created_at),
            ),
            "line_count": len(lines),
            "unit_count": sum(line["quantity"] for line in lines),
            "payment_method": payment_method(order.card_last4),
            "card_last4": order.card_last4 or "",
        },
        "customer": _customer(customer),
        "lines": lines,
    }


def _customer(customer) -> dict[str, Any]:
    return {
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "full_name": customer.full_name,
        "email": customer.email,
        "phone": customer.phone,
        "address_line1": customer.address_line1,
        "address_line2": customer.address_line2,
        "postal_code": customer.postal_code,
        "city": customer.city,
        "country": country_name(customer.country),
    }


def sample_order_context(line_count: int = 3, *, language: str | None = None) -> dict[str, Any]:
    """A made-up order with the same shape, for previews and benchmarks, written in `language`
    (by default the active one)."""
    with translation.override(language or active_language()):
        return _sample_order_context(line_count)


def _sample_products() -> list[tuple[str, list[tuple[str, str]], str]]:
    """The sample's products, options and choices in the active language, as the catalog
    names them there; what a customer typed (an engraving, initials) stays as typed."""
    return [
        (
            "Ullfilt Åre",
            [
                (pgettext("sample order", "Colour"), pgettext("sample order", "Sea blue")),
                (pgettext("sample order", "Size"), "150 × 200 cm"),
            ],
            "1095.00",
        ),
        (
            pgettext("sample order", "Engraved Cutting Board"),
            [
                (pgettext("sample order", "Wood"), pgettext("sample order", "Oak")),
                (pgettext("sample order", "Engraving"), "För Åsa & Björn"),
            ],
            "569.00",
        ),
        (
            "Mugg Fjällräv",
            [(pgettext("sample order", "Glaze"), pgettext("sample order", "Dark blue"))],
            "209.00",
        ),
        (
            pgettext("sample order", "Leather Notebook"),
            [
                (pgettext("sample order", "Leather"), pgettext("sample order", "Cognac")),
                (pgettext("sample order", "Initials"), "ÅÄÖ"),
            ],
            "369.00",
        ),
        (
            "Stickad Mössa",
            [
                (pgettext("sample order", "Colour"), pgettext("sample order", "Yellow")),
                (pgettext("sample order", "Size"), "S/M"),
            ],
            "249.00",
        ),
    ]


def _sample_order_context(line_count: int) -> dict[str, Any]:
    products = _sample_products()
    lines = []
    for index in range(line_count):
        name, options, price = products[index % len(products)]
        quantity = index % 3 + 1
        lines.append(
            _line(
                product=name,
                options=[{"name": n, "value": v} for n, v in options],
                unit_price=Decimal(price),
                quantity=quantity,
                line_total=Decimal(price) * quantity,
                currency=settings.SHOP_CURRENCY,
            )
        )
    total = sum((line["line_total"] for line in lines), Decimal("0.00"))
    return {
        "shop": shop_context(),
        "seller": seller_context(),
        "order": {
            "number": "NG-SAMP-LE42",
            "receipt_number": SAMPLE_RECEIPT_NUMBER,
            "language": active_language(),
            "status": str(Order.Status.PAID.label),
            **_amounts(
                subtotal=total,
                total=total,
                currency=settings.SHOP_CURRENCY,
                date=timezone.make_aware(datetime(2026, 11, 28, 14, 5)),  # noqa: DTZ001
            ),
            "line_count": line_count,
            "unit_count": sum(line["quantity"] for line in lines),
            "payment_method": payment_method("4242"),
            "card_last4": "4242",
        },
        "customer": {
            "first_name": "Åsa",
            "last_name": "Öberg",
            "full_name": "Åsa Öberg",
            "email": "asa.oberg@example.com",
            "phone": "+46 70 123 45 67",
            "address_line1": "Storgatan 12",
            "address_line2": "",
            "postal_code": "831 30",
            "city": "Östersund",
            "country": country_name("SE"),
        },
        "lines": lines,
    }


# The sample order's token: previews, proofs and save-time checks reach the two functions
# below through settings (STAFF_TEMPLATE_SAMPLE, STAFF_TEMPLATE_ORDER_LOOKUP), so the template
# apps never import the shop.
SAMPLE_TOKEN = "sample-order-token"  # noqa: S105 - a made-up order's token, opens a sample PDF


def sample_document() -> tuple[dict[str, Any], str]:
    """The sample order's context and token, in the active language: what previews, sample
    proofs and save-time limit checks render."""
    return sample_order_context(), SAMPLE_TOKEN


def find_document(number: str) -> tuple[dict[str, Any], str] | None:
    """A real order's context and token by order number, or None when there is no such order;
    written in the active language (a preview renders the template's language)."""
    order = Order.objects.filter(number=number.strip().upper()).select_related("customer").first()
    if order is None:
        return None
    return order_context(order, language=active_language()), order.token


# --- after the sale: the delivery note and the credit note -----------------------------------


def _when(value) -> dict[str, Any]:
    value = timezone.localtime(value)
    return {
        "date": value,
        "date_display": format_date(value),
        "date_short": format_short_date(value),
    }


def _shipped_lines(lines: list[dict[str, Any]], quantities: list[int]) -> list[dict[str, Any]]:
    """What a delivery note lists: each line's product, options and quantity, no prices."""
    return [
        {"product": line["product"], "options": line["options"], "quantity": quantity}
        for line, quantity in zip(lines, quantities, strict=True)
        if quantity
    ]


def shipment_context(shipment: Shipment, *, language: str | None = None) -> dict[str, Any]:
    """The delivery note's context: the order and customer (as in `order_context`), the
    shipment (date, carrier, tracking number) and the lines shipped with their quantities
    (bought minus refunded before shipping), without prices."""
    order = shipment.order
    with translation.override(language or order.language):
        context = _order_context(order)
        left = refundable_quantities(order)
        quantities = [left[line.pk] for line in order.lines.all()]
        return {
            **context,
            "shipment": {
                **_when(shipment.shipped_at),
                "carrier": shipment.carrier,
                "tracking_number": shipment.tracking_number,
            },
            "lines": _shipped_lines(context["lines"], quantities),
        }


def _credited(*, lines: list[dict[str, Any]], total: Decimal, currency: str) -> dict[str, Any]:
    """The credit note's amounts, negative: what the receipt showed, taken back; and `amount`,
    the money returned, positive (what an email says was refunded)."""
    return {
        **amounts(currency, subtotal=-total, total=-total, vat=-vat_included(total), amount=total),
        "vat_rate": settings.SHOP_VAT_RATE,
        "currency": currency,
        "line_count": len(lines),
        "unit_count": sum(line["quantity"] for line in lines),
    }


def refund_context(refund: Refund, *, language: str | None = None) -> dict[str, Any]:
    """The credit note's context: the original order and receipt (number and date, as in
    `order_context`), the refund (its credit note number, date, credited amounts as negative
    numbers) and the credited lines (quantity, unit price, negative line total)."""
    order = refund.order
    with translation.override(language or order.language):
        context = _order_context(order)
        lines = [
            _line(
                product=line.order_line.product_name,
                options=[{"name": o["name"], "value": o["value"]} for o in line.order_line.options],
                unit_price=line.order_line.unit_price,
                quantity=line.quantity,
                line_total=-line.amount,
                currency=order.currency,
            )
            for line in refund.lines.select_related("order_line")
        ]
        return {
            **context,
            "refund": {
                "number": refund.credit_note_number,
                "sequence": refund.sequence,
                **_when(refund.created_at),
                **_credited(lines=lines, total=refund.total, currency=order.currency),
            },
            "lines": lines,
        }


SAMPLE_CARRIER = ("PostNord", "00370712345678901234")


def sample_shipment_context(*, language: str | None = None) -> dict[str, Any]:
    """The sample order shipped (for previews): the same shape as `shipment_context`."""
    with translation.override(language or active_language()):
        context = _sample_order_context(3)
        carrier, tracking = SAMPLE_CARRIER
        shipped = timezone.make_aware(datetime(2026, 11, 30, 9, 40))  # noqa: DTZ001
        return {
            **context,
            "shipment": {**_when(shipped), "carrier": carrier, "tracking_number": tracking},
            "lines": _shipped_lines(
                context["lines"], [line["quantity"] for line in context["lines"]]
            ),
        }


def sample_refund_context(*, language: str | None = None) -> dict[str, Any]:
    """The sample order's first refund, one of its first line (for previews): the same shape
    as `refund_context`."""
    with translation.override(language or active_language()):
        context = _sample_order_context(3)
        first = context["lines"][0]
        currency = context["order"]["currency"]
        lines = [
            _line(
                product=first["product"],
                options=first["options"],
                unit_price=first["unit_price"],
                quantity=1,
                line_total=-first["unit_price"],
                currency=currency,
            )
        ]
        refunded = timezone.make_aware(datetime(2026, 12, 3, 15, 20))  # noqa: DTZ001
        return {
            **context,
            "refund": {
                "number": f"{SAMPLE_RECEIPT_NUMBER}-1",
                "sequence": 1,
                **_when(refunded),
                **_credited(lines=lines, total=first["unit_price"], currency=currency),
            },
            "lines": lines,
        }

"""What an order looks like to staff-written templates: a flat dict of plain values.

Staff templates (emails, PDF attachments) render against this and nothing else: no model
instance reaches them, so `{{ order.customer.user.password }}` has nothing to walk into.
"""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from .countries import country_name
from .models import Order
from .money import format_amount

ORE = Decimal("0.01")


def vat_included(total: Decimal, rate: Decimal | None = None) -> Decimal:
    """The VAT contained in a price that includes it, at `rate` percent (`SHOP_VAT_RATE`),
    rounded to öre: 1,000.00 at 25% holds 200.00."""
    rate = settings.SHOP_VAT_RATE if rate is None else Decimal(rate)
    return (total * rate / (100 + rate)).quantize(ORE, rounding=ROUND_HALF_UP)


def seller_context() -> dict[str, Any]:
    """Who sells: what a receipt must name (settings `SHOP_LEGAL_NAME`, `SHOP_ADDRESS`…)."""
    return {
        "legal_name": settings.SHOP_LEGAL_NAME,
        "address": settings.SHOP_ADDRESS,
        "org_number": settings.SHOP_ORG_NUMBER,
        "vat_number": settings.SHOP_VAT_NUMBER,
    }


def payment_method(card_last4: str | None) -> str:
    """How the order was paid, as a receipt says it: "Card •••• 4242"."""
    return f"Card •••• {card_last4}" if card_last4 else "Card"


def amounts(**values: Decimal) -> dict[str, Any]:
    """Each amount twice: the number (for arithmetic and comparisons in a template) and
    `<name>_formatted`, the text every page, email and PDF shows (`shop.money.format_amount`)."""
    formatted = {f"{name}_formatted": format_amount(value) for name, value in values.items()}
    return {**values, **formatted}


def order_context(order: Order) -> dict[str, Any]:
    """The whitelisted template context for one order."""
    customer = order.customer
    # One query for the lines; their count is the list's length, not a second COUNT query.
    lines = [
        {
            "product": line.product_name,
            "options": [{"name": o["name"], "value": o["value"]} for o in line.options],
            "quantity": line.quantity,
            **amounts(unit_price=line.unit_price, line_total=line.line_total),
        }
        for line in order.lines.all()
    ]
    return {
        "shop": {"name": settings.SHOP_NAME},
        "seller": seller_context(),
        "order": {
            "number": order.number,
            "date": timezone.localtime(order.created_at),
            "status": order.get_status_display(),
            "currency": order.currency,
            **amounts(subtotal=order.subtotal, total=order.total, vat=vat_included(order.total)),
            "vat_rate": settings.SHOP_VAT_RATE,
            "line_count": len(lines),
            "unit_count": sum(line["quantity"] for line in lines),
            "payment_method": payment_method(order.card_last4),
        },
        "customer": {
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
        },
        "lines": lines,
    }


def sample_order_context(line_count: int = 3) -> dict[str, Any]:
    """A made-up order with the same shape, for previews and benchmarks."""
    products = [
        ("Ullfilt Åre", [("Colour", "Havsblå"), ("Size", "150 × 200 cm")], "1095.00"),
        ("Engraved Cutting Board", [("Wood", "Ek"), ("Engraving", "För Åsa & Björn")], "569.00"),
        ("Mugg Fjällräv", [("Glaze", "Mörkblå")], "209.00"),
        ("Leather Notebook", [("Leather", "Konjak"), ("Initials", "ÅÄÖ")], "369.00"),
        ("Stickad Mössa", [("Colour", "Gul"), ("Size", "S/M")], "249.00"),
    ]
    lines = []
    for index in range(line_count):
        name, options, price = products[index % len(products)]
        quantity = index % 3 + 1
        unit_price = Decimal(price)
        lines.append(
            {
                "product": name,
                "options": [{"name": n, "value": v} for n, v in options],
                "quantity": quantity,
                **amounts(unit_price=unit_price, line_total=unit_price * quantity),
            }
        )
    total = sum((line["line_total"] for line in lines), Decimal("0.00"))
    return {
        "shop": {"name": settings.SHOP_NAME},
        "seller": seller_context(),
        "order": {
            "number": "NG-SAMP-LE42",
            "date": timezone.make_aware(datetime(2026, 11, 28, 14, 5)),  # noqa: DTZ001
            "status": "Paid",
            "currency": settings.SHOP_CURRENCY,
            **amounts(subtotal=total, total=total, vat=vat_included(total)),
            "vat_rate": settings.SHOP_VAT_RATE,
            "line_count": line_count,
            "unit_count": sum(line["quantity"] for line in lines),
            "payment_method": payment_method("4242"),
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
    """The sample order's context and token: what previews, sample proofs and save-time limit
    checks render."""
    return sample_order_context(), SAMPLE_TOKEN


def find_document(number: str) -> tuple[dict[str, Any], str] | None:
    """A real order's context and token by order number, or None when there is no such order."""
    order = Order.objects.filter(number=number.strip().upper()).select_related("customer").first()
    if order is None:
        return None
    return order_context(order), order.token

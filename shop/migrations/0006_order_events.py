"""Every order that has messages becomes an `order_confirmation` event carrying the order's
data, and its messages (histories and all) are attached to it.

The data is computed here from the historical models, in the shape `shop.events` sends
(the order's template context without `shop` and `seller`, amounts as decimal strings, the
date as ISO 8601, the written amounts in the order's language): the formatting rules are
copied below, not imported, as a migration must not depend on code that changes later. The
event's token is the order's, so every document password stays what the customer was shown;
its idempotency key is the one the storefront uses (`order:<number>`), so completing such an
order again sends nothing twice.
"""

import hashlib
import json
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import migrations
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, pgettext

CENTS = Decimal("0.01")


def _amount(value) -> str:
    value = Decimal(value).quantize(CENTS, rounding=ROUND_HALF_UP)
    return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


def _money(value, currency: str) -> str:
    symbol = pgettext("currency", "SEK") if currency == "SEK" else currency
    pattern = pgettext("money", "%(currency)s %(amount)s")
    return pattern % {"amount": _amount(value), "currency": symbol}


def _amounts(currency: str, **values) -> dict:
    written = {}
    for name, value in values.items():
        written[name] = str(value)
        written[f"{name}_formatted"] = _amount(value)
        written[f"{name}_display"] = _money(value, currency)
    return written


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _short_date(value) -> str:
    month = pgettext("abbreviated month", MONTHS[value.month - 1])
    pattern = pgettext("short date", "%(day)d %(month)s %(year)d")
    return pattern % {"day": value.day, "month": month, "year": value.year}


def _vat_included(total: Decimal) -> Decimal:
    rate = settings.SHOP_VAT_RATE
    return (total * rate / (100 + rate)).quantize(CENTS, rounding=ROUND_HALF_UP)


def _country(code: str) -> str:
    try:
        from shop.countries import Country  # a list of names, not logic

        return str(Country(code).label)
    except (ImportError, ValueError):
        return code


def _order_data(order, status_labels: dict) -> dict:
    customer = order.customer
    date = timezone.localtime(order.created_at)
    lines = [
        {
            "product": line.product_name,
            "options": [{"name": o["name"], "value": o["value"]} for o in line.options],
            "quantity": line.quantity,
            **_amounts(order.currency, unit_price=line.unit_price, line_total=line.line_total),
        }
        for line in order.lines.all()
    ]
    card = (
        gettext("Card •••• %(last4)s") % {"last4": order.card_last4}
        if order.card_last4
        else gettext("Card")
    )
    full_name = f"{customer.first_name} {customer.last_name}".strip()
    return {
        "order": {
            "number": order.number,
            "language": order.language,
            "status": pgettext("order status", str(status_labels.get(order.status, order.status))),
            "date": date.isoformat(),
            "date_display": formats.date_format(date, "j F Y"),
            "date_short": _short_date(date),
            "currency": order.currency,
            **_amounts(
                order.currency,
                subtotal=order.subtotal,
                total=order.total,
                vat=_vat_included(order.total),
            ),
            "vat_rate": str(settings.SHOP_VAT_RATE),
            "line_count": len(lines),
            "unit_count": sum(line["quantity"] for line in lines),
            "payment_method": card,
            "card_last4": order.card_last4 or "",
        },
        "customer": {
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "full_name": full_name,
            "email": customer.email,
            "phone": customer.phone,
            "address_line1": customer.address_line1,
            "address_line2": customer.address_line2,
            "postal_code": customer.postal_code,
            "city": customer.city,
            "country": _country(customer.country),
        },
        "lines": lines,
    }


def _request_hash(**request) -> str:
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def orders_to_events(apps, schema_editor):
    Order = apps.get_model("shop", "Order")
    Message = apps.get_model("messaging", "Message")
    Event = apps.get_model("messaging", "Event")
    EventType = apps.get_model("stafftemplates", "EventType")
    status_labels = dict(Order._meta.get_field("status").choices)
    # A message's `order` is the order's id, a plain number in messaging's migration state (so
    # messaging migrates in projects without a shop: messaging/migrations/0001_initial.py).
    order_ids = (
        Message.objects.filter(order__isnull=False, event__isnull=True)
        .values_list("order", flat=True)
        .distinct()
    )
    for order in Order.objects.filter(pk__in=list(order_ids)).select_related("customer"):
        messages = Message.objects.filter(order=order.pk)
        code = (
            messages.filter(is_proof=False).values_list("event_type_code", flat=True).first()
            or "order_confirmation"
        )
        EventType.objects.get_or_create(
            code=code, defaults={"name": code.replace("_", " ").capitalize()}
        )
        customer = order.customer
        language = order.language or settings.LANGUAGE_CODE
        with translation.override(language):
            data = _order_data(order, status_labels)
        full_name = f"{customer.first_name} {customer.last_name}".strip()
        key = f"order:{order.number}"
        request = {
            "type": code,
            "recipient": customer.email,
            "recipient_name": full_name,
            "reference": order.number,
            "idempotency_key": key,
            "data": data,
            "language": language,
            "scheduled_at": None,
            "expires_at": None,
        }
        event = Event.objects.create(
            type_id=code,
            recipient=customer.email,
            recipient_name=full_name,
            language=language,
            data=data,
            reference=order.number,
            idempotency_key=key,
            request_hash=_request_hash(**request),
            token=order.token,
        )
        latest = messages.filter(is_proof=False).order_by("-sequence").first()
        status, reason = _status_of(latest)
        # It arrived when the order was placed (the latency statistics count from there).
        Event.objects.filter(pk=event.pk).update(
            created_at=order.created_at, status=status, status_reason=reason
        )
        messages.update(event=event)


def _status_of(message) -> tuple[str, str]:
    if message is None:
        return "ignored", "No customer message was queued before the upgrade."
    if message.status == "failed":
        return "failed", message.last_error
    if message.status == "queued" and not message.attempts:
        return "pending", ""
    if message.status in ("queued", "sending"):
        return "processing", message.last_error
    return message.status, ""


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0005_order_confirmation_event_type"),
        ("messaging", "0015_events"),
    ]
    run_before = [("messaging", "0016_messages_belong_to_events")]

    operations = [migrations.RunPython(orders_to_events, migrations.RunPython.noop)]

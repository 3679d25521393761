from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from shop.models import Customer, Order
from shop.payments import PaymentDeclined
from shop.services import CartItem, place_order, price_cart, price_item
from shop.signals import order_completed

from .conftest import CUSTOMER, option_values

TEST_CARD = "4242 4242 4242 4242"


def test_price_comes_from_catalog_with_option_delta(blanket):
    line = price_item(CartItem(blanket.pk, option_values(blanket), 2))

    assert line.unit_price == Decimal("945.00")
    assert line.line_total == Decimal("1890.00")
    assert line.options == [
        {"name": "Colour", "value": "Rödbrun"},
        {"name": "Engraving", "value": "För Åsa"},
    ]


def test_optional_text_option_may_be_left_out(blanket):
    line = price_item(CartItem(blanket.pk, option_values(blanket, "Skogsgrön", None), 1))

    assert line.unit_price == Decimal("895.00")
    assert line.options == [{"name": "Colour", "value": "Skogsgrön"}]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p, v: v.update({str(p.options.get(name="Colour").pk): "999999"}), "not available"),
        (lambda p, v: v.pop(str(p.options.get(name="Colour").pk)), "Please choose colour"),
        (lambda p, v: v.update({str(p.options.get(name="Engraving").pk): "x" * 13}), "at most 12"),
        (lambda p, v: v.update({"424242": "x"}), "no such option"),
    ],
)
def test_invalid_options_are_refused(blanket, change, message):
    values = option_values(blanket)
    change(blanket, values)

    with pytest.raises(ValidationError, match=message):
        price_item(CartItem(blanket.pk, values, 1))


@pytest.mark.parametrize("quantity", [0, -1, 100])
def test_quantity_out_of_range_is_refused(blanket, quantity):
    with pytest.raises(ValidationError, match="between 1 and 99"):
        price_item(CartItem(blanket.pk, option_values(blanket), quantity))


def test_unknown_or_inactive_product_is_refused(blanket):
    blanket.active = False
    blanket.save()

    with pytest.raises(ValidationError, match="no longer available"):
        price_item(CartItem(blanket.pk, option_values(blanket), 1))
    with pytest.raises(ValidationError, match="no longer available"):
        price_item(CartItem(987654, {}, 1))


def test_empty_cart_is_refused(db):
    with pytest.raises(ValidationError, match="empty"):
        price_cart([])


def order_args(blanket, key="key-0123456789abcdef", card=TEST_CARD, **overrides):
    return {
        "checkout_key": key,
        "items": [CartItem(blanket.pk, option_values(blanket), 2)],
        "customer": CUSTOMER,
        "card_number": card,
    } | overrides


@pytest.mark.django_db(transaction=True)
def test_place_order_snapshots_lines_and_totals(blanket):
    order = place_order(**order_args(blanket))

    assert order.status == Order.Status.PAID
    assert order.total == Decimal("1890.00")
    assert order.customer.full_name == "Åsa Öberg"
    [line] = order.lines.all()
    assert (line.product_name, line.quantity, line.unit_price) == ("Ullfilt Åre", 2, Decimal("945"))
    assert line.options_display == "Colour: Rödbrun, Engraving: För Åsa"
    assert order.number.startswith("NG-")
    assert len(order.token) >= 40


@pytest.mark.django_db(transaction=True)
def test_later_price_change_does_not_touch_placed_order(blanket):
    order = place_order(**order_args(blanket))
    blanket.price = Decimal("1.00")
    blanket.save()

    assert order.lines.get().unit_price == Decimal("945.00")


@pytest.mark.django_db(transaction=True)
def test_same_checkout_key_gives_one_order(blanket):
    first = place_order(**order_args(blanket))
    second = place_order(**order_args(blanket))

    assert first.pk == second.pk
    assert Order.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_replay_after_the_cart_was_emptied_returns_the_placed_order(blanket, gateway):
    # After checkout the cart is cleared: the replayed request (a double click, a retry after
    # a lost response) arrives with no items and must still find its order, not "empty".
    order = place_order(**order_args(blanket))

    replay = place_order(**order_args(blanket, items=[]))

    assert replay.pk == order.pk
    assert len(gateway["authorised"]) == 1  # charged once


@pytest.mark.django_db(transaction=True)
def test_declined_card_creates_nothing(blanket):
    with pytest.raises(PaymentDeclined, match="declined"):
        place_order(**order_args(blanket, card="4000 0000 0000 0002"))

    assert Order.objects.count() == 0
    assert Customer.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_signal_sent_once_inside_the_transaction(blanket):
    calls = []

    def receiver(sender, order, **kwargs):
        calls.append((order.pk, transaction.get_connection().in_atomic_block))

    order_completed.connect(receiver)
    try:
        order = place_order(**order_args(blanket))
        place_order(**order_args(blanket))  # the replay sends nothing
    finally:
        order_completed.disconnect(receiver)

    assert calls == [(order.pk, True)]


@pytest.mark.django_db(transaction=True)
def test_receiver_failure_rolls_back_the_order(blanket):
    def receiver(sender, order, **kwargs):
        raise RuntimeError("outbox unavailable")

    order_completed.connect(receiver)
    try:
        with pytest.raises(RuntimeError):
            place_order(**order_args(blanket))
    finally:
        order_completed.disconnect(receiver)

    assert Order.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_no_signal_when_the_order_fails(blanket):
    calls = []
    order_completed.connect(lambda **kw: calls.append(kw), weak=False, dispatch_uid="t")
    try:
        with pytest.raises(PaymentDeclined):
            place_order(**order_args(blanket, card="1111 2222 3333 4444"))
        with pytest.raises(ValidationError):
            place_order(**order_args(blanket, items=[]))
    finally:
        order_completed.disconnect(dispatch_uid="t")

    assert calls == []


# --- Money never moves without an order -------------------------------------------------------

LONG_EMAIL = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 63 + ".se"  # 259 chars


@pytest.fixture
def gateway(monkeypatch):
    """The demo gateway, with a record of what it was asked to authorise and to void."""
    from shop import payments

    calls = {"authorised": [], "voided": []}
    authorise, void = payments.authorize_demo_payment, payments.void_demo_payment

    def recording_authorise(**kwargs):
        reference = authorise(**kwargs)
        calls["authorised"].append((kwargs["idempotency_key"], reference))
        return reference

    def recording_void(**kwargs):
        calls["voided"].append(kwargs["reference"])
        return void(**kwargs)

    monkeypatch.setattr(payments, "authorize_demo_payment", recording_authorise)
    monkeypatch.setattr(payments, "void_demo_payment", recording_void)
    return calls


@pytest.mark.django_db(transaction=True)
def test_gateway_gets_the_checkout_key_as_idempotency_key(blanket, gateway):
    order = place_order(**order_args(blanket, key="key-idempotent-0001"))

    assert gateway["authorised"] == [("key-idempotent-0001", order.payment_reference)]
    assert gateway["voided"] == []


@pytest.mark.django_db(transaction=True)
def test_failure_after_authorisation_voids_it(blanket, gateway):
    def receiver(sender, order, **kwargs):
        assert order.payment_reference  # the card was authorised when this runs
        raise RuntimeError("outbox unavailable")

    order_completed.connect(receiver)
    try:
        with pytest.raises(RuntimeError):
            place_order(**order_args(blanket))
    finally:
        order_completed.disconnect(receiver)

    [(_, reference)] = gateway["authorised"]
    assert gateway["voided"] == [reference]
    assert Order.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_overlong_email_is_refused_before_the_card_is_touched(blanket, gateway):
    with pytest.raises(ValidationError, match="at most 254 characters"):
        place_order(**order_args(blanket, customer=CUSTOMER | {"email": LONG_EMAIL}))

    assert gateway["authorised"] == []
    assert Order.objects.count() == 0
    assert Customer.objects.count() == 0

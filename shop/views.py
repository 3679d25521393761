"""Storefront pages. Thin: forms validate, services decide."""

import secrets
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from .cart import Cart
from .countries import country_name
from .forms import AddToCartForm, CartQuantityForm, CheckoutForm, PaymentForm
from .models import Order, Product
from .money import amount_separators, money_pattern
from .payments import PaymentDeclined
from .ratelimit import rate_limited
from .services import max_line_quantity, place_order

CUSTOMER_SESSION_KEY = "checkout_customer"
PLACED_ORDERS_SESSION_KEY = "placed_orders"
CHECKOUT_KEY_SESSION_KEY = "checkout_key"
EXPIRED_PAYMENT_FORM = gettext_lazy(
    "This payment form has expired and nothing was charged. Please check your order and pay again."
)


def _issued_checkout_key(session, *, renew: bool = False) -> str:
    """The checkout key this session may pay with, issued here and kept in the session.

    It is the order's idempotency key and the gateway's: a client cannot choose it, so it can
    never name someone else's order. `renew` burns the current one (after a declined card).
    """
    key = session.get(CHECKOUT_KEY_SESSION_KEY)
    if renew or not key:
        key = secrets.token_urlsafe(24)
        session[CHECKOUT_KEY_SESSION_KEY] = key
    return key


def _is_issued_key(session, key: str) -> bool:
    issued = session.get(CHECKOUT_KEY_SESSION_KEY)
    # Constant time: the comparison must not tell an attacker how much of a key they guessed.
    return bool(issued) and secrets.compare_digest(issued.encode(), key.encode())


def catalog(request):
    products = Product.objects.active().prefetch_related("translations")
    return render(request, "shop/catalog.html", {"products": products})


@require_http_methods(["GET", "POST"])
@rate_limited("add_to_cart")
def product_detail(request, slug):
    product = get_object_or_404(
        Product.objects.active().prefetch_related("translations"), slug=slug
    )
    form = AddToCartForm(product, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            Cart(request.session).add(
                product_id=product.pk,
                options=form.selected_options(),
                quantity=form.cleaned_data["quantity"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(product)s was added to your cart.") % {"product": product.display_name},
            )
            return redirect("shop:cart")
    context = {
        "product": product,
        "form": form,
        "money_pattern": money_pattern(settings.SHOP_CURRENCY),
        "separators": amount_separators(),
    }
    return render(request, "shop/product.html", context)


@require_http_methods(["GET", "POST"])
def cart_view(request):
    cart = Cart(request.session)
    if request.method == "POST":
        form = CartQuantityForm(request.POST)
        if form.is_valid():
            key, quantity = form.cleaned_data["key"], form.cleaned_data["quantity"]
            if "remove" in request.POST or quantity == 0:
                cart.remove(key)
                messages.info(request, _("The item was removed from your cart."))
            else:
                cart.set_quantity(key, quantity)
        else:
            messages.error(
                request,
                _("Quantities must be between 1 and %(limit)d.") % {"limit": max_line_quantity()},
            )
        return redirect("shop:cart")
    rows, problems = cart.rows()
    for problem in problems:
        messages.warning(request, problem)
    total = sum(row.line.line_total for row in rows)
    context = {"rows": rows, "total": total, "max_quantity": max_line_quantity()}
    return render(request, "shop/cart.html", context)


@never_cache  # the customer's contact and address: no copy in any cache
@require_http_methods(["GET", "POST"])
@rate_limited("checkout")
def checkout(request):
    cart = Cart(request.session)
    if not cart.items:
        return redirect("shop:cart")  # which says the cart is empty: no message saying it twice
    initial = request.session.get(CUSTOMER_SESSION_KEY)
    form = CheckoutForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        request.session[CUSTOMER_SESSION_KEY] = form.cleaned_data
        # A checkout left half-way must not keep a name and address for the session's weeks:
        # the session holding them ends after this long idle, and beat deletes it
        # (operations.clear_expired_sessions). Paying gives the session its usual age back.
        request.session.set_expiry(settings.CHECKOUT_SESSION_MINUTES * 60)
        return redirect("shop:payment")
    rows, _ = cart.rows()
    total = sum(row.line.line_total for row in rows)
    return render(request, "shop/checkout.html", {"form": form, "rows": rows, "total": total})


@sensitive_post_parameters("card_number", "expiry", "cvc")  # never in an error report
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("payment")
def payment(request):
    """Take the demo payment with the checkout key this session was issued, and place the order."""
    cart = Cart(request.session)
    customer = request.session.get(CUSTOMER_SESSION_KEY)
    if request.method == "POST":
        form = PaymentForm(request.POST)
        if form.has_error("checkout_key"):
            # Missing or malformed: a forged form. Nothing on the page could fix it.
            messages.error(request, EXPIRED_PAYMENT_FORM)
            return redirect("shop:payment")
        if form.is_valid():
            key = form.cleaned_data["checkout_key"]
            # A replay of a payment this session already made: show its order, charge nothing.
            placed = request.session.get(PLACED_ORDERS_SESSION_KEY, [])
            done = Order.objects.filter(pk__in=placed, checkout_key=key).first()
            if done is not None:
                return redirect("shop:confirmation", number=done.number)
            if not _is_issued_key(request.session, key):
                # Another session's key, an old tab or a forged form: never look the key up.
                messages.error(request, EXPIRED_PAYMENT_FORM)
                return redirect("shop:payment")
            if customer is None:
                return redirect("shop:checkout")
            try:
                order = place_order(
                    checkout_key=key,
                    items=cart.cart_items(),
                    customer=customer,
                    card_number=form.cleaned_data["card_number"],
                    language=request.LANGUAGE_CODE,
                )
            except PaymentDeclined as declined:
                # The gateway remembers this attempt under its key: the retry needs a new one.
                data = request.POST.copy()
                data["checkout_key"] = _issued_checkout_key(request.session, renew=True)
                form = PaymentForm(data)
                form.is_valid()
                form.add_error("card_number", str(declined))
            except ValidationError as error:
                for problem in error.error_list:
                    if problem.code != "empty_cart":  # the cart page says that itself
                        messages.error(request, *problem.messages)
                return redirect("shop:cart")
            else:
                cart.clear()
                # The order has them now; the session would keep them for its two weeks.
                request.session.pop(CUSTOMER_SESSION_KEY, None)
                request.session.pop(CHECKOUT_KEY_SESSION_KEY, None)
                request.session.set_expiry(None)
                request.session[PLACED_ORDERS_SESSION_KEY] = [*placed[-19:], order.pk]
                return redirect("shop:confirmation", number=order.number)
    else:
        if not cart.items:
            return redirect("shop:cart")
        if customer is None or not CheckoutForm(customer).is_valid():
            # Also details kept from before a rule changed (a country typed in free text):
            # the checkout page asks again rather than the order failing after the card.
            return redirect("shop:checkout")
        form = PaymentForm(initial={"checkout_key": _issued_checkout_key(request.session)})
    rows, _ = cart.rows()
    total = sum(row.line.line_total for row in rows)
    context = {
        "form": form,
        "rows": rows,
        "total": total,
        "customer": customer,
        "country": country_name(customer["country"]) if customer else "",
    }
    return render(request, "shop/payment.html", context)


@never_cache  # it shows the customer's address and document password: no copy in any cache
def confirmation(request, number):
    """The order summary, shown only to the browser session that placed the order.

    Anyone else (another browser, an unknown number) gets the same 404 page saying where the
    confirmation can be seen and how to get the password: one lookup limited to this session's
    orders, so neither the page nor the work done tells whether the order exists.
    """
    support_email = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    placed = request.session.get(PLACED_ORDERS_SESSION_KEY, [])
    order = (
        Order.objects.select_related("customer")
        .prefetch_related("lines")
        .filter(number=number, pk__in=placed)
        .first()
    )
    if order is None:
        context = {"support_email": support_email}
        return render(request, "shop/confirmation_elsewhere.html", context, status=404)
    # The document password, email and address stay on screen for a short while only: the
    # session lives for weeks, on what may be a shared computer. Support can reveal the
    # password later (admin, audited) once they know who is asking.
    minutes = settings.CONFIRMATION_PASSWORD_MINUTES
    shown_until = order.created_at + timedelta(minutes=minutes)
    context = {
        "order": order,
        "details_visible": timezone.now() < shown_until,
        "details_shown_until": shown_until,
        "details_minutes": minutes,
        "support_email": support_email,
    }
    return render(request, "shop/confirmation.html", context)

"""Storefront pages. Thin: forms validate, services decide."""

import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .cart import Cart
from .forms import AddToCartForm, CartQuantityForm, CheckoutForm, PaymentForm
from .models import Order, Product
from .payments import PaymentDeclined
from .services import place_order

CUSTOMER_SESSION_KEY = "checkout_customer"
PLACED_ORDERS_SESSION_KEY = "placed_orders"


def catalog(request):
    products = Product.objects.active()
    return render(request, "shop/catalog.html", {"products": products})


@require_http_methods(["GET", "POST"])
def product_detail(request, slug):
    product = get_object_or_404(Product.objects.active(), slug=slug)
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
            messages.success(request, f"{product.name} was added to your cart.")
            return redirect("shop:cart")
    return render(request, "shop/product.html", {"product": product, "form": form})


@require_http_methods(["GET", "POST"])
def cart_view(request):
    cart = Cart(request.session)
    if request.method == "POST":
        form = CartQuantityForm(request.POST)
        if form.is_valid():
            key, quantity = form.cleaned_data["key"], form.cleaned_data["quantity"]
            if "remove" in request.POST or quantity == 0:
                cart.remove(key)
                messages.info(request, "The item was removed from your cart.")
            else:
                cart.set_quantity(key, quantity)
        else:
            messages.error(request, "Quantities must be between 1 and 99.")
        return redirect("shop:cart")
    rows, problems = cart.rows()
    for problem in problems:
        messages.warning(request, problem)
    total = sum(row.line.line_total for row in rows)
    return render(request, "shop/cart.html", {"rows": rows, "total": total})


@require_http_methods(["GET", "POST"])
def checkout(request):
    cart = Cart(request.session)
    if not cart.items:
        messages.info(request, "Your cart is empty.")
        return redirect("shop:cart")
    initial = request.session.get(CUSTOMER_SESSION_KEY)
    form = CheckoutForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        request.session[CUSTOMER_SESSION_KEY] = form.cleaned_data
        return redirect("shop:payment")
    rows, _ = cart.rows()
    total = sum(row.line.line_total for row in rows)
    return render(request, "shop/checkout.html", {"form": form, "rows": rows, "total": total})


@require_http_methods(["GET", "POST"])
def payment(request):
    cart = Cart(request.session)
    customer = request.session.get(CUSTOMER_SESSION_KEY)
    if request.method == "POST":
        form = PaymentForm(request.POST)
        if form.is_valid():
            key = form.cleaned_data["checkout_key"]
            # A replay of a payment that already went through: show its order, charge nothing.
            done = Order.objects.filter(checkout_key=key).first()
            if done is not None and done.pk in request.session.get(PLACED_ORDERS_SESSION_KEY, []):
                return redirect("shop:confirmation", number=done.number)
            if customer is None:
                return redirect("shop:checkout")
            try:
                order = place_order(
                    checkout_key=key,
                    items=cart.cart_items(),
                    customer=customer,
                    card_number=form.cleaned_data["card_number"],
                )
            except PaymentDeclined as declined:
                form.add_error("card_number", str(declined))
            except ValidationError as error:
                for problem in error.messages:
                    messages.error(request, problem)
                return redirect("shop:cart")
            else:
                cart.clear()
                placed = request.session.get(PLACED_ORDERS_SESSION_KEY, [])
                request.session[PLACED_ORDERS_SESSION_KEY] = [*placed[-19:], order.pk]
                return redirect("shop:confirmation", number=order.number)
    else:
        if not cart.items:
            messages.info(request, "Your cart is empty.")
            return redirect("shop:cart")
        if customer is None:
            return redirect("shop:checkout")
        # One key per visit of the payment page: every submission of this form is one order.
        form = PaymentForm(initial={"checkout_key": secrets.token_urlsafe(24)})
    rows, _ = cart.rows()
    total = sum(row.line.line_total for row in rows)
    return render(
        request,
        "shop/payment.html",
        {"form": form, "rows": rows, "total": total, "customer": customer},
    )


@never_cache  # it shows the customer's address and document password: no copy in any cache
def confirmation(request, number):
    """The order summary, shown only to the browser session that placed the order."""
    order = get_object_or_404(
        Order.objects.select_related("customer").prefetch_related("lines"), number=number
    )
    if order.pk not in request.session.get(PLACED_ORDERS_SESSION_KEY, []):
        raise Http404("No such order in this browser session.")
    return render(request, "shop/confirmation.html", {"order": order})

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from shop.models import Order

from .conftest import CUSTOMER, option_values

pytestmark = pytest.mark.django_db(transaction=True)


def add_to_cart(client, product, quantity=1, **choices):
    values = option_values(product, **choices)
    data = {f"option_{key}": value for key, value in values.items()} | {"quantity": quantity}
    return client.post(reverse("shop:product", args=[product.slug]), data)


def fill_checkout(client, blanket, customer=CUSTOMER):
    add_to_cart(client, blanket, quantity=2)
    client.post(reverse("shop:checkout"), customer)
    page = client.get(reverse("shop:payment"))
    return page.context["form"].initial["checkout_key"]


def pay(client, key, card="4242 4242 4242 4242"):
    data = {"checkout_key": key, "card_number": card, "expiry": "12/30", "cvc": "123"}
    return client.post(reverse("shop:payment"), data)


def test_catalog_lists_active_products(client, blanket):
    page = client.get("/")

    assert page.status_code == 200
    assert "Ullfilt Åre" in page.content.decode()


def test_product_page_has_add_to_cart_form_for_its_options(client, blanket):
    page = client.get(reverse("shop:product", args=[blanket.slug])).content.decode()

    assert "Colour" in page
    assert "Rödbrun (+SEK 50.00)" in page
    assert "Engraving" in page
    assert "Add to cart" in page


def test_add_to_cart_then_cart_shows_server_price(client, blanket):
    response = add_to_cart(client, blanket, quantity=3)

    assert response.status_code == 302
    cart = client.get(reverse("shop:cart")).content.decode()
    assert "För Åsa" in cart
    assert "SEK 2,835.00" in cart  # (895 + 50) × 3


@pytest.mark.parametrize(
    ("quantity", "engraving", "error"),
    [
        (0, "ok", "greater than or equal to 1"),
        (100, "ok", "less than or equal to 99"),
        (1, "much too long text", "at most 12 characters"),
    ],
)
def test_bad_add_to_cart_gets_form_error(client, blanket, quantity, engraving, error):
    response = add_to_cart(client, blanket, quantity=quantity, engraving=engraving)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert "cart" not in client.session


def test_unknown_choice_gets_form_error(client, blanket):
    colour = blanket.options.get(name="Colour")
    response = client.post(
        reverse("shop:product", args=[blanket.slug]),
        {f"option_{colour.pk}": "999999", "quantity": 1},
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_unknown_product_is_404(client, db):
    assert client.get(reverse("shop:product", args=["no-such-thing"])).status_code == 404


def test_cart_quantity_change_and_remove(client, blanket):
    add_to_cart(client, blanket)
    key = next(iter(client.session["cart"]))

    client.post(reverse("shop:cart"), {"key": key, "quantity": 4})
    assert "SEK 3,780.00" in client.get(reverse("shop:cart")).content.decode()

    bad = client.post(reverse("shop:cart"), {"key": key, "quantity": 120}, follow=True)
    assert "between 1 and 99" in bad.content.decode()

    client.post(reverse("shop:cart"), {"key": key, "quantity": 4, "remove": ""})
    assert "Your cart is empty" in client.get(reverse("shop:cart")).content.decode()


def test_checkout_with_empty_cart_goes_back_to_cart(client, db):
    response = client.get(reverse("shop:checkout"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("shop:cart")
    assert "Your cart is empty" in response.content.decode()


def test_checkout_requires_contact_and_address(client, blanket):
    add_to_cart(client, blanket)
    response = client.post(reverse("shop:checkout"), {"email": "not-an-email"})

    assert response.status_code == 200
    assert "Enter a valid email address" in response.content.decode()
    assert "This field is required" in response.content.decode()


def test_overlong_email_gets_a_form_error_at_checkout(client, blanket):
    add_to_cart(client, blanket)
    email = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 63 + ".se"  # 259 characters

    response = client.post(reverse("shop:checkout"), CUSTOMER | {"email": email})

    assert response.status_code == 200
    assert "at most 254 characters" in response.content.decode()
    assert "checkout_customer" not in client.session


def test_successful_payment_shows_confirmation(client, blanket):
    key = fill_checkout(client, blanket)

    response = pay(client, key)

    order = Order.objects.get()
    assert response.url == reverse("shop:confirmation", args=[order.number])
    page = client.get(response.url).content.decode()
    assert f'data-testid="order-number">{order.number}<' in page
    assert "Rödbrun" in page
    assert "SEK 1,890.00" in page
    assert "cart" not in client.session


def test_checkout_details_leave_the_session_once_the_order_is_placed(client, blanket):
    pay(client, fill_checkout(client, blanket))

    assert "checkout_customer" not in client.session
    # The next purchase starts from an empty form, not from the last customer's address.
    add_to_cart(client, blanket)
    assert "Storgatan" not in client.get(reverse("shop:checkout")).content.decode()


def test_a_session_holding_checkout_details_lives_an_hour_idle_then_two_weeks_once_paid(
    client, blanket, settings
):
    settings.CHECKOUT_SESSION_MINUTES = 60
    key = fill_checkout(client, blanket)
    # The browser's cookie and the stored row both end an hour after the last change.
    assert client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 3600
    assert Session.objects.get().expire_date <= timezone.now() + timedelta(minutes=60)

    pay(client, key)

    # Paid: the details are gone, and the confirmation page stays reachable as long as ever.
    age = Session.objects.get().expire_date - timezone.now()
    assert age > timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_declined_card_shows_error_and_creates_nothing(client, blanket):
    key = fill_checkout(client, blanket)

    response = pay(client, key, card="4000 0000 0000 0002")

    assert response.status_code == 200
    assert "declined" in response.content.decode()
    assert Order.objects.count() == 0
    assert client.session["cart"]  # nothing lost: the customer can try again


def test_malformed_card_number_gets_form_error(client, blanket):
    key = fill_checkout(client, blanket)

    response = pay(client, key, card="42")

    assert "12 to 19 digits" in response.content.decode()


def test_double_submit_creates_one_order(client, blanket):
    key = fill_checkout(client, blanket)

    first = pay(client, key)
    second = pay(client, key)  # double click, or the back button and submit again

    assert Order.objects.count() == 1
    assert first.url == second.url


def test_confirmation_is_private_to_the_buying_session(client, blanket, django_user_model):
    key = fill_checkout(client, blanket)
    pay(client, key)
    order = Order.objects.get()

    client.logout()
    client.cookies.clear()
    assert client.get(reverse("shop:confirmation", args=[order.number])).status_code == 404


def test_cart_drops_products_that_disappeared(client, blanket):
    add_to_cart(client, blanket)
    blanket.active = False
    blanket.save()

    page = client.get(reverse("shop:cart")).content.decode()

    assert "no longer available" in page
    assert "Your cart is empty" in page


def test_stale_cart_at_payment_gets_a_message_not_a_500(client, blanket):
    key = fill_checkout(client, blanket)
    blanket.active = False
    blanket.save()

    response = pay(client, key)

    assert response.status_code == 302
    assert response.url == reverse("shop:cart")
    assert Order.objects.count() == 0


def test_forms_are_csrf_protected(blanket):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("shop:product", args=[blanket.slug]), {"quantity": 1})

    assert response.status_code == 403


# --- The checkout key belongs to the session it was issued to --------------------------------


def test_another_sessions_checkout_key_never_shows_their_order(blanket):
    from django.test import Client

    victim, attacker = Client(), Client()
    pay(victim, fill_checkout(victim, blanket))
    order = Order.objects.get()
    mallory = CUSTOMER | {
        "email": "m@example.net",
        "first_name": "Mallory",
        "last_name": "Lind",
        "address_line1": "Gränd 1",
    }
    attacker_key = fill_checkout(attacker, blanket, customer=mallory)
    assert attacker_key != order.checkout_key

    response = pay(attacker, order.checkout_key, card="4000 0000 0000 0002")

    page = attacker.get(response.url).content.decode() if response.status_code == 302 else ""
    page += response.content.decode()
    assert order.number not in page
    assert "asa@example.com" not in page
    assert "Storgatan" not in page
    assert "Öberg" not in page
    assert attacker.get(reverse("shop:confirmation", args=[order.number])).status_code == 404
    assert Order.objects.count() == 1


def test_payment_refuses_a_key_the_server_did_not_issue(client, blanket):
    fill_checkout(client, blanket)

    response = pay(client, "made-up-by-the-client-0123456789", card="4242 4242 4242 4242")

    assert Order.objects.count() == 0
    page = client.get(response.url).content.decode()
    assert "nothing was charged" in page
    assert client.session["cart"]  # the customer can simply pay again


def test_declined_card_then_test_card_places_one_order(client, blanket):
    key = fill_checkout(client, blanket)

    declined = pay(client, key, card="4000 0000 0000 0002")
    new_key = declined.context["form"]["checkout_key"].value()
    paid = pay(client, new_key)

    # A gateway remembers a declined attempt under its idempotency key: retry under a new one.
    assert new_key != key
    assert paid.url == reverse("shop:confirmation", args=[Order.objects.get().number])


def test_checkout_and_payment_pages_are_never_cached(client, blanket):
    add_to_cart(client, blanket)
    checkout = client.get(reverse("shop:checkout"))
    client.post(reverse("shop:checkout"), CUSTOMER)
    payment = client.get(reverse("shop:payment"))

    assert "no-store" in checkout["Cache-Control"]
    assert "no-store" in payment["Cache-Control"]


def test_error_reports_never_contain_the_card(rf, db):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.views.debug import SafeExceptionReporterFilter

    from shop.views import payment

    request = rf.post(reverse("shop:payment"), {"card_number": "4242424242424242", "cvc": "123"})
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # the view says the form expired (no key)
    payment(request)

    shown = SafeExceptionReporterFilter().get_post_parameters(request)
    assert "4242424242424242" not in shown.values()
    assert "123" not in shown.values()


# --- Order numbers in URLs --------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/orders/%00/",
        "/orders/NG-7K3M-Q9XD%00/",
        "/orders/NG-7K3M-Q9X/",
        "/orders/ng-7k3m-q9xd/",
        "/orders/NG-7K3M-Q9XO/",  # O is not in the alphabet: it reads as 0 over the phone
        "/orders/" + "A" * 5000 + "/",
    ],
)
def test_malformed_order_number_is_404_without_a_query(client, path, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(path)

    assert response.status_code == 404


def test_order_number_validator_accepts_only_real_numbers(db):
    from django.core.exceptions import ValidationError

    from shop.models import new_order_number, validate_order_number

    validate_order_number(new_order_number())
    for bad in ["", "NG-7K3M-Q9XD\x00", "NG-SAMP-LE42", "' OR 1=1 --"]:
        with pytest.raises(ValidationError):
            validate_order_number(bad)


# --- The document password is on screen for a bounded time -----------------------------------


def minutes_later(order, minutes):
    """Pretend the order was placed `minutes` ago."""
    from datetime import timedelta

    from django.utils import timezone

    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


def test_password_is_shown_within_the_window(client, blanket, confirmation_email, settings):
    settings.CONFIRMATION_PASSWORD_MINUTES = 30
    confirmation = pay(client, fill_checkout(client, blanket)).url
    minutes_later(Order.objects.get(), 29)

    page = client.get(confirmation).content.decode()

    assert 'data-testid="document-password"' in page
    assert "asa@example.com" in page
    assert "Storgatan 12" in page


def test_password_is_gone_after_the_window_but_the_summary_stays(
    client, blanket, confirmation_email, settings
):
    settings.CONFIRMATION_PASSWORD_MINUTES = 30
    confirmation = pay(client, fill_checkout(client, blanket)).url
    order = Order.objects.get()
    minutes_later(order, 31)

    page = client.get(confirmation).content.decode()

    assert 'data-testid="document-password"' not in page
    assert f'data-testid="order-number">{order.number}<' in page
    assert "Rödbrun" in page
    assert "SEK 1,890.00" in page
    from django.utils.html import strip_tags

    help_text = " ".join(strip_tags(page).split())
    assert "shown only for 30 minutes" in help_text
    assert "contact us at orders@example.com" in help_text
    # Nor the customer's contact and address, for whoever uses this browser next.
    assert "asa@example.com" not in page
    assert "Storgatan 12" not in page


@pytest.mark.parametrize("minutes", [0, 31])
def test_the_confirmation_page_links_the_lost_password_page(
    client, blanket, confirmation_email, settings, minutes
):
    """While the password is shown and after: a customer who loses it later has a way back in
    that needs no support agent (messaging's lost-password page, in the order's language)."""
    settings.CONFIRMATION_PASSWORD_MINUTES = 30
    confirmation = pay(client, fill_checkout(client, blanket)).url
    minutes_later(Order.objects.get(), minutes)

    page = client.get(confirmation).content.decode()

    assert 'href="/documents/en/lost-password/"' in page


def test_the_confirmation_elsewhere_page_links_the_lost_password_page(client):
    page = client.get("/orders/NG-AAAA-BBBB/").content.decode()

    assert 'href="/documents/en/lost-password/"' in page

"""Storefront pages that JavaScript enhances still work, and say the same, without it."""

import re

import pytest
from django.urls import reverse

from shop.models import Order

from .test_views import fill_checkout, pay

pytestmark = pytest.mark.django_db(transaction=True)


def without_csrf_token(content: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


def test_confirmation_elsewhere_explains_and_never_tells_whether_the_order_exists(
    client, blanket, django_assert_num_queries
):
    pay(client, fill_checkout(client, blanket))
    order = Order.objects.get()
    client.logout()
    client.cookies.clear()

    with django_assert_num_queries(0):  # this session placed nothing: no order lookup at all
        real = client.get(reverse("shop:confirmation", args=[order.number]))
    unknown_number = "NG-2222-2222" if order.number != "NG-2222-2222" else "NG-3333-3333"
    unknown = client.get(reverse("shop:confirmation", args=[unknown_number]))

    assert real.status_code == unknown.status_code == 404
    # Byte for byte, but for the language switcher's CSRF token, masked anew for every page.
    assert without_csrf_token(real.content) == without_csrf_token(unknown.content)
    page = real.content.decode()
    assert 'data-testid="confirmation-elsewhere"' in page
    assert "only in the" in page
    assert "browser that placed the order" in page
    assert "Ask for a link by email</a> with your order number" in page
    assert "orders@example.com" in page
    assert order.number not in page


def test_print_button_is_hidden_until_javascript_shows_it(client, blanket, confirmation_email):
    page = client.get(pay(client, fill_checkout(client, blanket)).url).content.decode()

    assert '<p class="print-hint" data-print-hint hidden>' in page
    assert 'data-testid="document-password"' in page  # plain text, selectable without JS
    assert "js/shop.js" in page
    assert "defer" in page


def test_product_page_carries_the_deltas_for_the_price_script(client, blanket):
    page = client.get(reverse("shop:product", args=[blanket.slug])).content.decode()

    assert 'data-base-price="895.00"' in page
    assert 'data-money="SEK {amount}"' in page  # where the script puts the currency
    assert 'data-delta="50.00"' in page
    assert "Rödbrun (+SEK 50.00)" in page
    assert "Skogsgrön (+" not in page  # a choice that costs nothing says nothing
    assert 'maxlength="12"' in page
    assert '<p class="line-price" data-line-price hidden>' in page  # shown by the script only


@pytest.mark.parametrize(
    ("engraving", "named"),
    [
        ("Grattis 🎉", "“🎉”"),
        ("愛 från Åsa", "“愛”"),
        ("山田 🎉🎉", "“山”, “田”, “🎉”"),
    ],
)
def test_engraving_the_pdf_font_cannot_draw_is_refused_by_name(client, blanket, engraving, named):
    from .test_views import add_to_cart

    response = add_to_cart(client, blanket, engraving=engraving)

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Our printed order cannot show {named}" in page
    assert "cart" not in client.session


def test_engraving_in_swedish_and_with_symbols_the_font_has_is_accepted(client, blanket):
    from .test_views import add_to_cart

    response = add_to_cart(client, blanket, engraving="Åsa ♥ Bo €")

    assert response.status_code == 302
    assert response.url == reverse("shop:cart")
    cart = client.get(response.url).content.decode()
    assert "Engraving: Åsa ♥ Bo €" in cart


def test_the_font_is_read_once():
    from shop.glyphs import drawable_code_points

    assert drawable_code_points() is drawable_code_points()
    assert ord("Ö") in drawable_code_points()


@pytest.mark.parametrize("view", ["shop:checkout", "shop:payment"])
def test_an_empty_cart_is_said_once(client, db, view):
    page = client.get(reverse(view), follow=True).content.decode()

    assert page.count("Your cart is empty") == 1


def test_a_product_has_the_same_colour_on_the_home_page_and_its_own(client, blanket):
    from shop.templatetags.storefront import swatch

    colour = f"swatch-{swatch(blanket)}"
    assert colour in client.get("/").content.decode()
    assert f"swatch {colour} swatch-big" in client.get(blanket.get_absolute_url()).content.decode()


def test_every_page_has_a_skip_link_and_the_favicon(client, db):
    page = client.get("/").content.decode()

    assert '<a class="skip-link" href="#content">Skip to content</a>' in page
    assert 'id="content"' in page
    assert 'rel="icon" href="/static/favicon.svg"' in page

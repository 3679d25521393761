"""Storefront pages that JavaScript enhances still work, and say the same, without it."""

import pytest
from django.urls import reverse

from shop.models import Order

from .test_views import fill_checkout, pay

pytestmark = pytest.mark.django_db(transaction=True)


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
    assert real.content == unknown.content
    page = real.content.decode()
    assert 'data-testid="confirmation-elsewhere"' in page
    assert "only in the" in page
    assert "browser that placed the order" in page
    assert "Reply to the confirmation email" in page
    assert "orders@example.com" in page
    assert order.number not in page


def test_print_button_is_hidden_until_javascript_shows_it(client, blanket, confirmation_email):
    page = client.get(pay(client, fill_checkout(client, blanket)).url).content.decode()

    assert '<p class="print-hint" data-print-hint hidden>' in page
    assert 'data-testid="document-password"' in page  # plain text, selectable without JS
    assert "js/shop.js" in page
    assert "defer" in page

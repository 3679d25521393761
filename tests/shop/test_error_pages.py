"""A missing page and a failing page look like the shop, not like a bare server."""

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]


@pytest.mark.django_db
def test_a_missing_page_is_the_branded_404(client, production):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Nordic Goods" in html  # the header and footer of base.html
    assert "We can't find that page" in html
    assert 'href="/cart/"' in html
    assert "Content-Security-Policy" in response.headers


@pytest.mark.django_db
def test_an_unknown_order_number_is_the_branded_404(client, production):
    response = client.get("/orders/NG-AAAA-AAAA/")

    assert response.status_code == 404
    assert "Nordic Goods" in response.content.decode()


def test_the_500_page_is_branded_without_context_processors_or_database(settings, production):
    """No django_db mark: a query while rendering would fail the test."""
    settings.SHOP_NAME = "Fjällbutiken"
    request = RequestFactory().get("/")

    response = server_error(request)

    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert html.count("Fjällbutiken") == 3  # title, header, footer
    assert "/static/css/shop.css" in html

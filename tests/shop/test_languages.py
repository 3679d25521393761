"""Catalog text per language with a fallback that is never empty, and amounts written as each
language writes them."""

from decimal import Decimal

import pytest
from django.test import Client, RequestFactory
from django.test.utils import override_script_prefix
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from shop.models import ProductTranslation
from shop.money import format_money
from tests.factories import ProductFactory

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("language", "written"),
    [("sv", f"1{NBSP}387,00 kr"), ("en", "SEK 1,387.00")],
)
def test_money_is_written_as_the_active_language_writes_it(language, written):
    with translation.override(language):
        assert format_money(Decimal("1387"), "SEK") == written


def test_another_currency_keeps_its_code():
    with translation.override("sv"):
        assert format_money(Decimal("12.5"), "EUR") == "12,50 EUR"


@pytest.mark.django_db
def test_a_missing_translation_falls_back_to_the_default_language_never_to_nothing(settings):
    settings.LANGUAGE_CODE = "sv"
    product = ProductFactory(name="Base name", description="Base text")
    ProductTranslation.objects.create(
        product=product, language="sv", name="Skärbräda", description=""
    )

    with translation.override("en"):  # no English row: the default language's
        assert product.display_name == "Skärbräda"
        assert product.display_description == "Base text"  # empty there too: the row's own
    ProductTranslation.objects.create(
        product=product, language="en", name="Cutting board", description="Birch."
    )
    product = type(product).objects.prefetch_related("translations").get(pk=product.pk)
    with translation.override("en"):
        assert (product.display_name, product.display_description) == ("Cutting board", "Birch.")
    with translation.override("sv"):
        assert product.display_name == "Skärbräda"


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]


@pytest.mark.django_db
def test_the_browsers_language_picks_the_shop_and_its_form_errors(client, blanket):
    """Accept-Language alone, no switcher: every label, price and error in Swedish."""
    url = reverse("shop:product", args=[blanket.slug])
    page = client.get(url, headers={"accept-language": "sv"}).content.decode()
    assert '<html lang="sv">' in page
    assert "Lägg i varukorgen" in page
    assert "Rödbrun (+50,00 kr)" in page
    assert "895,00 kr" in page

    refused = client.post(url, {"quantity": 0}, headers={"accept-language": "sv"})
    html = refused.content.decode()
    assert "Kontrollera formuläret" in html
    # Django's own messages are Swedish too.
    assert "Kontrollera att detta värde är större än eller lika med 1." in html
    assert "Please" not in html


@pytest.mark.django_db
def test_the_switcher_keeps_the_choice_in_a_cookie_without_javascript(client, blanket):
    """A plain form post to set_language (it works without JavaScript), then every page."""
    switched = client.post(
        reverse("set_language"),
        {"language": "sv"},
        headers={"referer": "http://testserver/cart/"},
    )

    assert switched.status_code == 302
    assert switched.url == "http://testserver/cart/"  # back where the visitor was
    assert "Din varukorg" in client.get(reverse("shop:cart")).content.decode()
    assert "Skärbräda" not in client.get("/").content.decode()  # factories: no demo catalog
    catalog = client.get("/").content.decode()
    assert "Gjort på beställning, i norr" in catalog
    assert "från 895,00 kr" in catalog


@pytest.mark.django_db
def test_the_404_page_speaks_the_visitors_language(client, production):
    page = client.get("/no-such-page/", headers={"accept-language": "sv"})

    assert page.status_code == 404
    assert "Vi hittar inte den sidan" in page.content.decode()


def test_the_500_page_speaks_the_visitors_language(production):
    request = RequestFactory().get("/")

    with translation.override("sv"):  # as LocaleMiddleware leaves it for a Swedish visitor
        response = server_error(request)

    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "Något gick fel hos oss" in html


@pytest.mark.django_db
def test_the_back_office_stays_english_whatever_the_browser_asks(
    admin_client, admin_user, client, settings, blanket
):
    """The back office's own words are English only: with a Swedish browser, Django's admin
    words were Swedish around them. The shop beside it still follows the browser."""
    swedish = {"accept-language": "sv"}
    index = admin_client.get(reverse("admin:index"), headers=swedish)
    page = index.content.decode()
    assert '<html lang="en"' in page
    assert "Log out" in page
    assert "Logga ut" not in page
    assert index["Content-Language"] == "en"
    shop = client.get(reverse("shop:product", args=[blanket.slug]), headers=swedish)
    assert "Lägg i varukorgen" in shop.content.decode()

    # The site mounted under a prefix (Django's WSGI handler sets it from SCRIPT_NAME; the
    # test client does not, hence the override).
    mounted = Client()  # its own middleware, whose first request is under the prefix
    mounted.force_login(admin_user)
    with override_script_prefix("/shop/"):
        page = mounted.get("/admin/", headers=swedish, SCRIPT_NAME="/shop").content.decode()
    assert '<html lang="en"' in page

    settings.ADMIN_LANGUAGE_CODE = ""  # a translated back office: the browser decides again
    assert "Logga ut" in admin_client.get(reverse("admin:index"), headers=swedish).content.decode()

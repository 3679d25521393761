"""Catalog text per language with a fallback that is never empty, and amounts written as each
language writes them."""

from decimal import Decimal

import pytest
from django.utils import translation

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

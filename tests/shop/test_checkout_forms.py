"""The customer's forms: one error summary, describedby ids that exist, autofill, the country
list, the step indicator, the email on the payment page and a card number never echoed."""

import logging
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from shop.countries import Country, country_name
from shop.documents import order_context
from shop.models import Order
from tests.factories import CustomerFactory, OrderFactory

from .conftest import CUSTOMER
from .test_views import add_to_cart, fill_checkout, pay

pytestmark = pytest.mark.django_db

DECLINED = "4000 0000 0000 0002"
# What a browser sends for the checkout form left blank (the country select keeps its choice).
BLANK = dict.fromkeys(CUSTOMER, "") | {"country": "SE"}


class Elements(HTMLParser):
    """Every element's tag and attributes, in document order."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def ids(self) -> set[str]:
        return {attrs["id"] for _, attrs in self.elements if "id" in attrs}

    def find(self, **wanted) -> list[dict[str, str]]:
        return [
            attrs
            for _, attrs in self.elements
            if all(attrs.get(name.replace("_", "-")) == value for name, value in wanted.items())
        ]

    def field(self, name: str) -> dict[str, str]:
        (attrs,) = [attrs for _, attrs in self.elements if attrs.get("name") == name]
        return attrs


def dangling_describedby(html: str) -> list[str]:
    page = Elements(html)
    ids = page.ids()
    return [
        target
        for _, attrs in page.elements
        for target in attrs.get("aria-describedby", "").split()
        if target not in ids
    ]


def test_an_empty_checkout_gets_one_summary_linking_to_each_field(client, blanket):
    add_to_cart(client, blanket)

    html = client.post(reverse("shop:checkout"), BLANK).content.decode()

    page = Elements(html)
    assert len(page.find(role="alert")) == 1  # one announcement, not one per field
    links = [attrs["href"] for tag, attrs in page.elements if tag == "a" and "href" in attrs]
    required = ["first_name", "last_name", "email", "address_line1", "postal_code", "city"]
    summary_links = [href for href in links if href.startswith("#id_")]
    assert summary_links == [f"#id_{name}" for name in required]  # in the form's order
    assert all(href.removeprefix("#") in page.ids() for href in summary_links)
    assert "First name: This field is required." in html


def test_invalid_fields_are_marked_and_described_by_their_error(client, blanket):
    add_to_cart(client, blanket)

    html = client.post(reverse("shop:checkout"), CUSTOMER | {"email": "not-an-email"}).content
    page = Elements(html.decode())

    email = page.field("email")
    assert email["aria-invalid"] == "true"
    assert email["aria-describedby"].split() == ["id_email_helptext", "id_email_error"]
    assert "aria-invalid" not in page.field("city")
    assert dangling_describedby(html.decode()) == []


@pytest.mark.parametrize("step", ["checkout", "payment", "product"])
def test_every_describedby_id_exists(client, blanket, step):
    """Help texts and errors, on every storefront form, with and without errors."""
    key = fill_checkout(client, blanket)
    if step == "checkout":
        pages = [client.get(reverse("shop:checkout")), client.post(reverse("shop:checkout"), BLANK)]
    elif step == "payment":
        pages = [client.get(reverse("shop:payment")), pay(client, key, card="12")]
    else:
        url = reverse("shop:product", args=[blanket.slug])
        pages = [client.get(url), client.post(url, {"quantity": "0"})]

    for response in pages:
        html = response.content.decode()
        assert "aria-describedby" in html
        assert dangling_describedby(html) == []


def test_checkout_fields_carry_autofill_tokens(client, blanket):
    add_to_cart(client, blanket)

    page = Elements(client.get(reverse("shop:checkout")).content.decode())

    expected = {
        "first_name": "given-name",
        "last_name": "family-name",
        "email": "email",
        "phone": "tel",
        "address_line1": "address-line1",
        "address_line2": "address-line2",
        "postal_code": "postal-code",
        "city": "address-level2",
        "country": "country",
    }
    assert {name: page.field(name)["autocomplete"] for name in expected} == expected
    assert page.field("phone")["type"] == "tel"
    assert page.field("email")["type"] == "email"


def test_names_and_postal_code_with_city_are_paired(client, blanket):
    add_to_cart(client, blanket)

    html = client.get(reverse("shop:checkout")).content.decode()

    halves = [attrs for _, attrs in Elements(html).elements if "half" in attrs.get("class", "")]
    assert len(halves) == 4  # checked on screen in tests/e2e/test_checkout_forms.py


def test_country_is_a_select_of_the_countries_we_ship_to(client, blanket):
    add_to_cart(client, blanket)

    html = client.get(reverse("shop:checkout")).content.decode()

    assert '<select name="country"' in html
    assert '<option value="SE" selected>Sweden</option>' in html
    assert '<option value="NO">Norway</option>' in html
    assert html.count("<option") == len(Country.choices)


def test_a_country_outside_the_list_is_refused(client, blanket):
    add_to_cart(client, blanket)

    response = client.post(reverse("shop:checkout"), CUSTOMER | {"country": "Narnia"})

    assert response.status_code == 200
    assert "Select a valid choice. Narnia is not one of the available choices." in (
        response.content.decode()
    )
    assert "checkout_customer" not in client.session


def test_the_chosen_country_reaches_the_order_and_its_documents(client, blanket):
    key = fill_checkout(client, blanket, customer=CUSTOMER | {"country": "NO"})

    payment = client.get(reverse("shop:payment")).content.decode()
    assert "Norway" in payment
    pay(client, key)

    order = Order.objects.get()
    assert order.customer.country == "NO"
    assert order_context(order)["customer"]["country"] == "Norway"
    confirmation = client.get(reverse("shop:confirmation", args=[order.number]))
    assert "Norway" in confirmation.content.decode()


def test_an_order_from_before_the_list_keeps_its_country_as_typed(db):
    order = OrderFactory(customer=CustomerFactory(country="Schweiz"))

    assert order_context(order)["customer"]["country"] == "Schweiz"
    assert country_name("SE") == "Sweden"


def test_details_kept_from_before_the_list_are_asked_again(client, blanket):
    add_to_cart(client, blanket)
    session = client.session
    session["checkout_customer"] = CUSTOMER | {"country": "Sverige"}
    session.save()

    response = client.get(reverse("shop:payment"))

    assert response.status_code == 302
    assert response.url == reverse("shop:checkout")


def test_migration_turns_typed_country_names_into_codes(db):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("shop.migrations.0003_customer_country_code")
    typed = {
        "Sverige": "SE",
        " sweden ": "SE",
        "Norge": "NO",
        "Suomi": "FI",
        "Tyskland": "DE",
        "Schweiz": "Schweiz",
    }
    customers = {CustomerFactory(country=name).pk: code for name, code in typed.items()}

    migration.names_to_codes(apps, None)

    from shop.models import Customer

    stored = dict(Customer.objects.filter(pk__in=customers).values_list("pk", "country"))
    assert stored == customers


@pytest.mark.parametrize(
    ("url_name", "current"),
    [("shop:cart", "Cart"), ("shop:checkout", "Details"), ("shop:payment", "Payment")],
)
def test_the_step_indicator_says_where_the_customer_is(client, blanket, url_name, current):
    fill_checkout(client, blanket)

    html = client.get(reverse(url_name)).content.decode()

    assert 'aria-label="Checkout progress"' in html
    assert f'<li aria-current="step">{current}</li>' in html
    assert html.count('aria-current="step"') == 1


def test_the_confirmation_is_the_last_step(client, blanket):
    key = fill_checkout(client, blanket)

    html = client.get(pay(client, key).url).content.decode()

    assert '<li aria-current="step">Done</li>' in html
    assert f'href="{reverse("shop:cart")}">Cart' not in html  # nothing to go back to


def test_the_payment_page_shows_where_the_confirmation_goes(client, blanket):
    fill_checkout(client, blanket, customer=CUSTOMER | {"email": "asa.oberg@example.com"})

    page = Elements(client.get(reverse("shop:payment")).content.decode())
    html = client.get(reverse("shop:payment")).content.decode()

    assert page.find(data_testid="confirmation-email")
    assert "go to <strong>asa.oberg@example.com</strong>" in html


def test_a_declined_card_number_is_not_written_back(client, blanket, caplog):
    key = fill_checkout(client, blanket)
    caplog.set_level(logging.DEBUG)

    response = pay(client, key, card=DECLINED)

    html = response.content.decode()
    assert "declined" in html.lower()
    page = Elements(html)
    assert "value" not in page.field("card_number")
    assert "value" not in page.field("cvc")
    assert page.field("expiry")["value"] == "12/30"  # not secret: saves retyping
    digits = DECLINED.replace(" ", "")
    assert DECLINED not in html
    assert digits not in html
    assert digits not in caplog.text
    assert DECLINED not in caplog.text


def test_a_malformed_card_number_is_not_written_back_either(client, blanket):
    key = fill_checkout(client, blanket)

    html = pay(client, key, card="4242 4242").content.decode()

    assert "Enter a card number of 12 to 19 digits." in html
    assert "value" not in Elements(html).field("card_number")


def test_staff_see_the_country_by_name_on_the_order(admin_client):
    order = OrderFactory(customer=CustomerFactory(country="FI", city="Helsinki"))

    page = admin_client.get(reverse("admin:shop_order_change", args=[order.pk]))

    assert "Finland" in page.content.decode()


@pytest.mark.parametrize(
    ("field", "typed", "named"),
    [
        ("first_name", "Kim 🙂", "“🙂”"),
        ("last_name", "山田", "“山”, “田”"),
        ("address_line1", "Storgatan 12 🏠", "“🏠”"),
        ("city", "東京", "“東”, “京”"),
    ],
)
def test_details_the_pdf_font_cannot_draw_are_refused_by_name(client, blanket, field, typed, named):
    """The receipt prints the name and address in the PDF's font: a character it lacks would
    print as an empty box, so checkout refuses it as the cart refuses such an engraving."""
    add_to_cart(client, blanket)

    response = client.post(reverse("shop:checkout"), CUSTOMER | {field: typed})

    assert response.status_code == 200
    assert f"Our printed order cannot show {named}" in response.content.decode()
    assert "checkout_customer" not in client.session


def test_details_in_swedish_and_other_latin_scripts_are_accepted(client, blanket):
    add_to_cart(client, blanket)
    details = CUSTOMER | {"first_name": "Kim", "last_name": "O'Brien-Ståhl", "city": "Łódź"}

    response = client.post(reverse("shop:checkout"), details)

    assert response.status_code == 302


def test_staff_read_amounts_and_the_language_as_the_shop_writes_them(admin_client):
    order = OrderFactory(subtotal=Decimal("1138.00"), total=Decimal("1138.00"), language="sv")

    listing = admin_client.get(reverse("admin:shop_order_changelist")).content.decode()
    page = admin_client.get(reverse("admin:shop_order_change", args=[order.pk])).content.decode()

    assert "SEK 1,138.00" in listing
    assert "1138.00" not in listing
    assert '<td class="field-language">Swedish</td>' in listing
    assert re.search(r"Total:</label>\s*<div class=\"readonly\">SEK 1,138.00</div>", page)
    assert re.search(r"Language:</label>\s*<div class=\"readonly\">Swedish</div>", page)
    assert "1138.00" not in page
    assert "SEK 125.00" in page  # the line's unit price

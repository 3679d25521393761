"""The language switch in a browser: a visitor switches the shop to Swedish, buys in Swedish,
and the order (so its confirmation email) is Swedish; switching back gives the English page."""

import pytest

from demo.catalog import seed_catalog
from demo.emails import seed_message_templates
from shop.models import Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_switch_to_swedish_buy_and_switch_back(live_server, page, mailoutbox):
    seed_catalog()
    seed_message_templates()

    page.goto(live_server.url)
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="Svenska").click()

    assert page.locator("html").get_attribute("lang") == "sv"
    page.get_by_role("link", name="Skärbräda med gravyr").click()
    page.get_by_label("Träslag").select_option(label="Ek (+120,00 kr)")
    page.get_by_label("Antal").fill("2")
    assert page.get_by_test_id("line-price").inner_text() == "1\xa0138,00 kr"  # the script too
    page.get_by_role("button", name="Lägg i varukorgen").click()
    assert page.get_by_test_id("cart-total").inner_text() == "1\xa0138,00 kr"
    page.get_by_role("link", name="Till kassan").click()
    page.get_by_role("button", name="Fortsätt till betalning").click()  # empty: errors in Swedish
    assert "Kontrollera formuläret" in page.get_by_role("alert").inner_text()
    page.get_by_label("E-post").fill("asa@example.com")
    page.get_by_label("Förnamn").fill("Åsa")
    page.get_by_label("Efternamn").fill("Öberg")
    page.get_by_label("Adress", exact=True).fill("Storgatan 12")
    page.get_by_label("Postnummer").fill("831 30")
    page.get_by_label("Ort").fill("Östersund")
    page.get_by_role("button", name="Fortsätt till betalning").click()
    page.get_by_label("Kortnummer").fill("4242 4242 4242 4242")
    page.get_by_label("Giltigt till (MM/ÅÅ)").fill("12/30")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name="Betala 1\xa0138,00 kr").click()

    assert page.get_by_role("heading", name="Tack, Åsa!").is_visible()
    assert page.get_by_text("Träslag: Ek").is_visible()
    order = Order.objects.get()
    assert order.language == "sv"
    assert mailoutbox[0].subject == f"Orderbekräftelse {order.number} från Nordic Goods"

    page.get_by_role("button", name="English").click()  # back to the page it was on
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Thank you, Åsa!").is_visible()

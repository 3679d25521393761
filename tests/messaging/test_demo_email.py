"""The demo confirmation email: it says what docs/staff/ promises, passes the template checks,
and seeding brings an unedited copy up to date while leaving staff edits alone.

The demo's own tests: the only messaging tests that stand on the demo seed (every other test
builds its templates with `tests.factories`)."""

import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from attachments.api import generated_password
from demo import emails
from demo.emails import seed_message_templates
from messaging.models import MessageTemplate
from shop.models import OrderLine
from tests.factories import OrderFactory
from tests.messaging.helpers import complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmation_template(db):
    """The demo order confirmation (with its encrypted PDF), as `make run` seeds it."""
    return seed_message_templates()


def test_the_demo_email_says_what_a_customer_needs_and_nothing_personal(
    confirmation_template, mailoutbox
):
    order = complete(
        OrderFactory(
            customer__first_name="Åsa",
            customer__last_name="Lindqvist",
            customer__address_line1="Malmvägen 7",
            customer__address_line2="Lgh 1102",
            customer__postal_code="981 31",
            customer__city="Kiruna",
        )
    )

    [email] = mailoutbox
    html = email.alternatives[0][0]
    assert email.subject == f"Your Nordic Goods order {order.number}"
    assert "Hi Åsa," in email.body
    # The order, its date, what was bought, the total, how to open the PDF, what to do without
    # the password, and where the shop is.
    placed = timezone.localtime(order.created_at)
    date = f"{placed.day} {placed:%B %Y}"
    for body in (email.body, html):
        assert f"Order {order.number}" in body
        assert f"Placed on {date}" in body
        assert "Mugg Fjällräv" in body
        assert "SEK 250.00" in body  # the total, as English writes it
        assert "document password" in body
        assert "Can't open your PDF?" in body
        assert "http://127.0.0.1:8000/documents/en/lost-password/" in body
        assert "Shop again at" in body
        assert "Warm regards," in body  # the demo layout
    assert "2 × Mugg Fjällräv: SEK 250.00" in email.body
    assert "2 &times; Mugg Fjällräv" in html
    assert f'white-space:nowrap;">Order {order.number}</h1>' in html.replace("\n", "")
    customer = order.customer
    personal = [
        generated_password(order.token),
        customer.last_name,
        customer.email,
        customer.address_line1,
        customer.address_line2,
        customer.postal_code,
        customer.city,
        customer.phone,
        "Hej Åsa",  # the line's text option (an engraving)
        "Mörkblå",  # options are never printed in the email
    ]
    for value in personal:
        assert value not in email.body
        assert value not in html
        assert value not in email.subject
    [(filename, _content, _mimetype)] = email.attachments
    assert filename == f"order-{order.number}.pdf"


@pytest.mark.parametrize(("language", "says"), [("en", "Shop again at"), ("sv", "Handla igen på")])
def test_the_demo_email_names_the_shop_where_it_runs(settings, mailoutbox, language, says):
    """`make run PORT=8731` serves the shop at :8731: the email says so, not :8000."""
    settings.SHOP_URL = "http://127.0.0.1:8731/"
    seed_message_templates()

    complete(OrderFactory(language=language))

    [email] = mailoutbox
    html = email.alternatives[0][0]
    assert f"{says} http://127.0.0.1:8731/" in email.body
    assert f"{says} <strong>http://127.0.0.1:8731/</strong>" in html
    assert "8000" not in email.body + html


def test_seeding_brings_the_demo_email_from_before_the_shop_address_up_to_date(db):
    from demo import emails_sv

    seed_message_templates()
    fixed = {"en": emails.PREVIOUS_BODIES[0], "sv": emails_sv.PREVIOUS_BODIES[0]}
    for template in MessageTemplate.objects.all():
        template.subject, template.text_body, template.html_body = fixed[template.language]
        template.save(note="as an earlier seed left it")

    seed_message_templates()

    for template in MessageTemplate.objects.all():
        assert "{{ shop.url }}" in template.text_body
        assert template.published_revision.text_body == template.text_body


def test_the_demo_email_and_layout_pass_the_template_checks(settings):
    settings.EMAIL_ALLOWED_URL_HOSTS = []  # production's default without ALLOWED_HOSTS
    template = seed_message_templates()

    template.full_clean()
    template.layout.full_clean()


def test_seeding_again_changes_nothing(confirmation_template):
    revisions = confirmation_template.revisions.count()
    layout_revisions = confirmation_template.layout.revisions.count()

    seed_message_templates()

    confirmation_template.refresh_from_db()
    assert confirmation_template.html_body == emails.HTML
    assert confirmation_template.revisions.count() == revisions
    assert confirmation_template.layout.revisions.count() == layout_revisions


def test_seeding_updates_an_unedited_earlier_demo_email_and_layout(confirmation_template):
    template, layout = confirmation_template, confirmation_template.layout
    template.subject, template.text_body, template.html_body = emails.PREVIOUS_BODIES[0]
    template.save(note="as an earlier seed left it")
    layout.html_header = emails.PREVIOUS_LAYOUT_HTML_HEADERS[0]
    layout.css = emails.PREVIOUS_LAYOUT_CSS[0]
    layout.save(note="as an earlier seed left it")
    revisions, layout_revisions = template.revisions.count(), layout.revisions.count()

    seed_message_templates()
    seed_message_templates()

    template.refresh_from_db()
    layout.refresh_from_db()
    assert (template.text_body, template.html_body) == (emails.TEXT, emails.HTML)
    assert (layout.html_header, layout.css) == (emails.LAYOUT_HTML_HEADER, emails.LAYOUT_CSS)
    assert template.revisions.count() == revisions + 1
    assert layout.revisions.count() == layout_revisions + 1


def test_seeding_keeps_what_staff_wrote(confirmation_template):
    template = confirmation_template
    template.html_body = "<p>Tack, {{ customer.first_name }}!</p>"
    template.save(note="staff")
    layout = template.layout
    layout.css = emails.PREVIOUS_LAYOUT_CSS[0] + "h1 { color: red; }"
    layout.html_header = emails.PREVIOUS_LAYOUT_HTML_HEADERS[0]
    layout.save(note="staff")

    seed_message_templates()

    template.refresh_from_db()
    layout.refresh_from_db()
    assert template.html_body == "<p>Tack, {{ customer.first_name }}!</p>"
    assert layout.html_header == emails.PREVIOUS_LAYOUT_HTML_HEADERS[0]


def test_email_and_pdf_write_amounts_as_the_site_does(confirmation_template, mailoutbox):
    """The same "SEK 2,774.00" as the cart and the confirmation page (shop.money.format_money)."""
    order = OrderFactory(lines=0, subtotal=Decimal("2774.00"), total=Decimal("2774.00"))
    OrderLine.objects.create(
        order=order,
        product_name="Ullfilt Åre",
        unit_price=Decimal("1387.00"),
        quantity=2,
        line_total=Decimal("2774.00"),
    )

    complete(order)

    email = mailoutbox[0]
    html = email.alternatives[0][0]
    for body in (email.body, html):
        assert "SEK 2,774.00" in body
        assert "2774.00" not in body
    _, content, _ = email.attachments[0]
    reader = PdfReader(io.BytesIO(content))
    assert reader.decrypt(generated_password(order.token))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "1,387.00" in text  # the unit price
    assert re.search(r"Total paid\s*SEK 2,774\.00", text), text
    assert re.search(r"of which VAT 25%\s*SEK 554\.80", text), text
    assert "2774.00" not in text


@pytest.mark.parametrize(
    ("language", "says"),
    [
        (
            "en",
            [
                "Total: SEK 250.00",
                "VAT included: SEK 50.00 (25%)",
                "Your right of withdrawal",
                "within 14 days without giving any",
                "model\nwithdrawal form (Annex I(B) to EU Directive 2011/83/EU)",
                "Nordic Goods AB, Storgatan 1, 831 30 Östersund, Sweden",
                "Org. no. 559000-0000 · VAT no. SE559000000001",
            ],
        ),
        (
            "sv",
            [
                "Totalt: 250,00 kr",
                "Varav moms: 50,00 kr (25 %)",
                "Din ångerrätt",
                "inom 14 dagar utan att ange något skäl",
                "standardformuläret för att ångra köp (bilaga I B till EU-direktiv\n2011/83/EU)",
                "Nordic Goods AB, Storgatan 1, 831 30 Östersund, Sverige",
                "Org.nr 559000-0000 · Momsreg.nr SE559000000001",
            ],
        ),
    ],
)
def test_the_demo_email_carries_what_the_law_wants_on_a_durable_medium(mailoutbox, language, says):
    """EU Directive 2011/83/EU art. 8(7): the confirmation on a durable medium — the seller, its
    address and numbers, the total with VAT, the right of withdrawal and how to use it — in the
    email's own text, readable without the PDF's password; still nothing of the customer's
    beyond the first name."""
    seed_message_templates()
    order = complete(
        OrderFactory(
            language=language,
            customer__first_name="Åsa",
            customer__last_name="Lindqvist",
            customer__phone="+46 70 765 43 21",
            customer__address_line1="Malmvägen 7",
            customer__postal_code="981 31",
            customer__city="Kiruna",
        )
    )

    [email] = mailoutbox
    html = email.alternatives[0][0]
    text_of_html = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html).replace("&times;", "×"))
    for said in says:
        assert said in email.body
    # The HTML says the same, the VAT in a row of the totals table.
    vat_label, vat_amount = {"en": ("VAT included", "SEK 50.00"), "sv": ("Varav moms", "50,00 kr")}[
        language
    ]
    for said in [*says[:1], vat_label, vat_amount, *says[2:]]:
        assert re.sub(r"\s+", " ", said.replace(":", "")) in text_of_html.replace(":", "")
    customer = order.customer
    for personal in (
        customer.last_name,
        customer.phone,
        customer.address_line1,
        customer.postal_code,
        customer.city,
        customer.email,
        generated_password(order.token),
    ):
        assert personal not in email.body
        assert personal not in html
        assert personal not in email.subject


@pytest.mark.parametrize("language", ["en", "sv"])
def test_seeding_gives_an_existing_published_demo_email_the_legal_text_as_a_new_revision(
    language,
):
    from demo import emails_sv

    seed_message_templates()
    template = MessageTemplate.objects.get(language=language)
    earlier = {"en": emails.PREVIOUS_BODIES[-1], "sv": emails_sv.PREVIOUS_BODIES[-1]}[language]
    template.subject, template.text_body, template.html_body = earlier
    template.save(note="As an earlier seed left it.")
    template.publish(template.current_revision())
    published_before = template.published_revision
    revisions = template.revisions.count()

    seed_message_templates()

    template.refresh_from_db()
    assert template.revisions.count() == revisions + 1
    assert template.published_revision != published_before
    assert "2011/83/EU" in template.published_revision.text_body
    published_before.refresh_from_db()
    assert published_before.text_body == earlier[1]  # the published revision was not edited

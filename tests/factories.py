"""factory_boy factories shared by the whole suite.

One module for every app, as cookiecutter-django keeps its `tests/factories.py`: an order
confirmation needs a layout, an attachment template and an order, so per-app modules would
import each other anyway. The email and document content below is the suite's own, written for
what the tests check; the Nordic Goods demo content (`demo/`) is used only by the demo's own
tests and the browser tests that walk the demo shop (a contract in `.importlinter` keeps it so).
"""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from attachments.models import DEFAULT_FILENAME_TEMPLATE, AttachmentTemplate
from messaging.models import Event, Layout, MessageTemplate
from shop.events import (
    ORDER_CONFIRMATION_SCHEMA,
    order_confirmation_data,
    order_confirmation_example,
)
from shop.models import Customer, OptionChoice, Order, OrderLine, Product, ProductOption
from stafftemplates.models import EventType

# What a customer types into the checkout form (the form's field names).
CHECKOUT_DETAILS = {
    "email": "asa@example.com",
    "first_name": "Åsa",
    "last_name": "Öberg",
    "phone": "",
    "address_line1": "Storgatan 12",
    "address_line2": "",
    "postal_code": "831 30",
    "city": "Östersund",
    "country": "SE",
}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery")


class StaffFactory(UserFactory):
    is_staff = True


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    email = factory.Sequence(lambda n: f"kund{n}@example.com")
    first_name = "Åsa"
    last_name = "Öberg"
    phone = "+46 70 123 45 67"
    address_line1 = "Storgatan 12"
    postal_code = "831 30"
    city = "Östersund"
    country = "SE"


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Ullfilt {n}")
    slug = factory.Sequence(lambda n: f"ullfilt-{n}")
    description = "Varm och mjuk."
    price = Decimal("100.00")


class ChoiceOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductOption

    product = factory.SubFactory(ProductFactory)
    name = "Colour"
    kind = ProductOption.Kind.CHOICE


class TextOptionFactory(ChoiceOptionFactory):
    name = "Engraving"
    kind = ProductOption.Kind.TEXT
    required = False
    max_length = 20


class OptionChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OptionChoice

    option = factory.SubFactory(ChoiceOptionFactory)
    label = factory.Sequence(lambda n: f"Färg {n}")
    price_delta = Decimal("0.00")


class OrderFactory(factory.django.DjangoModelFactory):
    """A paid order with one line; pass `lines=0` to add your own."""

    class Meta:
        model = Order
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    checkout_key = factory.Sequence(lambda n: f"checkout-key-{n:08d}")
    status = Order.Status.PAID
    currency = "SEK"
    subtotal = Decimal("250.00")
    total = Decimal("250.00")

    @factory.post_generation
    def lines(self, create, extracted, **kwargs):
        if not create or extracted == 0:
            return
        OrderLine.objects.create(
            order=self,
            product_name="Mugg Fjällräv",
            options=[{"name": "Glaze", "value": "Mörkblå"}, {"name": "Text", "value": "Hej Åsa"}],
            unit_price=Decimal("125.00"),
            quantity=2,
            line_total=Decimal("250.00"),
        )


class EventTypeFactory(factory.django.DjangoModelFactory):
    """The shop's order confirmation type (the one its migration creates), or, with another
    `code`, a type of your own with its own schema."""

    class Meta:
        model = EventType
        django_get_or_create = ["code"]

    code = "order_confirmation"
    name = "Order confirmation"
    schema = factory.LazyFunction(lambda: ORDER_CONFIRMATION_SCHEMA)
    example = factory.LazyFunction(lambda: order_confirmation_example(language="en"))


class OrderEventFactory(factory.django.DjangoModelFactory):
    """An order's confirmation event as the storefront writes it (no message: pass the
    `order`, or get a new one)."""

    class Meta:
        model = Event
        exclude = ["order"]

    order = factory.SubFactory(OrderFactory)
    type = factory.SubFactory(EventTypeFactory)
    recipient = factory.LazyAttribute(lambda e: e.order.customer.email)
    recipient_name = factory.LazyAttribute(lambda e: e.order.customer.full_name)
    language = factory.LazyAttribute(lambda e: e.order.language)
    data = factory.LazyAttribute(lambda e: order_confirmation_data(e.order))
    reference = factory.LazyAttribute(lambda e: e.order.number)
    idempotency_key = factory.LazyAttribute(lambda e: f"order:{e.order.number}")
    token = factory.LazyAttribute(lambda e: e.order.token)


def publish_newest(obj) -> None:
    """Make an object's newest revision the one customers get (what Publish in admin does)."""
    obj.publish(obj.current_revision())


class PublishedFactory(factory.django.DjangoModelFactory):
    """Publishes what it made once every post-generation step ran (attachments record a
    revision of their own), unless called with `published=False`: the suite keeps meaning what
    customers get, as before draft and publish existed."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    published = factory.PostGeneration(lambda obj, create, extracted, **kwargs: extracted)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        super()._after_postgeneration(instance, create, results)
        if create and (results or {}).get("published") is not False:
            publish_newest(instance)


class AttachmentTemplateFactory(PublishedFactory):
    """A small staff document (saved through the model: compiled, first revision kept) and
    published; pass `published=False` for a draft that customers do not get yet."""

    class Meta:
        model = AttachmentTemplate
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Receipt {n}")
    event_type = factory.SubFactory(EventTypeFactory)
    html = "<h1>Order {{ order.number }}</h1><p>{{ customer.full_name }}</p>"
    css = "h1 { font-size: 14pt; }"
    filename_template = "receipt-{{ order.number }}.pdf"


class MessageTemplateFactory(PublishedFactory):
    """An active, published order confirmation email without layout or attachments; pass
    `attachments=[...]` to attach documents in order, `published=False` to leave it a draft."""

    class Meta:
        model = MessageTemplate
        skip_postgeneration_save = True

    event = factory.SubFactory(EventTypeFactory)
    name = factory.Sequence(lambda n: f"Confirmation {n}")
    subject = "Your order {{ order.number }}"
    text_body = "Hi {{ customer.first_name }}, thank you for order {{ order.number }}."
    html_body = "<p>Hi {{ customer.first_name }}</p>"

    @factory.post_generation
    def attachments(self, create, extracted, **kwargs):
        if create and extracted:
            attach(self, extracted)


def attach(template: MessageTemplate, attachment_templates: list[AttachmentTemplate]) -> None:
    """Attach documents in order, with the revision admin would record."""
    for position, attachment_template in enumerate(attachment_templates):
        template.attachment_links.create(attachment_template=attachment_template, position=position)
    template.record_revision(note="Attachments added.")


# --- a complete order confirmation ------------------------------------------------------------

# The document a customer gets: addresses, every line with its options, totals with VAT and the
# seller; a running footer with the page number (so multi-page orders show repeated headers).
RECEIPT_HTML = """\
<div id="footer">Receipt {{ order.number }} · {{ shop.name }} · page <pdf:pagenumber></div>
<h1>Receipt for order {{ order.number }}</h1>
<p class="who"><strong>{{ customer.full_name }}</strong><br>
{{ customer.address_line1 }}<br>
{% if customer.address_line2 %}{{ customer.address_line2 }}<br>{% endif %}
{{ customer.postal_code }} {{ customer.city }}<br>{{ customer.country }}<br>
{{ customer.email }}{% if customer.phone %}<br>{{ customer.phone }}{% endif %}</p>
<p>Placed {{ order.date|date:"Y-m-d H:i" }} · {{ order.status }} · {{ order.payment_method }}
· {{ order.unit_count }} units</p>
<table class="lines" repeat="1">
  <thead><tr><th>Product</th><th>Quantity</th><th>Price</th><th>Sum</th></tr></thead>
  {% for line in lines %}<tr>
    <td>{{ line.product }}{% for option in line.options %}
      <br><span class="option">{{ option.name }}: {{ option.value }}</span>{% endfor %}</td>
    <td>{{ line.quantity }}</td>
    <td>{{ line.unit_price|floatformat:"2g" }}</td>
    <td>{{ line.line_total|floatformat:"2g" }}</td>
  </tr>{% endfor %}
</table>
<p>Subtotal {{ order.subtotal|floatformat:"2g" }} {{ order.currency }}</p>
<p class="total">Paid {{ order.total|floatformat:"2g" }} {{ order.currency }}, VAT
{{ order.vat_rate|floatformat:"-2" }}% {{ order.vat|floatformat:"2g" }} {{ order.currency }}</p>
<p class="seller">{{ seller.legal_name }} · {{ seller.address }} · {{ seller.org_number }}
· {{ seller.vat_number }}</p>
"""

RECEIPT_CSS = """\
@page { size: a4 portrait; margin: 1.5cm 1.5cm 2.2cm 1.5cm;
  @frame footer { -pdf-frame-content: footer; bottom: 0.8cm; left: 1.5cm; right: 1.5cm;
                  height: 1cm; } }
body { font-size: 10pt; }
#footer { font-size: 7pt; text-align: center; }
h1 { font-size: 16pt; color: #14532d; }
.lines th { background-color: #14532d; color: #ffffff; text-align: left; padding: 3pt; }
.lines td { border-bottom: 0.5pt solid #cbd5e1; padding: 3pt; }
.option { font-size: 8pt; }
.total { font-weight: bold; }
"""

# The email: who it is for, what was bought, the total and how to open the PDF; never the
# address, the options or the document password (those belong in the encrypted PDF).
CONFIRMATION_SUBJECT = "Receipt for order {{ order.number }} from {{ shop.name }}"

CONFIRMATION_TEXT = """\
Hello {{ customer.first_name }},

we have your order {{ order.number }} of {{ order.date|date:"Y-m-d" }}:
{% for line in lines %}- {{ line.quantity }} x {{ line.product }}: {{ line.line_total }}
{% endfor %}Paid: {{ order.total }} {{ order.currency }}

Your receipt is the attached PDF. Open it with the document password from the
confirmation page; we never email it.
"""

CONFIRMATION_HTML = """\
<h1>Order {{ order.number }}</h1>
<p>Hello {{ customer.first_name }},</p>
<p>we have your order {{ order.number }} of {{ order.date|date:"Y-m-d" }}:</p>
<ul>{% for line in lines %}<li>{{ line.quantity }} &times; {{ line.product }}: \
{{ line.line_total }} {{ order.currency }}</li>{% endfor %}</ul>
<p><strong>Paid: {{ order.total }} {{ order.currency }}</strong></p>
<p>Your receipt is the attached PDF. Open it with the <strong>document password</strong> from
the confirmation page; we never email it.</p>
"""

FRAME_CSS = "body { background: #f8fafc; } .frame { max-width: 560px; padding: 16px; }"
FRAME_HTML_HEADER = '<div class="frame"><p class="brand">{{ shop.name }}</p>\n'
FRAME_HTML_FOOTER = "<p>Sent because you ordered {{ order.number }}.</p></div>\n"
FRAME_TEXT_FOOTER = "-- \n{{ shop.name }}\n"


class LayoutFactory(PublishedFactory):
    """A layout with a branded frame around the HTML body and a signature under the text."""

    class Meta:
        model = Layout

    name = factory.Sequence(lambda n: f"Frame {n}")
    html_header = FRAME_HTML_HEADER
    html_footer = FRAME_HTML_FOOTER
    css = FRAME_CSS
    text_footer = FRAME_TEXT_FOOTER


class ReceiptFactory(AttachmentTemplateFactory):
    """A complete order document: addresses, lines with options, totals, VAT, seller, footer."""

    name = factory.Sequence(lambda n: f"Order receipt {n}")
    html = RECEIPT_HTML
    css = RECEIPT_CSS
    filename_template = DEFAULT_FILENAME_TEMPLATE


class OrderConfirmationFactory(MessageTemplateFactory):
    """The active order confirmation email inside a layout, carrying one receipt PDF; pass
    `attachments=[]` for none or your own list."""

    name = factory.Sequence(lambda n: f"Order confirmation {n}")
    layout = factory.SubFactory(LayoutFactory)
    subject = CONFIRMATION_SUBJECT
    text_body = CONFIRMATION_TEXT
    html_body = CONFIRMATION_HTML

    @factory.post_generation
    def attachments(self, create, extracted, **kwargs):
        if not create:
            return
        documents = [ReceiptFactory()] if extracted is None else extracted
        if documents:
            attach(self, documents)

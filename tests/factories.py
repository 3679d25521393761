"""factory_boy factories shared by the whole suite."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from attachments.models import AttachmentTemplate
from messaging.models import Event, MessageTemplate
from shop.models import Customer, OptionChoice, Order, OrderLine, Product, ProductOption

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
    "country": "Sverige",
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
    country = "Sverige"


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


def publish_newest(obj) -> None:
    """Make an object's newest revision the one customers get (what Publish in admin does)."""
    obj.publish(obj.current_revision())


class AttachmentTemplateFactory(factory.django.DjangoModelFactory):
    """A small staff document (saved through the model: compiled, first revision kept) and
    published; pass `published=False` for a draft that customers do not get yet."""

    class Meta:
        model = AttachmentTemplate
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Receipt {n}")
    html = "<h1>Order {{ order.number }}</h1><p>{{ customer.full_name }}</p>"
    css = "h1 { font-size: 14pt; }"
    filename_template = "receipt-{{ order.number }}.pdf"

    @factory.post_generation
    def published(self, create, extracted, **kwargs):
        if create and extracted is not False:
            publish_newest(self)


class MessageTemplateFactory(factory.django.DjangoModelFactory):
    """An active, published order confirmation email without layout or attachments; pass
    `attachments=[...]` to attach documents in order, `published=False` to leave it a draft."""

    class Meta:
        model = MessageTemplate
        skip_postgeneration_save = True

    event = Event.ORDER_CONFIRMATION
    name = factory.Sequence(lambda n: f"Confirmation {n}")
    subject = "Your order {{ order.number }}"
    text_body = "Hi {{ customer.first_name }}, thank you for order {{ order.number }}."
    html_body = "<p>Hi {{ customer.first_name }}</p>"

    @factory.post_generation
    def attachments(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        for position, attachment_template in enumerate(extracted):
            self.attachment_links.create(attachment_template=attachment_template, position=position)
        self.record_revision(note="Attachments added.")

    @factory.post_generation
    def published(self, create, extracted, **kwargs):
        if create and extracted is not False:
            publish_newest(self)

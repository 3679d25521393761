"""The standalone project's own content: a ticket office's `ticket_issued` event type, its
email and its PDF ticket. Nothing of the demo shop's orders: any sender's events look like
this."""

import factory

from attachments.models import AttachmentTemplate
from messaging.models import MessageTemplate
from stafftemplates.models import EventType

TICKET_SCHEMA = {
    "type": "object",
    "properties": {
        "ticket": {
            "type": "object",
            "properties": {
                "number": {"type": "string", "minLength": 1, "maxLength": 40},
                "concert": {"type": "string", "maxLength": 200},
                "seat": {"type": "string", "maxLength": 20},
                "starts_at": {"type": "string", "format": "date-time"},
            },
            "required": ["number", "concert", "seat", "starts_at"],
        },
        "holder": {
            "type": "object",
            "properties": {"name": {"type": "string", "maxLength": 200}},
            "required": ["name"],
        },
    },
    "required": ["ticket", "holder"],
}

TICKET_EXAMPLE = {
    "ticket": {
        "number": "T-0001",
        "concert": "Example concert",
        "seat": "A1",
        "starts_at": "2027-01-15T19:30:00+01:00",
    },
    "holder": {"name": "Kim Example"},
}


def publish_newest(obj) -> None:
    """What Publish in admin does: customers get the newest revision."""
    obj.publish(obj.current_revision())


class TicketTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventType
        django_get_or_create = ["code"]

    code = "ticket_issued"
    name = "Ticket issued"
    schema = factory.LazyFunction(lambda: TICKET_SCHEMA)
    example = factory.LazyFunction(lambda: TICKET_EXAMPLE)


class TicketDocumentFactory(factory.django.DjangoModelFactory):
    """The PDF ticket, published; its password is generated (the default policy)."""

    class Meta:
        model = AttachmentTemplate
        skip_postgeneration_save = True

    name = "Ticket"
    event_type = factory.SubFactory(TicketTypeFactory)
    html = (
        "<h1>Ticket {{ ticket.number }}</h1>"
        "<p>{{ ticket.concert }}, {{ ticket.starts_at|date:'Y-m-d H:i' }}</p>"
        "<p>Seat {{ ticket.seat }} for {{ holder.name }}</p>"
    )
    css = "h1 { font-size: 18pt; }"
    filename_template = "ticket-{{ ticket.number }}.pdf"

    @factory.post_generation
    def published(obj, create, extracted, **kwargs):
        if create:
            publish_newest(obj)


class TicketEmailFactory(factory.django.DjangoModelFactory):
    """The active, published email of `ticket_issued`, carrying the PDF ticket."""

    class Meta:
        model = MessageTemplate
        skip_postgeneration_save = True

    event = factory.SubFactory(TicketTypeFactory)
    name = "Your ticket"
    subject = "Your ticket for {{ ticket.concert }}"
    text_body = "Hello {{ holder.name }}, your ticket {{ ticket.number }} is attached."
    html_body = "<p>Hello {{ holder.name }}, your ticket {{ ticket.number }} is attached.</p>"

    @factory.post_generation
    def attachments(obj, create, extracted, **kwargs):
        if not create:
            return
        obj.attachment_links.create(attachment_template=TicketDocumentFactory(), position=0)
        obj.record_revision(note="Ticket attached.")
        publish_newest(obj)

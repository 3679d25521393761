"""An email carries only documents of its own event type: a document renders its type's data,
so a credit note linked to the confirmation would render an order with no refund in it."""

import pytest
from django.core.exceptions import ValidationError

from messaging.models import MessageTemplateAttachment
from tests.factories import AttachmentTemplateFactory, EventTypeFactory
from tests.messaging.test_admin import change_url, form_data

NOTICE_SCHEMA = {"type": "object", "properties": {"note": {"type": "string"}}}


@pytest.fixture
def other_document(db):
    notice = EventTypeFactory(
        code="stock_notice", name="Stock notice", schema=NOTICE_SCHEMA, example={"note": "x"}
    )
    return AttachmentTemplateFactory(
        name="Stock list", event_type=notice, html="<p>{{ note }}</p>", filename_template="s.pdf"
    )


def test_linking_a_document_of_another_event_type_is_refused(confirmation_template, other_document):
    link = MessageTemplateAttachment(
        template=confirmation_template, attachment_template=other_document
    )

    with pytest.raises(ValidationError) as refused:
        link.full_clean()

    assert refused.value.message_dict["attachment_template"] == [
        "“Stock list” is a document of the event type “Stock notice”; this email sends "
        "“Order confirmation” events. Choose a document of that type."
    ]


def test_admin_refuses_the_link_with_the_reason_and_keeps_the_email_as_it_was(
    admin_client, confirmation_template, other_document
):
    url = change_url(confirmation_template)
    data = form_data(admin_client, url, "messagetemplate_form")
    before = list(
        confirmation_template.attachment_links.values_list("attachment_template", flat=True)
    )
    data["attachment_links-0-attachment_template"] = str(other_document.pk)

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert (
        "“Stock list” is a document of the event type “Stock notice”" in response.content.decode()
    )
    after = list(
        confirmation_template.attachment_links.values_list("attachment_template", flat=True)
    )
    assert after == before


def test_publishing_refuses_a_revision_carrying_a_document_of_another_type(
    confirmation_template, other_document
):
    MessageTemplateAttachment.objects.create(
        template=confirmation_template, attachment_template=other_document, position=1
    )
    revision = confirmation_template.record_revision(note="linked in a shell")

    with pytest.raises(ValidationError, match="“Stock list” is a document of the event type"):
        confirmation_template.publish(revision)

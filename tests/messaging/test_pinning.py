"""What a customer message is pinned to when a part it names is gone: the email still goes,
and its history says what was left out (messaging/pinning.py)."""

from django.conf import settings

from attachments.models import AttachmentTemplate
from messaging.models import Layout, Message
from stafftemplates.languages import language_name
from tests.factories import LayoutFactory
from tests.messaging.helpers import complete, message_of


def history(message: Message) -> list[str]:
    return list(message.events.values_list("detail", flat=True))


def test_a_switched_off_pdf_is_left_out_and_the_history_says_so(confirmation_template, mailoutbox):
    document = confirmation_template.attachment_links.get().attachment_template
    AttachmentTemplate.objects.filter(pk=document.pk).update(active=False)

    complete()

    message = Message.objects.get()
    assert message.status == Message.Status.SENT
    assert mailoutbox[0].attachments == []  # the email still goes, without the PDF
    assert (
        f"PDF “{document.name}” not attached: no version of it is active in any language."
        in history(message)
    )


def test_a_deleted_pdf_is_left_out_and_the_history_says_so(confirmation_template, mailoutbox):
    # The live revision still lists it once its link is gone from the draft and it is deleted.
    link = confirmation_template.attachment_links.get()
    document = link.attachment_template
    link.delete()
    AttachmentTemplate.objects.filter(pk=document.pk).delete()

    complete()

    message = Message.objects.get()
    assert message.status == Message.Status.SENT
    assert mailoutbox[0].attachments == []
    assert f"A PDF of this email (#{document.pk}) not attached: it was deleted." in history(message)


def test_a_switched_off_layout_translation_falls_back_to_another_version(
    confirmation_template, mailoutbox
):
    # The email's layout in its own language is switched off; the same layout exists, active
    # and published, in the other language: the email is framed by that one, as a missing
    # translation of the email or its PDF would be, and the history says so.
    linked = confirmation_template.layout
    other = next(code for code, _ in settings.LANGUAGES if code != linked.language)
    LayoutFactory(name=linked.name, language=other, text_footer="-- \nThe other frame\n")
    Layout.objects.filter(pk=linked.pk).update(active=False)

    order = complete()

    message = message_of(order)
    assert mailoutbox[0].body.endswith("-- \nThe other frame\n")
    wanted, used = language_name(linked.language), language_name(other)
    assert f"Layout “{linked.name}” rendered in {used}: no {wanted} version." in history(message)

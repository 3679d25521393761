"""What a customer message is pinned to when a part it names is gone: the email still goes,
and its history says what was left out (messaging/pinning.py)."""

from attachments.models import AttachmentTemplate
from messaging.models import Message
from tests.messaging.helpers import complete


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

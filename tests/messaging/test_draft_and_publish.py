"""Draft and publish: a save is a draft, customers get the published revision, publishing
takes its own permission, shows the diff against what is live and lands in the admin log."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from attachments.models import AttachmentTemplate
from messaging.models import Event, Layout, Message, MessageTemplate
from tests.factories import (
    AttachmentTemplateFactory,
    LayoutFactory,
    MessageTemplateFactory,
    OrderFactory,
    StaffFactory,
)
from tests.messaging.helpers import complete, deliver_order, message_of
from tests.messaging.test_admin import change_url, form_data

NEW_SUBJECT = "Fresh subject for {{ order.number }}"


def publish_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_publish", args=[obj.pk])


@pytest.fixture
def publisher_client(db):
    """A second person, in a browser of their own: may publish (the "Template publishers"
    group), not edit."""
    user = StaffFactory(username="publisher")
    user.groups.add(Group.objects.get(name="Template publishers"))
    client = Client()
    client.force_login(user)
    return client


def save_subject(client, template, subject: str = NEW_SUBJECT):
    url = change_url(template)
    data = form_data(client, url, "messagetemplate_form")
    data["subject"] = subject
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_a_saved_edit_is_a_draft_customers_do_not_get(
    editor_client, confirmation_template, mailoutbox
):
    live = confirmation_template.published_revision

    page = save_subject(editor_client, confirmation_template)

    assert "Saved as a draft" in page
    order = complete()
    assert mailoutbox[0].subject == f"Receipt for order {order.number} from Nordic Goods"
    message = message_of(order)
    assert message.template_revision == live
    editor_page = editor_client.get(change_url(confirmation_template)).content.decode()
    assert "not yet sent to customers" in editor_page
    assert "Review and publish" not in editor_page  # editors may not publish


def test_once_published_customers_get_the_new_revision(
    editor_client, publisher_client, confirmation_template, mailoutbox
):
    save_subject(editor_client, confirmation_template)
    draft = confirmation_template.current_revision()

    response = publisher_client.post(
        publish_url(confirmation_template), {"revision": draft.pk}, follow=True
    )

    assert "published: customers get it from now on" in response.content.decode()
    order = complete()
    assert mailoutbox[0].subject == f"Fresh subject for {order.number}"


def test_staff_without_the_publish_permission_get_a_403(editor_client, confirmation_template):
    draft_page = save_subject(editor_client, confirmation_template)
    assert "Saved as a draft" in draft_page
    draft = confirmation_template.current_revision()
    url = publish_url(confirmation_template)

    assert editor_client.get(url).status_code == 403
    assert editor_client.post(url, {"revision": draft.pk}).status_code == 403
    confirmation_template.refresh_from_db()
    assert confirmation_template.published_revision != draft


def test_publishing_is_audited(editor_client, publisher_client, confirmation_template):
    live = confirmation_template.published_revision
    save_subject(editor_client, confirmation_template)
    draft = confirmation_template.current_revision()

    publisher_client.post(publish_url(confirmation_template), {"revision": draft.pk})

    entry = LogEntry.objects.get(change_message__startswith="Published")
    assert entry.user.username == "publisher"
    assert entry.object_id == str(confirmation_template.pk)
    assert entry.change_message == (
        f"Published revision {draft.number} (replacing revision {live.number})."
    )
    confirmation_template.refresh_from_db()
    assert confirmation_template.published_by.username == "publisher"
    page = publisher_client.get(change_url(confirmation_template)).content.decode()
    assert f"Live: <strong>revision {draft.number}</strong>" in page
    assert "by publisher" in page


def test_the_publish_page_shows_the_draft_against_what_is_live(
    editor_client, publisher_client, confirmation_template
):
    save_subject(editor_client, confirmation_template)

    page = publisher_client.get(publish_url(confirmation_template)).content.decode()

    assert 'data-testid="side-by-side-diff"' in page
    live, draft = confirmation_template.published_revision, confirmation_template.current_revision()
    assert f"Live (revision {live.number})" in page
    assert f"Draft (revision {draft.number})" in page
    removed, added = page.index("Receipt for order {{ order.number }}"), page.index(NEW_SUBJECT)
    assert removed < added  # live on the left, the draft on the right
    assert "Subject" in page
    assert "Text body" not in page


def test_a_stale_publish_form_publishes_nothing(
    editor_client, publisher_client, confirmation_template
):
    save_subject(editor_client, confirmation_template)
    reviewed = confirmation_template.current_revision()
    save_subject(editor_client, confirmation_template, "Yet another {{ order.number }}")

    response = publisher_client.post(
        publish_url(confirmation_template), {"revision": reviewed.pk}, follow=True
    )

    assert "the draft changed since the page was opened" in response.content.decode()
    confirmation_template.refresh_from_db()
    assert confirmation_template.published_revision.number < reviewed.number


def test_an_event_whose_template_was_never_published_is_ignored_with_the_reason(db, mailoutbox):
    template = MessageTemplateFactory(name="Winter", published=False)

    order = complete()

    event = Event.objects.get(reference=order.number)
    assert (event.status, event.messages.count()) == (Event.Status.IGNORED, 0)
    assert template.published_revision is None
    assert "No published email template of event type “order_confirmation”" in (event.status_reason)
    assert "publish one in admin" in event.status_reason
    assert mailoutbox == []


def test_a_template_needs_its_layout_and_documents_published_first(publisher_client, db):
    layout = Layout.objects.create(name="Draft layout")
    document = AttachmentTemplateFactory(name="Draft receipt", published=False)
    template = MessageTemplateFactory(attachments=[document], published=False)
    template.layout = layout
    template.save()

    assert_publishing_refused(
        publisher_client,
        template,
        "Its layout “Draft layout (English)” has never been published",
        "Its attachment “Draft receipt (English)” has never been published",
    )


def assert_publishing_refused(client, template, *problems: str) -> None:
    """The publish page names each problem, and publishing anyway leaves nothing live."""
    page = client.get(publish_url(template)).content.decode()
    for problem in problems:
        assert problem in page
    client.post(publish_url(template), {"revision": template.current_revision().pk})
    template.refresh_from_db()
    assert template.published_revision is None


def test_a_draft_attachment_is_not_what_customers_get(confirmation_template, mailoutbox):
    document = confirmation_template.attachment_links.get().attachment_template
    live = document.published_revision
    document.filename_template = "draft-{{ order.number }}.pdf"
    document.save()

    complete()

    [(filename, _, _)] = mailoutbox[0].attachments
    assert filename.startswith("order-")
    assert Message.objects.get().attachment_links.get().attachment_revision == live


@pytest.mark.parametrize(
    ("version", "subject"), [("draft", "Fresh subject"), ("published", "Receipt")]
)
def test_a_proof_shows_the_draft_or_what_is_live(
    editor_client,
    confirmation_template,
    mailoutbox,
    django_capture_on_commit_callbacks,
    version,
    subject,
):
    save_subject(editor_client, confirmation_template)
    url = reverse("admin:messaging_messagetemplate_proof", args=[confirmation_template.pk])

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(url, {"email": "editor@example.com", "version": version})

    assert mailoutbox[0].subject.startswith(f"[Proof] {subject}")


def test_the_upgrade_publishes_each_objects_newest_revision(confirmation_template):
    # As an install from before draft and publish: nothing published, and one edit since.
    confirmation_template.subject = NEW_SUBJECT
    confirmation_template.save()
    for model in (MessageTemplate, Layout, AttachmentTemplate):
        model.objects.update(published_revision=None)

    for module in (
        "attachments.migrations.0005_publish_latest_revisions",
        "messaging.migrations.0009_publish_latest_revisions",
    ):
        importlib.import_module(module).publish_latest(django_apps, None)

    for model in (MessageTemplate, Layout, AttachmentTemplate):
        for obj in model.objects.all():
            assert obj.published_revision == obj.current_revision()
    assert MessageTemplate.objects.get().published_revision.subject == NEW_SUBJECT


def test_a_proof_of_what_is_live_is_refused_when_nothing_is_live(editor_client, mailoutbox):
    template = MessageTemplateFactory(published=False)
    url = reverse("admin:messaging_messagetemplate_proof", args=[template.pk])

    response = editor_client.post(
        url, {"email": "editor@example.com", "version": "published"}, follow=True
    )

    page = response.content.decode()
    assert "No proof sent:" in page
    assert "has never been published; publish it, or send a proof of the draft." in page
    assert not Message.objects.exists()


# --- what goes to whom: switching a version off or relabelling it takes the publish permission


def test_an_editor_cannot_switch_off_the_live_email(editor_client, confirmation_template):
    url = change_url(confirmation_template)
    data = form_data(editor_client, url, "messagetemplate_form")
    assert "active" not in data  # shown, not editable
    assert "language" not in data
    data["active"] = ""  # a forged POST switching it off, and relabelling it
    data["language"] = "sv" if confirmation_template.language != "sv" else "en"

    assert editor_client.post(url, data, follow=True).status_code == 200

    saved = MessageTemplate.objects.get(pk=confirmation_template.pk)
    assert saved.active
    assert saved.language == confirmation_template.language


def test_an_editor_cannot_rename_a_document_out_of_its_language_group(
    editor_client, confirmation_template
):
    document = confirmation_template.attachment_links.get().attachment_template
    url = change_url(document)
    data = form_data(editor_client, url, "attachmenttemplate_form")
    data["name"] = "Something else"

    assert editor_client.post(url, data, follow=True).status_code == 200

    assert AttachmentTemplate.objects.get(pk=document.pk).name == document.name


def test_staff_who_may_publish_can_switch_a_version_off(admin_client, confirmation_template):
    url = change_url(confirmation_template)
    data = form_data(admin_client, url, "messagetemplate_form")
    data.pop("active")

    assert admin_client.post(url, data, follow=True).status_code == 200

    assert not MessageTemplate.objects.get(pk=confirmation_template.pk).active


def test_a_template_an_editor_adds_starts_switched_off(editor_client, confirmation_template):
    url = reverse("admin:messaging_layout_add")
    data = form_data(editor_client, url, "layout_form")
    data.update(name="Spring", language="sv", html_header="<p>Spring</p>", active="on")

    page = editor_client.post(url, data, follow=True).content.decode()

    layout = Layout.objects.get(name="Spring")
    assert not layout.active
    assert "Saved switched off" in page


def test_an_editor_cannot_restore_a_revision_that_regroups_a_layout(
    editor_client, admin_client, confirmation_template
):
    layout = confirmation_template.layout
    kept = layout.name
    layout.name = "Temporary"
    layout.save()
    old = layout.current_revision()
    layout.name = kept
    layout.save()
    url = reverse("admin:messaging_layout_restore", args=[layout.pk, old.pk])

    page = editor_client.post(url, follow=True).content.decode()

    assert "Not restored" in page
    assert Layout.objects.get(pk=layout.pk).name == kept  # its language versions stay together
    admin_client.post(url)
    assert Layout.objects.get(pk=layout.pk).name == "Temporary"  # staff who may publish can


def test_a_draft_translation_of_the_layout_does_not_stop_publishing(publisher_client, db):
    """Customers' messages take a published version of the layout before a draft one in their
    language (with a history line), so a Swedish draft beside a live English one is no reason
    to refuse: publishing goes through and the message renders inside the English layout."""
    live = LayoutFactory(name="Brand", language="en", html_header="<p>English frame</p>")
    draft = LayoutFactory(name="Brand", language="sv", published=False)
    template = MessageTemplateFactory(language="sv", layout=draft, published=False)

    page = publisher_client.get(publish_url(template)).content.decode()
    assert "has never been published" not in page
    publisher_client.post(publish_url(template), {"revision": template.current_revision().pk})

    template.refresh_from_db()
    assert template.published_revision == template.current_revision()
    message = deliver_order(OrderFactory(language="sv"))
    assert message.status == Message.Status.SENT
    assert message.layout_revision == live.published_revision
    assert "Layout “Brand” rendered in English: the Swedish version is not published." in [
        event.detail for event in message.events.all()
    ]


def test_publishing_waits_for_a_layout_with_no_live_version_in_any_language(publisher_client, db):
    """The linked version switched off and the other language's never published: a customer's
    message would pin the draft and fail, so the template may not go live before it."""
    linked = LayoutFactory(name="Brand", language="en")
    LayoutFactory(name="Brand", language="sv", published=False)
    Layout.objects.filter(pk=linked.pk).update(active=False)
    document = AttachmentTemplateFactory(name="Receipt", language="en")
    AttachmentTemplateFactory(name="Receipt", language="sv", published=False)
    AttachmentTemplate.objects.filter(pk=document.pk).update(active=False)
    template = MessageTemplateFactory(
        language="en", layout=linked, attachments=[document], published=False
    )

    assert_publishing_refused(
        publisher_client,
        template,
        "Its layout “Brand (Swedish)” has never been published",
        "Its attachment “Receipt (Swedish)” has never been published",
    )

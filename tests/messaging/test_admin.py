"""The back office in Django admin: editing, revisions, preview, proofs, permissions, messages."""

import io
import re
from html.parser import HTMLParser

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from attachments.api import generated_password
from messaging import delivery, outbox
from messaging.models import Layout, Message, MessageTemplate
from shop.documents import SAMPLE_TOKEN
from tests.factories import OrderFactory, StaffFactory, publish_newest
from tests.messaging.helpers import complete, message_of, messages_of, queue_order

pytestmark = pytest.mark.django_db


class FormFields(HTMLParser):
    """The fields a browser would submit from one form of a page."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")
        elif not name:
            return
        elif tag == "input" and attrs.get("type") == "checkbox":
            if "checked" in attrs:
                self.data[name] = "on"
        elif tag == "input" and attrs.get("type") != "submit":
            self.data[name] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea, self.data[name] = name, ""
        elif tag == "select":
            self._select = name
            self.data.setdefault(name, "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def form_data(client, url: str, form_id: str) -> dict:
    page = client.get(url)
    assert page.status_code == 200
    parser = FormFields(form_id)
    parser.feed(page.content.decode())
    # Textareas start with a newline the browser drops.
    return {k: v.removeprefix("\n") if isinstance(v, str) else v for k, v in parser.data.items()}


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


@pytest.fixture
def viewer_client(client):
    """Staff who may look at everything in messaging but change nothing."""
    user = StaffFactory(username="viewer")
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "view_messagetemplate",
                "view_messagetemplateattachment",
                "view_messagetemplaterevision",
                "view_layout",
                "view_layoutrevision",
                "view_message",
                "view_messageevent",
                "view_order",
            ]
        )
    )
    client.force_login(user)
    return client


def shown(page, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"[^>]*>([^<]*)<', page.content.decode())
    assert match, f"nothing marked {testid}"
    return match.group(1).strip()


def decrypted_text(pdf: bytes, password: str) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.is_encrypted
    assert reader.decrypt(password)
    return "\n".join(page.extract_text() for page in reader.pages)


# --- editing and revisions ------------------------------------------------------------------


def test_editors_save_a_template_and_a_revision_records_who(editor_client, confirmation_template):
    url = change_url(confirmation_template)
    data = form_data(editor_client, url, "messagetemplate_form")
    data["subject"] = "Order {{ order.number }} is on its way"
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]

    confirmation_template.refresh_from_db()
    revision = confirmation_template.current_revision()
    assert revision.subject == "Order {{ order.number }} is on its way"
    assert revision.created_by.username == "editor"
    assert LogEntry.objects.filter(object_id=str(confirmation_template.pk)).exists()

    page = editor_client.get(url).content.decode()
    # The revision list says what changed: the newest revision's "what changed" cell.
    assert re.search(r'class="field-changes">\s*<p>Subject\b', page)
    assert "{{ order.number }}" in page  # the variables beside the editor
    assert "lines[].product" in page


def test_a_syntax_error_is_shown_with_its_line_and_keeps_the_old_revision(
    editor_client, confirmation_template
):
    url = change_url(confirmation_template)
    before = confirmation_template.revisions.count()
    data = form_data(editor_client, url, "messagetemplate_form")
    data["html_body"] = "<p>Hi</p>\n<p>{% if customer.first_name %}</p>"

    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert "Line 2" in response.content.decode()
    assert confirmation_template.revisions.count() == before
    confirmation_template.refresh_from_db()
    assert "{% if" not in confirmation_template.html_body


def test_restore_copies_an_old_revision_back_as_a_new_one(editor_client, confirmation_template):
    first = confirmation_template.revisions.order_by("number").first()
    confirmation_template.subject = "Changed {{ order.number }}"
    confirmation_template.save()
    count = confirmation_template.revisions.count()

    revision_page = editor_client.get(change_url(first))
    assert revision_page.status_code == 200
    assert 'data-testid="restore-revision"' in revision_page.content.decode()

    url = reverse(
        "admin:messaging_messagetemplate_restore", args=[confirmation_template.pk, first.pk]
    )
    assert editor_client.get(url).status_code == 405  # POST only
    response = editor_client.post(url)

    assert response.status_code == 302
    confirmation_template.refresh_from_db()
    assert confirmation_template.subject == first.subject
    assert confirmation_template.revisions.count() == count + 1
    newest = confirmation_template.current_revision()
    assert newest.note == f"Restored from revision {first.number}."
    assert newest.created_by.username == "editor"
    assert LogEntry.objects.filter(change_message__contains="Restored revision").exists()


def test_a_revision_page_shows_the_diff(admin_client, confirmation_template):
    confirmation_template.subject = "Changed {{ order.number }}"
    confirmation_template.save()
    page = admin_client.get(change_url(confirmation_template.current_revision())).content.decode()
    # Side by side, by the field's human name: before (red) on the left, after (green).
    assert "<h3>Subject</h3>" in page
    assert re.search(
        r"background: #fde2e1;\">Receipt for order {{ order.number }} from {{ shop.name }}<", page
    )
    assert re.search(r"background: #dcfce7;\">Changed {{ order.number }}<", page)


def test_a_layout_is_edited_once_and_every_message_shows_it(
    admin_client, confirmation_template, mailoutbox
):
    layout = confirmation_template.layout
    url = change_url(layout)
    data = form_data(admin_client, url, "layout_form")
    data["text_footer"] = "Hälsningar från {{ shop.name }}, nu i ny kostym"
    data["css"] = "p { color: #123456; }"
    assert admin_client.post(url, data).status_code == 302
    publish_newest(layout)

    order = OrderFactory()
    message = queue_order(order)
    delivery.deliver_message(message_id=message.pk)
    email = mailoutbox[0]
    assert email.body.rstrip().endswith("Hälsningar från Nordic Goods, nu i ny kostym")
    html = email.alternatives[0][0]
    assert "<style>\np { color: #123456; }\n</style>" in html
    assert order.number in html
    message.refresh_from_db()
    assert message.layout_revision == layout.current_revision()
    assert message.layout_revision.created_by.is_superuser


def test_a_layout_syntax_error_is_shown_with_its_line(admin_client, confirmation_template):
    layout = confirmation_template.layout
    url = change_url(layout)
    data = form_data(admin_client, url, "layout_form")
    data["html_footer"] = "<p>\n\n{{ shop.name|nosuchfilter }}</p>"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Line 3" in response.content.decode()
    assert layout.revisions.count() == 1


def test_attachment_templates_can_be_restored(admin_client, confirmation_template):
    attachment = confirmation_template.ordered_attachment_templates()[0]
    first = attachment.current_revision()
    attachment.filename_template = "changed-{{ order.number }}.pdf"
    attachment.save()
    page = admin_client.get(change_url(attachment.current_revision())).content.decode()
    assert 'background: #dcfce7;">changed-{{ order.number }}.pdf<' in page
    assert 'data-testid="restore-revision"' in page

    url = reverse("admin:attachments_attachmenttemplate_restore", args=[attachment.pk, first.pk])
    assert admin_client.post(url).status_code == 302
    attachment.refresh_from_db()
    assert attachment.filename_template == first.filename_template
    assert attachment.revisions.count() == 3


# --- preview --------------------------------------------------------------------------------


def test_preview_of_an_order(admin_client, confirmation_template):
    order = OrderFactory(customer__first_name="Åsa")
    url = reverse("admin:messaging_messagetemplate_preview", args=[confirmation_template.pk])

    page = admin_client.get(url, {"order": order.number})

    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert shown(page, "preview-subject") == f"Receipt for order {order.number} from Nordic Goods"
    body = page.content.decode()
    html_url = reverse(
        "admin:messaging_messagetemplate_preview_html", args=[confirmation_template.pk]
    )
    assert f'<iframe src="{html_url}?order={order.number}" sandbox' in body
    assert "Hello Åsa," in body  # the text version
    pdf_url = reverse(
        "admin:messaging_messagetemplate_preview_attachment", args=[confirmation_template.pk, 0]
    )
    assert f'src="{pdf_url}?order={order.number}&amp;pages=1"' in body  # page images
    password = shown(page, "preview-password")
    assert password == generated_password(order.token)  # a superuser may reveal it

    html = admin_client.get(html_url, {"order": order.number})
    assert html["Content-Security-Policy"].startswith("sandbox")
    assert "no-store" in html["Cache-Control"]
    assert "Hello Åsa," in html.content.decode()
    assert '<p class="brand">Nordic Goods</p>' in html.content.decode()  # the layout's header

    pdf = admin_client.get(pdf_url, {"order": order.number})
    assert pdf["Content-Type"] == "application/pdf"
    assert "no-store" in pdf["Cache-Control"]
    assert order.number in decrypted_text(pdf.content, password)
    download = admin_client.get(pdf_url, {"order": order.number, "download": "1"})
    assert download["Content-Disposition"] == f'attachment; filename="order-{order.number}.pdf"'


def test_preview_of_the_sample(admin_client, confirmation_template):
    url = reverse("admin:messaging_messagetemplate_preview", args=[confirmation_template.pk])
    page = admin_client.get(url)
    assert shown(page, "preview-subject") == "Receipt for order NG-SAMP-LE42 from Nordic Goods"
    assert shown(page, "preview-password") == generated_password(SAMPLE_TOKEN)


def test_an_unknown_order_number_is_a_form_error(admin_client, confirmation_template):
    url = reverse("admin:messaging_messagetemplate_preview", args=[confirmation_template.pk])
    page = admin_client.get(url, {"order": "NG-2222-2222"})
    assert page.status_code == 200
    assert "There is no order NG-2222-2222." in page.content.decode()
    assert 'data-testid="preview-subject"' not in page.content.decode()


def test_staff_who_may_not_reveal_get_a_one_off_preview_password(
    viewer_client, confirmation_template
):
    order = OrderFactory()
    url = reverse("admin:messaging_messagetemplate_preview", args=[confirmation_template.pk])
    page = viewer_client.get(url, {"order": order.number})
    assert page.status_code == 200
    password = shown(page, "preview-password")
    assert password != generated_password(order.token)
    assert "Send a proof" not in page.content.decode()  # viewers send nothing


# --- proofs ---------------------------------------------------------------------------------


def test_a_proof_is_sent_once_marked_as_a_proof_and_leaves_the_customer_alone(
    editor_client, editor, confirmation_template, mailoutbox, django_capture_on_commit_callbacks
):
    # A proof of a real order needs permission to view orders, and goes to staff only.
    editor.user_permissions.add(Permission.objects.get(codename="view_order"))
    order = OrderFactory()
    customers = queue_order(order)
    url = reverse("admin:messaging_messagetemplate_proof", args=[confirmation_template.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(url, {"email": "editor@example.com", "order": order.number})

    assert response.status_code == 302
    proof = Message.objects.get(is_proof=True)
    assert (proof.event, proof.recipient, proof.status) == (
        customers.event,
        "editor@example.com",
        "sent",
    )
    assert proof.events.first().detail.startswith(
        f"Proof of the newest revisions (drafts included) from event {order.number}"
    )
    assert [m.to for m in mailoutbox] == [["editor@example.com"]]
    assert mailoutbox[0].subject == f"[Proof] Receipt for order {order.number} from Nordic Goods"
    # One tag (Postmark refuses more); the proof is marked in the metadata.
    assert mailoutbox[0].anymail_test_params["tags"] == ["order_confirmation"]
    assert mailoutbox[0].anymail_test_params["metadata"]["proof"] == "true"
    # The customer's message keeps its place: a resend still takes sequence 1.
    assert list(messages_of(order).filter(is_proof=False)) == [customers]
    resend = outbox.resend_message(message_id=customers.pk, reason="", by="test")
    assert resend.sequence == 1
    assert LogEntry.objects.filter(change_message__contains="Sent a proof").exists()


def test_a_proof_of_the_sample_has_no_order_and_opens_with_the_sample_password(
    editor_client, confirmation_template, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("admin:messaging_messagetemplate_proof", args=[confirmation_template.pk])
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(url, {"email": "editor@example.com", "order": ""})

    proof = Message.objects.get()
    assert (proof.is_proof, proof.event, proof.status) == (True, None, "sent")
    [(filename, content, _)] = mailoutbox[0].attachments
    assert filename == "order-NG-SAMP-LE42.pdf"
    assert "NG-SAMP-LE42" in decrypted_text(content, generated_password(SAMPLE_TOKEN))


def test_a_bad_proof_address_sends_nothing(editor_client, confirmation_template):
    url = reverse("admin:messaging_messagetemplate_proof", args=[confirmation_template.pk])
    response = editor_client.post(url, {"email": "not an address", "order": ""}, follow=True)
    assert "No proof sent" in response.content.decode()
    assert not Message.objects.exists()


# --- permissions ----------------------------------------------------------------------------


def test_view_only_staff_see_but_cannot_change(viewer_client, confirmation_template):
    url = change_url(confirmation_template)
    assert viewer_client.get(url).status_code == 200
    assert viewer_client.post(url, {"subject": "Hacked"}).status_code == 403
    proof = reverse("admin:messaging_messagetemplate_proof", args=[confirmation_template.pk])
    assert viewer_client.post(proof, {"email": "x@example.com"}).status_code == 403
    first = confirmation_template.revisions.first()
    restore = reverse(
        "admin:messaging_messagetemplate_restore", args=[confirmation_template.pk, first.pk]
    )
    assert viewer_client.post(restore).status_code == 403
    assert (
        'data-testid="restore-revision"'
        not in viewer_client.get(change_url(first)).content.decode()
    )
    layout_url = change_url(confirmation_template.layout)
    assert viewer_client.post(layout_url, {"name": "Hacked"}).status_code == 403
    assert not Message.objects.exists()


def test_resending_needs_the_dedicated_permission(viewer_client, confirmation_template):
    message = queue_order(OrderFactory())
    url = reverse("admin:messaging_message_resend", args=[message.pk])
    assert viewer_client.get(url).status_code == 403
    assert viewer_client.post(url, {"reason": "lost"}).status_code == 403

    changelist = viewer_client.get(reverse("admin:messaging_message_changelist"))
    assert "resend_selected" not in changelist.content.decode()
    viewer_client.post(
        reverse("admin:messaging_message_changelist"),
        {"action": "resend_selected", "_selected_action": [message.pk]},
    )
    assert Message.objects.count() == 1


def test_revealing_a_document_password_needs_the_permission(
    client, viewer_client, confirmation_template
):
    order = OrderFactory()
    queue_order(order)
    url = reverse("admin:shop_order_document_password", args=[order.pk])
    assert viewer_client.post(url, {"reason": "curious"}).status_code == 403
    assert (
        "Reveal the document password" not in viewer_client.get(change_url(order)).content.decode()
    )

    support = StaffFactory(username="support")
    support.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_order", "view_document_password"])
    )
    client.force_login(support)
    assert "Reveal the document password" in client.get(change_url(order)).content.decode()
    page = client.post(url, {"reason": "Customer called, checked name and address"})
    assert shown(page, "document-password") == generated_password(order.token)
    assert "no-store" in page["Cache-Control"]
    assert LogEntry.objects.filter(
        change_message="Revealed the document password: Customer called, checked name and address"
    ).exists()


def test_a_reveal_asks_why_and_shows_nothing_without_a_reason(client, confirmation_template):
    order = OrderFactory()
    queue_order(order)
    support = StaffFactory(username="support")
    support.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_order", "view_document_password"])
    )
    client.force_login(support)
    url = reverse("admin:shop_order_document_password", args=[order.pk])

    asked = client.get(url)
    refused = client.post(url, {"reason": "  "})

    for page in (asked, refused):
        assert page.status_code == 200
        assert 'name="reason"' in page.content.decode()
        assert generated_password(order.token) not in page.content.decode()
    assert "This field is required." in refused.content.decode()
    assert not LogEntry.objects.filter(change_message__startswith="Revealed").exists()


def test_the_reveal_permission_alone_does_not_open_an_order(client, confirmation_template):
    order = OrderFactory()
    staff = StaffFactory(username="half-support")
    staff.user_permissions.add(Permission.objects.get(codename="view_document_password"))
    client.force_login(staff)
    url = reverse("admin:shop_order_document_password", args=[order.pk])
    assert client.post(url, {"reason": "curious"}).status_code == 403
    assert client.get(url).status_code == 403
    assert not LogEntry.objects.exists()


def test_template_previews_need_a_permission_on_message_templates(client, confirmation_template):
    # Staff who may edit orders, but not message templates, cannot render one against an order.
    order = OrderFactory()
    staff = StaffFactory(username="orders-only")
    staff.user_permissions.add(Permission.objects.get(codename="view_order"))
    client.force_login(staff)
    pk = confirmation_template.pk
    for url in (
        reverse("admin:messaging_messagetemplate_preview", args=[pk]),
        reverse("admin:messaging_messagetemplate_preview_html", args=[pk]),
        reverse("admin:messaging_messagetemplate_preview_attachment", args=[pk, 0]),
    ):
        assert client.get(url, {"order": order.number}).status_code == 403, url
    proof = reverse("admin:messaging_messagetemplate_proof", args=[pk])
    assert client.post(proof, {"email": "x@example.com"}).status_code == 403
    assert not Message.objects.exists()


# --- messages -------------------------------------------------------------------------------


def test_the_resend_action_queues_resends(admin_client, confirmation_template, no_publish):
    first = queue_order(OrderFactory())
    second = queue_order(OrderFactory())

    # The action first asks for a reason; nothing is queued until it is confirmed.
    ask = admin_client.post(
        reverse("admin:messaging_message_changelist"),
        {"action": "resend_selected", "_selected_action": [first.pk, second.pk]},
    )
    assert ask.status_code == 200
    assert 'name="reason"' in ask.content.decode()
    assert not Message.objects.filter(resend_of__isnull=False).exists()
    # What the confirmation page's form posts back (the parser keeps one value per name).
    parser = FormFields("resend-selected-form")
    parser.feed(ask.content.decode())
    assert parser.data["action"] == "resend_selected"
    assert parser.data["confirm"] == "yes"
    response = admin_client.post(
        reverse("admin:messaging_message_changelist"),
        {
            **parser.data,
            "_selected_action": [first.pk, second.pk],
            "reason": "ESP outage on Monday",
        },
        follow=True,
    )

    assert "2 resend(s) queued." in response.content.decode()
    resends = Message.objects.filter(resend_of__isnull=False)
    assert {m.resend_of_id for m in resends} == {first.pk, second.pk}
    assert all(m.status == "queued" and m.sequence == 1 for m in resends)
    assert LogEntry.objects.filter(change_message__startswith="Resent as message").count() == 2

    again = admin_client.post(
        reverse("admin:messaging_message_changelist"),
        {
            "action": "resend_selected",
            "_selected_action": [first.pk],
            "confirm": "yes",
            "reason": "again",
        },
        follow=True,
    )
    assert "1 skipped" in again.content.decode()


def test_the_message_list_filters_and_searches(
    no_publish, admin_client, confirmation_template, monkeypatch
):
    failed = queue_order(OrderFactory())
    Message.objects.filter(pk=failed.pk).update(status="failed", last_error="x" * 500)
    other = queue_order(OrderFactory())
    url = reverse("admin:messaging_message_changelist")

    def listed(**params):
        page = admin_client.get(url, params)
        assert page.status_code == 200
        return {
            pk for pk in (failed.pk, other.pk) if f"/message/{pk}/change/" in page.content.decode()
        }

    assert listed() == {failed.pk, other.pk}
    assert listed(status__exact="failed") == {failed.pk}
    assert listed(q=other.event.reference) == {other.pk}
    assert listed(q=failed.recipient) == {failed.pk}
    assert listed(is_proof__exact="1") == set()
    assert "x" * 81 not in admin_client.get(url).content.decode()  # an excerpt only


def test_the_message_list_finds_a_whole_order_number_or_address_in_any_case(
    no_publish, admin_client, confirmation_template
):
    wanted = queue_order(OrderFactory())
    other = queue_order(OrderFactory())
    url = reverse("admin:messaging_message_changelist")

    def listed(term):
        page = admin_client.get(url, {"q": term}).content.decode()
        return {pk for pk in (wanted.pk, other.pk) if f"/message/{pk}/change/" in page}

    assert listed(wanted.event.reference.lower()) == {wanted.pk}
    assert listed(f"  {wanted.event.reference} ") == {wanted.pk}
    assert listed(wanted.recipient.upper()) == {wanted.pk}
    assert listed(wanted.event.reference[3:7]) == {wanted.pk}  # part of a number: substrings
    assert listed("@EXAMPLE.com") == {wanted.pk, other.pk}  # part of an address: a domain
    assert listed(wanted.recipient[:-4]) == {wanted.pk}
    assert listed("NG-2222-2222") == set()


def test_the_message_list_costs_the_same_queries_however_many_rows(
    no_publish, admin_client, confirmation_template, django_assert_max_num_queries
):
    """Over 10⁶ messages a query per row would be a page of 100 queries: the list reads each
    row's error excerpt from the one query, whether the row has an error or not."""
    url = reverse("admin:messaging_message_changelist")

    def add(count):
        for n in range(count):
            message = queue_order(OrderFactory())
            if n % 2:
                Message.objects.filter(pk=message.pk).update(status="failed", last_error="Nope")

    add(2)
    admin_client.get(url)  # the session and the user's first look-ups
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200
    add(20)
    with django_assert_max_num_queries(len(few)):
        page = admin_client.get(url)
    assert page.content.decode().count("/change/") >= 22
    assert "Nope" in page.content.decode()


def test_a_message_page_shows_its_history_and_revisions(
    admin_client, confirmation_template, mailoutbox
):
    message = queue_order(OrderFactory())
    delivery.deliver_message(message_id=message.pk)
    page = admin_client.get(change_url(message)).content.decode()
    assert "Accepted by the ESP" in page
    assert change_url(message.template_revision) in page
    assert change_url(message.layout_revision) in page
    assert change_url(message.attachment_links.get().attachment_revision) in page
    assert 'name="_save"' not in page  # read-only


def test_the_order_page_shows_its_messages(admin_client, confirmation_template):
    order = OrderFactory()
    message = queue_order(order)
    page = admin_client.get(change_url(order)).content.decode()
    assert f'href="{change_url(message)}">#{message.pk}</a>' in page
    assert "Queued" in page


def test_nobody_adds_or_deletes_messages(admin_client):
    assert admin_client.get(reverse("admin:messaging_message_add")).status_code == 403


def test_the_template_editors_group_exists_with_edit_rights(db):
    group = Group.objects.get(name="Template editors")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"change_messagetemplate", "change_layout", "change_attachmenttemplate"} <= codenames
    assert "resend_message" not in codenames
    assert "view_document_password" not in codenames
    assert MessageTemplate.objects.count() == Layout.objects.count() == 0


def test_editors_add_a_layout_and_a_template_using_it(editor_client, confirmation_template):
    url = reverse("admin:messaging_layout_add")
    data = form_data(editor_client, url, "layout_form")
    data.update(name="Winter", html_header="<h1>{{ shop.name }} ❄</h1>", css="h1 { color: navy; }")
    assert editor_client.post(url, data).status_code == 302
    layout = Layout.objects.get(name="Winter")
    assert layout.current_revision().created_by.username == "editor"
    assert not layout.active  # until staff who may publish switch it on
    Layout.objects.filter(pk=layout.pk).update(active=True)

    url = reverse("admin:messaging_messagetemplate_add")
    data = form_data(editor_client, url, "messagetemplate_form")
    data.update(
        name="Winter confirmation",
        event="order_confirmation",
        layout=str(layout.pk),
        subject="Winter order {{ order.number }}",
        text_body="Hej {{ customer.first_name }}",
        html_body="<p>Hej {{ customer.first_name }}</p>",
    )
    data.pop("active", None)  # the confirmation template stays the active one
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    template = MessageTemplate.objects.get(name="Winter confirmation")
    assert template.current_revision().layout == layout
    preview_url = reverse("admin:messaging_messagetemplate_preview", args=[template.pk])
    html_url = reverse("admin:messaging_messagetemplate_preview_html", args=[template.pk])
    assert editor_client.get(preview_url).status_code == 200
    assert "<h1>Nordic Goods ❄</h1>" in editor_client.get(html_url).content.decode()


def test_resend_pressed_again_on_the_new_message_resends_once(admin_client, confirmation_template):
    order = OrderFactory()
    message = queue_order(order)
    first = admin_client.post(
        reverse("admin:messaging_message_resend", args=[message.pk]), {"reason": "lost"}
    )
    resend = messages_of(order).get(sequence=1)
    assert first.url == reverse("admin:messaging_message_change", args=[resend.pk])

    # The page the first click landed on offers Resend again: a second click is a no-op.
    again = admin_client.post(
        reverse("admin:messaging_message_resend", args=[resend.pk]), {"reason": "x"}, follow=True
    )
    assert messages_of(order).count() == 2
    assert "itself a resend queued minutes ago" in again.content.decode()


# --- support screens --------------------------------------------------------------------------


def test_the_message_list_shows_status_badges_and_the_template_without_jargon(
    admin_client, confirmation_template
):
    message = queue_order(OrderFactory())
    page = admin_client.get(reverse("admin:messaging_message_changelist")).content.decode()
    assert '<span class="message-status message-status-queued">Queued</span>' in page
    assert confirmation_template.name in page
    assert "messaging/admin/outbox.css" in page
    for jargon in ("column-sequence", "column-is_proof", "column-updated_at"):
        assert jargon not in page
    assert f'<span class="message-nowrap"><a href="{change_url(message.event)}">' in page


def test_a_message_page_shows_seconds_human_sizes_and_no_next_attempt_once_sent(
    admin_client, confirmation_template, mailoutbox
):
    message = queue_order(OrderFactory())
    assert "Next attempt at" in admin_client.get(change_url(message)).content.decode()
    delivery.deliver_message(message_id=message.pk)
    message.refresh_from_db()
    page = admin_client.get(change_url(message)).content.decode()
    assert "Next attempt at" not in page
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", page)
    size = message.events.get(kind="attachment_built").size
    assert filesizeformat(size) in page


def as_sent_client(client, *codenames):
    staff = StaffFactory(username="support-" + "-".join(codenames))
    staff.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(staff)
    return client


@pytest.mark.parametrize("codenames", [("view_message",), ("view_event",), ()])
def test_the_email_as_sent_needs_both_view_permissions(client, confirmation_template, codenames):
    message = queue_order(OrderFactory())
    as_sent_client(client, *codenames)
    for name in ("as_sent", "as_sent_html"):
        url = reverse(f"admin:messaging_message_{name}", args=[message.pk])
        assert client.get(url).status_code == 403


def test_the_email_as_sent_re_renders_the_pinned_revisions_without_pdfs(
    client, confirmation_template
):
    order = OrderFactory()
    message = queue_order(order)
    # A later edit of the template does not change what this message was.
    confirmation_template.subject = "Changed later"
    confirmation_template.save()
    as_sent_client(client, "view_message", "view_event")
    assert "View the email as sent" in client.get(change_url(message)).content.decode()
    page = client.get(reverse("admin:messaging_message_as_sent", args=[message.pk]))
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert order.number in shown(page, "as-sent-subject")
    assert "Changed later" not in page.content.decode()
    assert 'data-testid="as-sent-hidden-pdfs"' in page.content.decode()
    html = client.get(reverse("admin:messaging_message_as_sent_html", args=[message.pk]))
    assert html["Content-Security-Policy"].startswith("sandbox")
    assert order.number in html.content.decode()
    pdf_url = reverse("admin:messaging_message_as_sent_attachment", args=[message.pk, 0])
    assert client.get(pdf_url).status_code == 403


def test_the_email_as_sent_shows_its_pdfs_to_staff_who_may_reveal_passwords(
    client, confirmation_template
):
    order = OrderFactory()
    message = queue_order(order)
    as_sent_client(client, "view_message", "view_event", "view_document_password")
    page = client.get(reverse("admin:messaging_message_as_sent", args=[message.pk]))
    pdf_url = reverse("admin:messaging_message_as_sent_attachment", args=[message.pk, 0])
    assert pdf_url in page.content.decode()
    pdf = client.get(pdf_url)
    assert pdf["Content-Type"] == "application/pdf"
    assert order.number in decrypted_text(pdf.content, generated_password(order.token))


def test_resend_asks_for_a_reason_and_records_it(admin_client, confirmation_template):
    order = OrderFactory()
    message = queue_order(order)
    url = reverse("admin:messaging_message_resend", args=[message.pk])
    assert url in admin_client.get(change_url(message)).content.decode()
    assert url in admin_client.get(change_url(order)).content.decode()  # on the order too
    confirm = admin_client.get(url)
    assert confirm.status_code == 200
    assert 'name="reason"' in confirm.content.decode()
    assert messages_of(order).count() == 1  # asking changes nothing
    assert admin_client.post(url, {"reason": ""}).status_code == 200  # refused: no reason
    assert messages_of(order).count() == 1
    admin_client.post(url, {"reason": "customer says it never arrived"})
    resend = messages_of(order).get(sequence=1)
    assert "customer says it never arrived" in " ".join(
        resend.events.values_list("detail", flat=True)
    )


def test_a_paid_order_cannot_be_deleted_and_shows_its_address(admin_client, confirmation_template):
    order = OrderFactory()
    assert order.status == "paid"
    page = admin_client.get(change_url(order)).content.decode()
    assert order.customer.address_line1 in page
    assert order.customer.city in page
    assert "deletelink" not in page
    delete_url = reverse("admin:shop_order_delete", args=[order.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert type(order).objects.filter(pk=order.pk).exists()


def test_the_index_is_branded_and_lists_no_revision_models(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "Nordic Goods back office" in page
    assert "Message template revisions" not in page
    assert "Layout revisions" not in page
    url = reverse("admin:messaging_layoutrevision_changelist")
    assert admin_client.get(url).status_code == 200  # still reachable


def test_an_event_page_shows_status_reason_and_messages_never_the_data(
    admin_client, confirmation_template
):
    order = OrderFactory(customer__last_name="Zlatanowicz")
    message = queue_order(order)
    message.mark_failed(reason="Hard bounce.")

    page = admin_client.get(change_url(message.event)).content.decode()

    assert "Failed" in page
    assert "Hard bounce." in page
    assert f'href="{change_url(message)}"' in page
    assert order.number in page
    assert "Mugg Fjällräv" not in page  # the data (the order's lines) stays encrypted
    assert "Zlatanowicz" in page  # the recipient's name, as the sender gave it


def test_an_order_page_lists_the_messages_of_its_events(admin_client, confirmation_template):
    order = OrderFactory()
    message = queue_order(order)

    page = admin_client.get(change_url(order)).content.decode()

    assert f'href="{change_url(message)}">#{message.pk}</a>' in page
    assert f"?q={order.number}" in page  # the outbox, filtered to the order's messages


def test_a_revision_names_the_documents_and_layout_it_changed(admin_client):
    """Staff read "Attachments: Gift card", not "attachment_template_ids [] → [2]"."""
    from messaging.models import MessageTemplateAttachment
    from tests.factories import AttachmentTemplateFactory, LayoutFactory, MessageTemplateFactory

    template = MessageTemplateFactory()
    document = AttachmentTemplateFactory(name="Gift card")
    MessageTemplateAttachment.objects.create(template=template, attachment_template=document)
    template.layout = LayoutFactory(name="Winter frame")
    template.save(note="gift card and winter frame")
    revision = template.current_revision()

    page = admin_client.get(
        reverse("admin:messaging_messagetemplaterevision_change", args=[revision.pk])
    ).content.decode()
    history = admin_client.get(change_url(template)).content.decode()

    diff = page[page.index('data-testid="side-by-side-diff"') - 400 :]
    assert "<h3>Attachments</h3>" in diff
    assert "Gift card" in diff
    assert "Winter frame" in diff
    assert f"[{document.pk}]" not in diff
    assert "attachment_template_ids" not in page + history
    assert re.search(r'class="field-changes">\s*<p>Layout, Attachments\b', history)
    assert re.search(r"Attachments \(in order\):</label>\s*<div[^>]*>Gift card</div>", page)


def readonly_field(page: str, label: str) -> str:
    """The text of a read-only field on an admin change page, by its label."""
    match = re.search(rf"<label>{label}:</label>\s*<div class=\"readonly\">(.*?)</div>", page, re.S)
    assert match, f"no read-only field {label!r}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_a_message_page_says_whom_it_went_to_and_its_language_in_words(admin_client, mailoutbox):
    from tests.factories import MessageTemplateFactory

    MessageTemplateFactory(language="sv")
    staff = StaffFactory(username="proofreader")
    order = complete(OrderFactory(language="sv"))
    customer_message = message_of(order)
    proof = outbox.queue_proof(
        template=MessageTemplate.objects.get(), recipient=staff.email, requested_by="proofreader"
    )

    customer_page = admin_client.get(change_url(customer_message)).content.decode()
    proof_page = admin_client.get(change_url(proof)).content.decode()

    assert readonly_field(customer_page, "Language") == "Swedish"
    assert readonly_field(customer_page, "Sent to") == "The customer"
    assert readonly_field(proof_page, "Sent to") == (
        "Staff, as a proof (not counted as the customer’s message)"
    )
    assert "Is proof" not in customer_page + proof_page
    order_page = admin_client.get(change_url(order)).content.decode()
    assert re.search(r'<td class="field-sent_to">\s*<p>the customer</p>', order_page)
    assert "Is proof" not in order_page

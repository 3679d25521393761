"""The dev inbox: what a newcomer sees after buying with `make run`."""

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from inbox.models import CapturedAttachment, CapturedEmail

pytestmark = pytest.mark.django_db


@pytest.fixture
def captured(db):
    email = CapturedEmail.objects.create(
        message_id="abc123",
        from_email="Nordic Goods <orders@example.com>",
        to=["asa@example.com"],
        subject="Din order NG-ABCD-EFGH",
        text_body="Hej Åsa!\nTack för din beställning.",
        html_body="<p>Hej <b>Åsa</b>!</p><img src='https://tracker.example/x.png'>",
        headers={"From": "Nordic Goods <orders@example.com>", "To": "asa@example.com"},
    )
    CapturedAttachment.objects.create(
        email=email,
        filename="order-NG-ABCD-EFGH.pdf",
        mimetype="application/pdf",
        content=b"%PDF-1.7 encrypted bytes",
        size=24,
    )
    return email


@pytest.fixture
def dev(settings):
    settings.DEBUG = True
    settings.DEV_INBOX = True


def test_inbox_lists_captured_email(client, dev, captured):
    page = client.get(reverse("dev_inbox:list")).content.decode()

    assert "Din order NG-ABCD-EFGH" in page
    assert "asa@example.com" in page
    assert "order-NG-ABCD-EFGH.pdf" in page


def test_detail_shows_headers_text_and_sandboxed_html(client, dev, captured):
    page = client.get(reverse("dev_inbox:detail", args=[captured.pk])).content.decode()

    assert "Tack för din beställning." in page
    assert "<th>From</th>" in page
    assert f'sandbox title="HTML version of the email" src="/dev/inbox/{captured.pk}/html/"' in page

    html = client.get(reverse("dev_inbox:html", args=[captured.pk]))
    assert "<b>Åsa</b>" in html.content.decode()
    # The email's HTML can neither run scripts nor fetch a remote image.
    assert "sandbox" in html["Content-Security-Policy"]
    assert "default-src 'none'" in html["Content-Security-Policy"]


def test_attachment_downloads_as_stored(client, dev, captured):
    attachment = captured.attachments.get()

    response = client.get(reverse("dev_inbox:attachment", args=[attachment.pk]))

    assert response.content == b"%PDF-1.7 encrypted bytes"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="order-NG-ABCD-EFGH.pdf"'


def test_inbox_is_absent_when_off(client, settings, captured):
    settings.DEV_INBOX = False

    assert client.get(reverse("dev_inbox:list")).status_code == 404
    assert client.get(reverse("dev_inbox:detail", args=[captured.pk])).status_code == 404


def test_inbox_without_debug_needs_staff(client, settings, captured, admin_user):
    settings.DEV_INBOX, settings.DEBUG = True, False

    assert client.get(reverse("dev_inbox:list")).status_code == 302  # to the admin login
    client.force_login(admin_user)
    assert client.get(reverse("dev_inbox:list")).status_code == 200


def test_inbox_without_debug_needs_the_message_view_permission(client, settings, captured):
    """Captured emails hold customers' addresses: staff status alone does not open them."""
    settings.DEV_INBOX, settings.DEBUG = True, False
    staff = User.objects.create_user("packer", password="x", is_staff=True)
    client.force_login(staff)
    attachment = captured.attachments.get()
    pages = [
        reverse("dev_inbox:list"),
        reverse("dev_inbox:detail", args=[captured.pk]),
        reverse("dev_inbox:html", args=[captured.pk]),
        reverse("dev_inbox:attachment", args=[attachment.pk]),
    ]

    assert [client.get(page).status_code for page in pages] == [403] * 4

    staff.user_permissions.add(Permission.objects.get(codename="view_message"))
    staff = User.objects.get(pk=staff.pk)  # permissions are cached on the instance
    client.force_login(staff)
    assert [client.get(page).status_code for page in pages] == [200] * 4


@pytest.mark.parametrize("debug", [False, True])
def test_a_secret_link_is_kept_only_in_development(settings, debug):
    """A lost-password link captured on a staging site (DEBUG off, dev inbox open to staff who
    may view messages) would hand them the customer's passwords: its body is not kept."""
    from django.core.mail import EmailMultiAlternatives

    settings.DEBUG = debug
    settings.EMAIL_BACKEND = "inbox.backends.CaptureEmailBackend"
    link = "https://shop.example/documents/open/s3cr3t-token/"
    email = EmailMultiAlternatives("Your documents", f"Open {link}", to=["asa@example.com"])
    email.attach_alternative(f'<a href="{link}">Open</a>', "text/html")
    email.secret_body = True
    email.send()

    captured = CapturedEmail.objects.get()
    assert captured.subject == "Your documents"
    assert captured.to == ["asa@example.com"]
    kept = captured.text_body + captured.html_body
    assert ("s3cr3t-token" in kept) is debug

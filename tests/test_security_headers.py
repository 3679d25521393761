"""Headers a browser enforces: framing, Content Security Policy, HTTPS behind a proxy or not."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.factories import CHECKOUT_DETAILS, OrderConfirmationFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmation_template(db):
    return OrderConfirmationFactory()


def policy(response) -> dict[str, str]:
    """The Content-Security-Policy header as {directive: sources}."""
    directives = (part.strip() for part in response["Content-Security-Policy"].split(";"))
    return {name: rest for name, _, rest in (d.partition(" ") for d in directives if d)}


class InlineCode(HTMLParser):
    """Collects what a script-src 'self' policy would block: inline scripts and on* handlers."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src"):
            self.found.append("<script> without src")
        self.found += [f"{tag} {name}=" for name in attrs if name.startswith("on")]
        if attrs.get("href", "").startswith("javascript:"):
            self.found.append(f"{tag} href=javascript:")


def inline_code(response) -> list[str]:
    parser = InlineCode()
    parser.feed(response.content.decode())
    return parser.found


def test_storefront_pages_cannot_be_framed_and_carry_a_strict_policy(client):
    product = ProductFactory()
    client.post(reverse("shop:product", args=[product.slug]), {"quantity": 1})
    client.post(reverse("shop:checkout"), CHECKOUT_DETAILS)

    for url in [
        reverse("shop:catalog"),
        reverse("shop:product", args=[product.slug]),
        reverse("shop:cart"),
        reverse("shop:checkout"),
        reverse("shop:payment"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["X-Frame-Options"] == "DENY", url
        csp = policy(response)
        assert csp["script-src"] == "'self'", url
        assert csp["frame-ancestors"] == "'none'", url
        assert csp["object-src"] == "'none'", url
        assert inline_code(response) == [], url


def test_admin_pages_carry_the_policy_and_run_no_inline_code(admin_client, confirmation_template):
    pk = confirmation_template.pk
    for url in [
        reverse("admin:index"),
        reverse("admin:messaging_message_changelist"),
        reverse("admin:messaging_messagetemplate_change", args=[pk]),
        reverse("admin:messaging_messagetemplate_preview", args=[pk]),
        reverse("admin:attachments_attachmenttemplate_changelist"),
    ]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert response["X-Frame-Options"] == "DENY", url
        assert policy(response)["script-src"] == "'self'", url
        assert inline_code(response) == [], url


def test_the_admin_login_page_carries_the_policy(client):
    response = client.get(reverse("admin:login"))

    assert policy(response)["script-src"] == "'self'"
    assert response["X-Frame-Options"] == "DENY"


def test_preview_pdfs_and_emails_may_be_framed_by_our_own_preview_pages(
    admin_client, confirmation_template
):
    pk = confirmation_template.pk
    attachment_template = confirmation_template.attachment_templates.first()
    page = admin_client.get(reverse("admin:messaging_messagetemplate_preview", args=[pk]))
    framed = [
        reverse("admin:messaging_messagetemplate_preview_attachment", args=[pk, 0]),
        reverse("admin:messaging_messagetemplate_preview_html", args=[pk]),
        reverse("admin:attachments_attachmenttemplate_preview_pdf", args=[attachment_template.pk]),
    ]

    # The preview page may frame our own URLs...
    assert policy(page).get("frame-src", policy(page)["default-src"]) == "'self'"
    for url in framed:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        # ...and they allow it, to our origin only.
        assert response["X-Frame-Options"] == "SAMEORIGIN", url
    # The email keeps its own, stricter policy (it runs and fetches nothing).
    assert admin_client.get(framed[1])["Content-Security-Policy"].startswith("sandbox")


def test_a_forged_forwarded_proto_does_not_pass_as_https(client, settings):
    """gunicorn exposed directly: a client's X-Forwarded-Proto must not skip the redirect."""
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/", HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 301
    assert response["Location"].startswith("https://")

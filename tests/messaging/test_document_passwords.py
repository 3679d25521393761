"""The passwords a customer (confirmation page) and support (admin) are shown are the ones the
PDFs in the confirmation email really open with, whatever each attachment template's policy."""

import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from pypdf import PdfReader

from attachments.api import generated_password
from attachments.models import PasswordPolicy
from messaging.models import MessageTemplate
from shop.models import Order
from shop.views import PLACED_ORDERS_SESSION_KEY
from tests.factories import StaffFactory, publish_newest
from tests.messaging.helpers import complete

pytestmark = pytest.mark.django_db


def bought(client, **customer) -> Order:
    """`complete`, with the confirmation page open to this browser."""
    order = complete(**customer)
    session = client.session
    session[PLACED_ORDERS_SESSION_KEY] = [order.pk]
    session.save()
    return order


def passwords_shown(page) -> list[str]:
    assert page.status_code == 200
    return re.findall(r'data-testid="document-password"[^>]*>([^<]*)<', page.content.decode())


def confirmation_page(client, order):
    return client.get(reverse("shop:confirmation", args=[order.number]))


def opens_with(pdf: bytes, password: str) -> bool:
    return bool(PdfReader(io.BytesIO(pdf)).decrypt(password))


@pytest.fixture
def bank_style(confirmation_template):
    """The receipt PDF switched to the "from customer data" policy."""
    attachment = confirmation_template.attachment_links.get().attachment_template
    attachment.password_policy = PasswordPolicy.TEMPLATE
    attachment.password_template = "{{ customer.postal_code|cut:' ' }}{{ customer.last_name }}"
    attachment.save()
    publish_newest(attachment)
    return attachment


def test_confirmation_page_shows_the_generated_password(client, confirmation_template, mailoutbox):
    order = bought(client)
    page = confirmation_page(client, order)

    assert passwords_shown(page) == [generated_password(order.token)]
    assert "no-store" in page["Cache-Control"]
    content = page.content.decode()
    assert "Keep this password" in content
    assert "not</strong> in the email" in content
    [(_, pdf, _)] = mailoutbox[0].attachments
    assert opens_with(pdf, generated_password(order.token))


def test_confirmation_page_shows_the_password_of_a_customer_data_policy(
    client, bank_style, mailoutbox
):
    order = bought(client, postal_code="831 30", last_name="Öberg")

    assert passwords_shown(confirmation_page(client, order)) == ["83130Öberg"]
    [(_, pdf, _)] = mailoutbox[0].attachments
    assert opens_with(pdf, "83130Öberg")
    assert not opens_with(pdf, generated_password(order.token))


def test_no_pdf_no_password(client, confirmation_template):
    # In no language: a missing language would fall back to another one's email and PDF.
    MessageTemplate.objects.filter(event=confirmation_template.event).update(active=False)
    order = bought(client)

    page = confirmation_page(client, order)
    assert passwords_shown(page) == []
    assert "document password" not in page.content.decode().lower()


def test_support_sees_the_password_the_pdf_opens_with(client, bank_style):
    order = complete(postal_code="11122", last_name="Lind")
    support = StaffFactory(username="support")
    support.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_order", "view_document_password"])
    )
    client.force_login(support)

    page = client.post(
        reverse("admin:shop_order_document_password", args=[order.pk]),
        {"reason": "Customer called, checked name and address"},
    )

    assert passwords_shown(page) == ["11122Lind"]
    assert f"order-{order.number}.pdf" in page.content.decode()

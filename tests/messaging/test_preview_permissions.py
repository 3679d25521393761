"""Template editors preview and proof the sample order; a real order needs permission to view
orders, and proofs go only to staff."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from messaging.models import Message
from tests.factories import OrderFactory, StaffFactory

pytestmark = pytest.mark.django_db


def urls(template) -> dict[str, str]:
    return {
        "page": reverse("admin:messaging_messagetemplate_preview", args=[template.pk]),
        "html": reverse("admin:messaging_messagetemplate_preview_html", args=[template.pk]),
        "pdf": reverse("admin:messaging_messagetemplate_preview_attachment", args=[template.pk, 0]),
        "proof": reverse("admin:messaging_messagetemplate_proof", args=[template.pk]),
    }


@pytest.fixture
def order(db):
    return OrderFactory(customer__first_name="Ingrid", customer__last_name="Sundqvist")


def test_editors_preview_the_sample(editor_client, confirmation_template):
    page = editor_client.get(urls(confirmation_template)["page"])
    assert page.status_code == 200
    assert "NG-SAMP-LE42" in page.content.decode()


def test_editors_without_order_permission_cannot_preview_a_real_order(
    editor_client, confirmation_template, order
):
    u = urls(confirmation_template)

    page = editor_client.get(u["page"], {"order": order.number})

    assert page.status_code == 200
    content = page.content.decode()
    assert "Previewing a real order needs permission to view orders" in content
    assert "Sundqvist" not in content
    assert f"Receipt for order {order.number} from Nordic Goods" not in content
    assert editor_client.get(u["html"], {"order": order.number}).status_code == 403
    assert editor_client.get(u["pdf"], {"order": order.number}).status_code == 403


def test_editors_with_order_permission_preview_a_real_order(
    editor_client, editor, confirmation_template, order
):
    editor.user_permissions.add(Permission.objects.get(codename="view_order"))

    page = editor_client.get(urls(confirmation_template)["page"], {"order": order.number})

    assert f"Receipt for order {order.number} from Nordic Goods" in page.content.decode()


def test_editors_without_order_permission_cannot_proof_a_real_order(
    editor_client, editor, confirmation_template, order
):
    response = editor_client.post(
        urls(confirmation_template)["proof"],
        {"email": editor.email, "order": order.number},
        follow=True,
    )

    assert "No proof sent: Previewing a real order needs permission" in response.content.decode()
    assert not Message.objects.filter(is_proof=True).exists()


def test_a_proof_to_an_outside_address_is_refused(editor_client, confirmation_template):
    response = editor_client.post(
        urls(confirmation_template)["proof"], {"email": "me@gmail.example"}, follow=True
    )

    assert (
        "Proofs go only to active staff users&#x27; addresses or to the domains in "
        "PROOF_ALLOWED_DOMAINS; me@gmail.example is neither."
    ) in response.content.decode()
    assert not Message.objects.filter(is_proof=True).exists()


def test_proofs_go_to_staff_and_to_allowed_domains(
    editor_client, settings, confirmation_template, mailoutbox
):
    StaffFactory(username="designer", email="designer@agency.example")
    StaffFactory(username="gone", email="gone@agency.example", is_active=False)
    settings.PROOF_ALLOWED_DOMAINS = ["nordicgoods.example"]
    proof = urls(confirmation_template)["proof"]

    for email in ["designer@agency.example", "team@nordicgoods.example"]:
        assert editor_client.post(proof, {"email": email}).status_code == 302
    editor_client.post(proof, {"email": "gone@agency.example"})

    sent = sorted(Message.objects.filter(is_proof=True).values_list("recipient", flat=True))
    assert sent == ["designer@agency.example", "team@nordicgoods.example"]


@pytest.mark.parametrize("number", ["NG-7K3M-Q9X\x00", "NG-7K3M\x00Q9XD", "'; drop", "ng-oooo"])
def test_a_malformed_order_number_is_a_form_error_never_a_server_error(
    admin_client, confirmation_template, number
):
    u = urls(confirmation_template)

    page = admin_client.get(u["page"], {"order": number})

    assert page.status_code == 200
    assert 'data-testid="preview-subject"' not in page.content.decode()
    assert "errorlist" in page.content.decode()
    assert admin_client.get(u["html"], {"order": number}).status_code == 404
    assert admin_client.get(u["pdf"], {"order": number}).status_code == 404

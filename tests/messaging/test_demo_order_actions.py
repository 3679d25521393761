"""The order page's after-sale actions in admin: only staff with the shop's permission see and
use them; shipping twice and refunding past what was bought are refused with a message."""

from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from demo.fulfilment_admin import RefundForm
from messaging.models import Event
from shop.models import Order, Refund, Shipment
from tests.factories import StaffFactory
from tests.messaging.test_demo_notices import buy, pdf_text, seed_demo_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_shop(db):
    seed_demo_shop()


def staff(*codenames: str):
    user = StaffFactory()
    user.user_permissions.add(
        Permission.objects.get(codename="view_order"),
        *Permission.objects.filter(codename__in=codenames),
    )
    return user


def posted(client, url, data):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, data, follow=True)


def page_of(order: Order) -> str:
    return reverse("admin:shop_order_change", args=[order.pk])


def test_only_staff_with_the_permissions_see_and_use_the_actions(demo_shop, client, mailoutbox):
    order = buy("sv")
    ship, refund = (
        reverse(f"admin:shop_order_{name}", args=[order.pk]) for name in ("ship", "refund")
    )

    client.force_login(staff())
    page = client.get(page_of(order)).content.decode()
    refused = [client.get(ship).status_code, client.post(refund, {}).status_code]
    client.force_login(staff("ship_order", "refund_order"))
    allowed = client.get(page_of(order)).content.decode()

    assert "Mark as shipped…" not in page
    assert "Refund…" not in page
    assert refused == [403, 403]
    assert "Mark as shipped…" in allowed
    assert "Refund…" in allowed
    assert not Shipment.objects.exists()
    assert not Refund.objects.exists()


def test_marking_as_shipped_sends_the_notice_once(demo_shop, client, mailoutbox):
    order = buy("en")
    mailoutbox.clear()
    client.force_login(staff("ship_order"))
    url = reverse("admin:shop_order_ship", args=[order.pk])

    first = posted(client, url, {"carrier": "PostNord", "tracking_number": "0037071234"})
    page = client.get(page_of(order)).content.decode()
    second = posted(client, url, {"carrier": "DHL", "tracking_number": ""})
    form_again = client.get(url, follow=True)

    assert f"Order {order.number} is marked as shipped" in first.content.decode()
    assert "Mark as shipped…" not in page  # shipped: the button is gone
    assert f"Order {order.number} was already shipped." in second.content.decode()
    assert form_again.redirect_chain == [(page_of(order), 302)]  # no form to fill in vain
    [email] = mailoutbox
    assert "Carrier: PostNord" in email.body
    assert "Carrier PostNord" in pdf_text(email, order)
    assert Shipment.objects.get().carrier == "PostNord"


def test_the_bulk_action_ships_each_order_once_and_names_those_shipped_before(
    demo_shop, client, mailoutbox
):
    order = buy("sv")
    client.force_login(staff("ship_order"))
    changelist = reverse("admin:shop_order_changelist")
    action = {"action": "mark_shipped", "_selected_action": [order.pk]}

    first = posted(client, changelist, action)
    second = posted(client, changelist, action)

    assert f"Marked as shipped, the shipping notice on its way: {order.number}." in (
        first.content.decode()
    )
    assert f"Order {order.number} was already shipped." in second.content.decode()
    assert Event.objects.filter(type="order_shipped").count() == 1


def test_a_refund_credits_the_chosen_quantities_and_refuses_more(demo_shop, client, mailoutbox):
    order = buy("sv", boards=3)
    [line] = order.lines.all()
    mailoutbox.clear()
    client.force_login(staff("refund_order"))
    url = reverse("admin:shop_order_refund", args=[order.pk])

    nothing = posted(client, url, {f"line_{line.pk}": "0"})
    done = posted(client, url, {f"line_{line.pk}": "2"})
    too_many = posted(client, url, {f"line_{line.pk}": "2"})

    assert "Choose at least one item to refund." in nothing.content.decode()
    assert "Refunded 1 138,00" in done.content.decode() or "Refunded SEK 1,138.00" in (
        done.content.decode()
    )
    assert "Ensure this value is less than or equal to 1." in too_many.content.decode()
    [email] = mailoutbox
    order.refresh_from_db()
    assert f"Kreditnota nr {order.receipt_number}-1" in pdf_text(email, order)
    assert "2 569,00 -1 138,00" in pdf_text(email, order)
    assert list(Refund.objects.values_list("total", flat=True)) == [1138]


def test_the_refund_form_offers_each_line_with_what_is_left(demo_shop):
    order = buy("en", boards=3)

    form = RefundForm(order=order)

    [field] = [form.fields[name] for name in form.fields if name.startswith("line_")]
    assert field.max_value == 3
    assert "bought 3, 3 left to refund" in field.help_text


def test_shipping_or_refunding_an_erased_customers_order_is_refused_with_a_message(
    demo_shop, client, mailoutbox
):
    # Each was a 500: the order's email cannot be queued for an erased customer.
    order = buy("en")
    [line] = order.lines.all()
    call_command("erase_customer", "--email", order.customer.email)
    mailoutbox.clear()
    client.force_login(staff("ship_order", "refund_order"))
    ship = reverse("admin:shop_order_ship", args=[order.pk])
    refund = reverse("admin:shop_order_refund", args=[order.pk])
    changelist = reverse("admin:shop_order_changelist")

    shipped = posted(client, ship, {"carrier": "PostNord", "tracking_number": ""})
    refunded = posted(client, refund, {f"line_{line.pk}": "1"})
    bulk = posted(client, changelist, {"action": "mark_shipped", "_selected_action": [order.pk]})

    refusal = f"Order {order.number}: the customer's data was erased on request"
    assert shipped.status_code == refunded.status_code == bulk.status_code == 200
    assert refusal in unescape(shipped.content.decode())
    assert refusal in unescape(refunded.content.decode())
    assert refusal in unescape(bulk.content.decode())
    assert not Shipment.objects.exists()
    assert not Refund.objects.exists()
    assert mailoutbox == []


def test_a_refund_form_submitted_twice_refunds_once(demo_shop, client, mailoutbox):
    # A double click (or the browser resending the POST) refunded the quantity twice while
    # enough was left: two credit notes, two emails.
    order = buy("en", boards=3)
    [line] = order.lines.all()
    mailoutbox.clear()
    client.force_login(staff("refund_order"))
    url = reverse("admin:shop_order_refund", args=[order.pk])
    form = client.get(url).context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    data[f"line_{line.pk}"] = 1

    first = posted(client, url, data)
    again = posted(client, url, data)

    assert "Refunded SEK 569.00" in first.content.decode()
    assert f"Order {order.number} was refunded meanwhile" in unescape(again.content.decode())
    assert Refund.objects.count() == 1
    assert len(mailoutbox) == 1
    fresh = again.context["form"]  # the page again, with a form that may be sent
    data = {name: field.initial for name, field in fresh.fields.items()}
    data[f"line_{line.pk}"] = 1
    assert "Refunded SEK 569.00" in posted(client, url, data).content.decode()
    assert Refund.objects.count() == 2

"""Layouts: the frame every message renders inside, pinned per message like its template."""

import pytest
from django.core.exceptions import ValidationError

from messaging import delivery
from messaging.models import Layout
from messaging.rendering import render_message
from tests.factories import OrderFactory
from tests.messaging.helpers import queue_order

pytestmark = pytest.mark.django_db

CONTEXT = {"shop": {"name": "Nordic <Goods>"}, "order": {"number": "NG-1"}}


def test_the_body_goes_between_header_and_footer_and_the_css_into_the_head():
    layout = Layout(
        name="Brand",
        html_header="<header>{{ shop.name }}</header>",
        html_footer="<footer>{{ order.number }}</footer>",
        css="p { color: red; }",
        text_header="{{ shop.name }}\n",
        text_footer="Bye from {{ shop.name }}",
    )
    rendered = render_message(
        subject="Order {{ order.number }} <3",
        text="Hi!\n",
        html="<p>Hi!</p>",
        context=CONTEXT,
        layout=layout,
    )
    assert rendered.text == "Nordic <Goods>\n\nHi!\n\nBye from Nordic <Goods>\n"
    head, body = rendered.html.split("<body>")
    assert "<title>Order NG-1 &lt;3</title>" in head
    assert "<style>\np { color: red; }\n</style>" in head
    assert body.index("<header>Nordic &lt;Goods&gt;</header>") < body.index("<p>Hi!</p>")
    assert body.index("<p>Hi!</p>") < body.index("<footer>NG-1</footer>")


def test_no_html_body_means_no_html_even_with_a_layout():
    layout = Layout(name="Brand", html_header="<b>x</b>")
    assert render_message(subject="s", text="t", html="", context={}, layout=layout).html == ""


def test_layout_syntax_errors_and_closing_style_tags_are_refused_on_save():
    with pytest.raises(ValidationError) as error:
        Layout(name="Broken", html_footer="\n{% if %}", css="</STYLE><script>").save()
    assert "Line 2" in str(error.value.message_dict["html_footer"])
    assert "css" in error.value.message_dict
    assert not Layout.objects.exists()


def test_every_save_keeps_a_revision_and_restore_makes_a_new_one(confirmation_template):
    layout = confirmation_template.layout
    first = layout.current_revision()
    layout.text_footer = "Changed"
    layout.save()
    layout.save()  # unchanged: no new revision
    assert layout.revisions.count() == 2

    restored = layout.restore(first)
    assert restored.number == 3
    assert restored.text_footer == first.text_footer
    assert restored.note == "Restored from revision 1."


def test_messages_pin_the_layout_revision_they_render_inside(
    no_publish, confirmation_template, mailoutbox, monkeypatch
):
    layout = confirmation_template.layout
    message = queue_order(OrderFactory())
    pinned = message.layout_revision
    assert pinned == layout.current_revision()

    layout.text_footer = "A later footer"
    layout.save()  # after queueing: the queued message keeps what it was queued with
    delivery.deliver_message(message_id=message.pk)
    assert "A later footer" not in mailoutbox[0].body
    assert mailoutbox[0].body.endswith("-- \nNordic Goods\n")


def test_an_inactive_layout_is_skipped(no_publish, confirmation_template, mailoutbox, monkeypatch):
    Layout.objects.filter(pk=confirmation_template.layout_id).update(active=False)
    message = queue_order(OrderFactory())
    assert message.layout_revision is None
    delivery.deliver_message(message_id=message.pk)
    assert "Nordic Goods" not in mailoutbox[0].body
    assert not mailoutbox[0].alternatives[0][0].startswith("<!DOCTYPE")

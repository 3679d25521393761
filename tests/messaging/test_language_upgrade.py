"""Upgrading to languages: what was written before them was English, whatever the default
language now is — an old order resent, or a message retried, must not come out in Swedish."""

import importlib

from django.apps import apps as django_apps

from attachments.models import AttachmentTemplate
from messaging.models import Layout, Message, MessageTemplate
from shop.models import Order
from tests.factories import OrderFactory
from tests.messaging.helpers import queue_order


def upgrade(module: str, function: str) -> None:
    getattr(importlib.import_module(module), function)(django_apps, None)


def test_rows_from_before_languages_are_labelled_english(confirmation_template, settings):
    settings.LANGUAGE_CODE = "sv"
    order = OrderFactory()
    message = queue_order(order)
    # As the new columns' default left them on a Swedish-default install:
    Order.objects.update(language="sv")
    Message.objects.update(language="")
    for model in (MessageTemplate, Layout, AttachmentTemplate):
        model.objects.update(language="sv")

    upgrade("shop.migrations.0004_languages", "label_earlier_orders_english")
    upgrade("attachments.migrations.0006_languages", "label_earlier_documents_english")
    upgrade("messaging.migrations.0011_languages", "label_earlier_templates_english")

    assert Order.objects.get(pk=order.pk).language == "en"
    assert Message.objects.get(pk=message.pk).language == "en"
    for model in (MessageTemplate, Layout, AttachmentTemplate):
        assert set(model.objects.values_list("language", flat=True)) == {"en"}

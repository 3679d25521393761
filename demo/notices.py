"""The demo's emails and documents after the sale (`manage.py seed_demo`): the shipping
notice with its delivery note (`order_shipped`) and the refund email with its credit note
(`order_refunded`), in English here and in Swedish in `demo.notices_sv`.

Like the confirmation (`demo.emails`), an email carries the first name, the order number and
what changed, never the address or the options a customer typed: those are in the PDF,
encrypted with the same personal document password as the receipt (each event carries the
order's token).

The credit note refers to the receipt it corrects by its number and date, as Swedish VAT law
asks of a correction, and shows what it credits (lines, total, VAT) as negative amounts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from attachments.models import AttachmentTemplate
from messaging.models import Layout, MessageTemplate, MessageTemplateAttachment
from shop.events import ORDER_REFUNDED, ORDER_SHIPPED

from . import notices_sv
from .documents import CSS
from .emails import LAYOUT_NAME, seed_layout
from .events import ensure_event_type

FOOTER = """\
<div id="footer">
  {{ shop.name }} · Order {{ order.number }} · page <pdf:pagenumber>
  <br>This document is encrypted with your personal document password. Keep it private.
</div>
"""

SELLER = """\
<p class="seller"><strong>Seller:</strong> {{ seller.legal_name }} · {{ seller.address }}
<br>Org. no. {{ seller.org_number }} · VAT no. {{ seller.vat_number }}</p>
"""

ADDRESS = """\
      <strong>{{ customer.full_name }}</strong><br>
      {{ customer.address_line1 }}<br>
      {% if customer.address_line2 %}{{ customer.address_line2 }}<br>{% endif %}
      {{ customer.postal_code }} {{ customer.city }}<br>
      {{ customer.country }}
"""

OPTIONS = """\
        {% for option in line.options %}
        <br><span class="option">{{ option.name }}: {{ option.value }}</span>
        {% endfor %}
"""

# --- order_shipped -----------------------------------------------------------------------------

DELIVERY_NOTE = "Delivery note"

DELIVERY_NOTE_HTML = (
    FOOTER
    + """
<table class="masthead">
  <tr>
    <td class="brand">{{ shop.name }}<div class="tagline">Handmade in the North</div></td>
    <td class="doc-title">Delivery note</td>
  </tr>
</table>

<table class="parties">
  <tr>
    <td class="address">
      <div class="label">Deliver to</div>
"""
    + ADDRESS
    + """\
    </td>
    <td class="facts">
      <table>
        <tr><th>Order number</th><td><strong>{{ order.number }}</strong></td></tr>
        {% if order.receipt_number %}<tr><th>Receipt number</th>
          <td>{{ order.receipt_number }}</td></tr>{% endif %}
        <tr><th>Order date</th><td>{{ order.date_short }}</td></tr>
        <tr><th>Shipped</th><td>{{ shipment.date_short }}</td></tr>
        {% if shipment.carrier %}<tr><th>Carrier</th><td>{{ shipment.carrier }}</td></tr>
        {% endif %}{% if shipment.tracking_number %}<tr><th>Tracking number</th>
          <td>{{ shipment.tracking_number }}</td></tr>{% endif %}
      </table>
    </td>
  </tr>
</table>

<p class="intro">Your parcel holds the items below, with every option you chose. Please check
it against this list when it arrives.</p>

<table class="lines" repeat="1">
  <thead><tr><th class="item">Item</th><th class="num">Qty</th></tr></thead>
  <tbody>
  {% for line in lines %}
    <tr>
      <td class="item"><strong>{{ line.product }}</strong>
"""
    + OPTIONS
    + """\
      </td>
      <td class="num">{{ line.quantity }}</td>
    </tr>
  {% endfor %}
  </tbody>
</table>

<p class="note">Something missing or damaged? Reply to the shipping email and quote your order
number <strong>{{ order.number }}</strong>.</p>

"""
    + SELLER
)

SHIPPED_SUBJECT = "Your {{ shop.name }} order {{ order.number }} is on its way"

SHIPPED_TEXT = """\
Order {{ order.number }} has shipped
Sent on {{ shipment.date_display }}

Hi {{ customer.first_name }},

Your order has left our workshop and is on its way to you.
{% if shipment.carrier %}
Carrier: {{ shipment.carrier }}{% endif %}{% if shipment.tracking_number %}
Tracking number: {{ shipment.tracking_number }}{% endif %}

In the parcel
{% for line in lines %}  {{ line.quantity }} × {{ line.product }}
{% endfor %}
The delivery note is attached as a PDF, with everything you chose. It opens
with the same personal document password as your order confirmation.

Lost the password? Ask for a new way in with your order number
{{ order.number }} and this email address: {{ event.documents_help_url }}

Something missing or damaged? Reply to this email with your order number
{{ order.number }}.
"""

SHIPPED_HTML = """\
<h1 style="margin:0 0 4px;font-size:22px;line-height:1.3;color:#1f2933;">\
Order {{ order.number }} has shipped</h1>
<p style="margin:0 0 20px;color:#64748b;">Sent on {{ shipment.date_display }}</p>
<p>Hi {{ customer.first_name }},</p>
<p>Your order has left our workshop and is on its way to you.</p>
{% if shipment.carrier or shipment.tracking_number %}<p>\
{% if shipment.carrier %}Carrier: <strong>{{ shipment.carrier }}</strong><br>{% endif %}\
{% if shipment.tracking_number %}Tracking number: \
<strong style="white-space:nowrap;">{{ shipment.tracking_number }}</strong>{% endif %}\
</p>{% endif %}
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" \
style="border-collapse:collapse;margin:0 0 20px;">
  {% for line in lines %}<tr>
    <td style="padding:8px 0;border-bottom:1px solid #e2e8f0;">{{ line.quantity }} &times; \
{{ line.product }}</td>
  </tr>{% endfor %}
</table>
<p>The delivery note is attached as a PDF, with everything you chose. It opens with the same
<strong>personal document password</strong> as your order confirmation.</p>
<p>Lost the password? Ask for a new way in with your order number
<span style="white-space:nowrap;">{{ order.number }}</span> and this email address:
<strong style="word-break:break-all;">{{ event.documents_help_url }}</strong></p>
<p>Something missing or damaged? Reply to this email with your order number
<span style="white-space:nowrap;">{{ order.number }}</span>.</p>
"""

# --- order_refunded ----------------------------------------------------------------------------

CREDIT_NOTE = "Credit note"

CREDIT_NOTE_HTML = (
    FOOTER
    + """
<table class="masthead">
  <tr>
    <td class="brand">{{ shop.name }}<div class="tagline">Handmade in the North</div></td>
    <td class="doc-title">Credit note</td>
  </tr>
</table>

<table class="parties">
  <tr>
    <td class="address">
      <div class="label">Customer</div>
"""
    + ADDRESS
    + """\
    </td>
    <td class="facts">
      <table>
        <tr><th>Credit note number</th><td><strong>{{ refund.number }}</strong></td></tr>
        <tr><th>Credit note date</th><td>{{ refund.date_short }}</td></tr>
        <tr><th>Corrects receipt</th><td><strong>{{ order.receipt_number }}</strong></td></tr>
        <tr><th>Receipt date</th><td>{{ order.date_short }}</td></tr>
        <tr><th>Order number</th><td>{{ order.number }}</td></tr>
      </table>
    </td>
  </tr>
</table>

<p class="intro">This credit note corrects receipt <strong>{{ order.receipt_number }}</strong>
of {{ order.date_display }} (order {{ order.number }}). The items below are credited; the
amount is returned to the card you paid with ({{ order.payment_method }}).</p>

<table class="lines" repeat="1">
  <thead><tr><th class="item">Credited item</th><th class="num">Qty</th>
    <th class="num">Unit price</th><th class="num">Amount</th></tr></thead>
  <tbody>
  {% for line in lines %}
    <tr>
      <td class="item"><strong>{{ line.product }}</strong>
"""
    + OPTIONS
    + """\
      </td>
      <td class="num">{{ line.quantity }}</td>
      <td class="num">{{ line.unit_price_formatted }}</td>
      <td class="num">{{ line.line_total_formatted }}</td>
    </tr>
  {% endfor %}
  </tbody>
</table>

<table class="totals">
  <tr class="grand"><td class="spacer"></td><th>Total credited</th>
    <td class="num">{{ refund.total_display }}</td></tr>
  <tr><td class="spacer"></td><th>of which VAT {{ refund.vat_rate|floatformat:"-2" }}%</th>
    <td class="num">{{ refund.vat_display }}</td></tr>
</table>

<p class="note">Questions about this refund? Reply to the refund email and quote credit note
<strong>{{ refund.number }}</strong>.</p>

"""
    + SELLER
)

REFUNDED_SUBJECT = "Refund of {{ refund.amount_display }} for your order {{ order.number }}"

REFUNDED_TEXT = """\
Refund for order {{ order.number }}
Credit note {{ refund.number }}, {{ refund.date_display }}

Hi {{ customer.first_name }},

We have refunded {{ refund.amount_display }} to the card you paid with.
Depending on your bank it shows on your account within a few days.

Refunded
{% for line in lines %}  {{ line.quantity }} × {{ line.product }}: {{ line.line_total_display }}
{% endfor %}  Total: {{ refund.total_display }}

The credit note is attached as a PDF. It corrects your receipt
{{ order.receipt_number }} and opens with the same personal document
password as your order confirmation.

Lost the password? Ask for a new way in with your order number
{{ order.number }} and this email address: {{ event.documents_help_url }}

Questions? Reply to this email with your order number {{ order.number }}.
"""

REFUNDED_HTML = """\
<h1 style="margin:0 0 4px;font-size:22px;line-height:1.3;color:#1f2933;">\
Refund for order {{ order.number }}</h1>
<p style="margin:0 0 20px;color:#64748b;">Credit note {{ refund.number }}, \
{{ refund.date_display }}</p>
<p>Hi {{ customer.first_name }},</p>
<p>We have refunded <strong style="white-space:nowrap;">{{ refund.amount_display }}</strong> to
the card you paid with. Depending on your bank it shows on your account within a few days.</p>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" \
style="border-collapse:collapse;margin:0 0 20px;">
  {% for line in lines %}<tr>
    <td style="padding:8px 0;border-bottom:1px solid #e2e8f0;">{{ line.quantity }} &times; \
{{ line.product }}</td>
    <td align="right" style="padding:8px 0 8px 12px;border-bottom:1px solid #e2e8f0;\
white-space:nowrap;">{{ line.line_total_display }}</td>
  </tr>{% endfor %}
  <tr>
    <td style="padding:10px 0;font-weight:bold;">Total</td>
    <td align="right" style="padding:10px 0 10px 12px;font-weight:bold;white-space:nowrap;">\
{{ refund.total_display }}</td>
  </tr>
</table>
<p>The credit note is attached as a PDF. It corrects your receipt
<span style="white-space:nowrap;">{{ order.receipt_number }}</span> and opens with the same
<strong>personal document password</strong> as your order confirmation.</p>
<p>Lost the password? Ask for a new way in with your order number
<span style="white-space:nowrap;">{{ order.number }}</span> and this email address:
<strong style="word-break:break-all;">{{ event.documents_help_url }}</strong></p>
<p>Questions? Reply to this email with your order number
<span style="white-space:nowrap;">{{ order.number }}</span>.</p>
"""


@dataclass(frozen=True)
class Notice:
    """One language's email and document of an event type."""

    email_name: str
    subject: str
    text: str
    html: str
    document_html: str
    filename: str


# Per event type: the document's name (shared by its languages) and each language's notice.
NOTICES: dict[str, tuple[str, dict[str, Notice]]] = {
    ORDER_SHIPPED: (
        DELIVERY_NOTE,
        {
            "en": Notice(
                "Shipping notice",
                SHIPPED_SUBJECT,
                SHIPPED_TEXT,
                SHIPPED_HTML,
                DELIVERY_NOTE_HTML,
                "delivery-note-{{ order.number }}.pdf",
            ),
            "sv": Notice(**notices_sv.SHIPPED),
        },
    ),
    ORDER_REFUNDED: (
        CREDIT_NOTE,
        {
            "en": Notice(
                "Refund",
                REFUNDED_SUBJECT,
                REFUNDED_TEXT,
                REFUNDED_HTML,
                CREDIT_NOTE_HTML,
                "credit-note-{{ refund.number }}.pdf",
            ),
            "sv": Notice(**notices_sv.REFUNDED),
        },
    ),
}


def seed_notices() -> list[MessageTemplate]:
    """Create the shipping notice and the refund email, each with its PDF, in every demo
    language, published, unless they exist (staff's edits and drafts are left alone);
    idempotent. Returns the default language's emails."""
    seed_layout()
    seeded = []
    for code, (document_name, notices) in NOTICES.items():
        event_type = ensure_event_type(code)
        documents = {
            language: _seed_document(event_type, document_name, language, notice)
            for language, notice in notices.items()
        }
        default = documents.get(settings.LANGUAGE_CODE, documents["en"])
        emails = {
            language: _seed_email(event_type, language, notice, default)
            for language, notice in notices.items()
        }
        seeded.append(emails.get(settings.LANGUAGE_CODE, emails["en"]))
    return seeded


def _seed_document(event_type, name: str, language: str, notice: Notice) -> AttachmentTemplate:
    document = AttachmentTemplate.objects.filter(name=name, language=language).first()
    if document is not None:
        return document  # staff's own
    document = AttachmentTemplate.objects.create(
        name=name,
        language=language,
        event_type=event_type,
        html=notice.document_html,
        css=CSS,
        filename_template=notice.filename,
    )
    document.publish(document.current_revision())
    return document


def _seed_email(event_type, language: str, notice: Notice, document) -> MessageTemplate:
    email = MessageTemplate.objects.filter(event=event_type, language=language).first()
    if email is not None:
        return email  # staff's own
    email = MessageTemplate.objects.create(
        event=event_type,
        name=notice.email_name,
        language=language,
        layout=Layout.objects.get(name=LAYOUT_NAME, language=language),
        subject=notice.subject,
        text_body=notice.text,
        html_body=notice.html,
    )
    # Each message carries the document's version in its own language (this links the
    # default language's, the one kept when a translation is deleted).
    MessageTemplateAttachment.objects.create(template=email, attachment_template=document)
    email.record_revision(note="Demo attachment added.")
    email.publish(email.current_revision())
    return email

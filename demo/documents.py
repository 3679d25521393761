"""The demo "Order confirmation" attachment template (used by `manage.py seed_demo`)."""

from django.conf import settings

from attachments.models import AttachmentTemplate

from .events import seed_event_types

ORDER_CONFIRMATION = "Order confirmation"

# The order date, its month abbreviated as the document's language does ("7 dec. 2026").
NEW_DATE = '{{ order.date_short }}, {{ order.date|time:"H:i" }}'
OLD_DATE = '{{ order.date|date:"j M Y, H:i" }}'

# Rows per table: xhtml2pdf lays out a long table faster as several shorter ones.
CHUNK_ROWS = 20

HTML = """\
<div id="footer">
  {{ shop.name }} · Order {{ order.number }} · page <pdf:pagenumber>
  <br>This document is encrypted with your personal document password. Keep it private.
</div>

<table class="masthead">
  <tr>
    <td class="brand">{{ shop.name }}<div class="tagline">Handmade in the North</div></td>
    <td class="doc-title">Order confirmation and receipt</td>
  </tr>
</table>

<table class="parties">
  <tr>
    <td class="address">
      <div class="label">Customer</div>
      <strong>{{ customer.full_name }}</strong><br>
      {{ customer.address_line1 }}<br>
      {% if customer.address_line2 %}{{ customer.address_line2 }}<br>{% endif %}
      {{ customer.postal_code }} {{ customer.city }}<br>
      {{ customer.country }}<br>
      {{ customer.email }}{% if customer.phone %}<br>{{ customer.phone }}{% endif %}
    </td>
    <td class="facts">
      <table>
        <tr><th>Order number</th><td><strong>{{ order.number }}</strong></td></tr>
        <tr><th>Order date</th><td>{{ order.date_short }}, {{ order.date|time:"H:i" }}</td></tr>
        <tr><th>Status</th><td>{{ order.status }}</td></tr>
        <tr><th>Payment</th><td>{{ order.payment_method }}</td></tr>
        <tr><th>Items</th><td>{{ order.unit_count }}</td></tr>
      </table>
    </td>
  </tr>
</table>

<p class="intro">Thank you for your order, {{ customer.first_name }}. Here is what you bought,
with every option you chose.</p>

<table class="lines" repeat="1">
  <thead><tr><th class="item">Item</th><th class="num">Qty</th>
    <th class="num">Unit price</th><th class="num">Amount</th></tr></thead>
  <tbody>
  {% for line in lines %}
    <tr>
      <td class="item"><strong>{{ line.product }}</strong>
        {% for option in line.options %}
        <br><span class="option">{{ option.name }}: {{ option.value }}</span>
        {% endfor %}
      </td>
      <td class="num">{{ line.quantity }}</td>
      <td class="num">{{ line.unit_price_formatted }}</td>
      <td class="num">{{ line.line_total_formatted }}</td>
    </tr>
    {% if forloop.counter|divisibleby:CHUNK and not forloop.last %}
  </tbody>
</table>
<table class="lines" repeat="1">
  <thead><tr><th class="item">Item</th><th class="num">Qty</th>
    <th class="num">Unit price</th><th class="num">Amount</th></tr></thead>
  <tbody>
    {% endif %}
  {% endfor %}
  </tbody>
</table>

<table class="totals">
  <tr><td class="spacer"></td><th>Subtotal</th>
    <td class="num">{{ order.subtotal_display }}</td></tr>
  <tr><td class="spacer"></td><th>Shipping</th><td class="num">Free</td></tr>
  <tr class="grand"><td class="spacer"></td><th>Total paid</th>
    <td class="num">{{ order.total_display }}</td></tr>
  <tr><td class="spacer"></td><th>of which VAT {{ order.vat_rate|floatformat:"-2" }}%</th>
    <td class="num">{{ order.vat_display }}</td></tr>
</table>

<p class="note">Questions about your order? Reply to the confirmation email and quote your
order number <strong>{{ order.number }}</strong>. You have 30 days to change your mind.</p>

<p class="seller"><strong>Seller:</strong> {{ seller.legal_name }} · {{ seller.address }}
<br>Org. no. {{ seller.org_number }} · VAT no. {{ seller.vat_number }}</p>
""".replace("CHUNK", str(CHUNK_ROWS))

# Earlier demo documents: a template still holding one of them exactly (with the same
# stylesheet) was never edited by staff, so seeding replaces it; an edited one is left alone.
PREVIOUS_HTML = [
    # The receipt before amounts were written in the document's language.
    """\
<div id="footer">
  {{ shop.name }} · Order {{ order.number }} · page <pdf:pagenumber>
  <br>This document is encrypted with your personal document password. Keep it private.
</div>

<table class="masthead">
  <tr>
    <td class="brand">{{ shop.name }}<div class="tagline">Handmade in the North</div></td>
    <td class="doc-title">Order confirmation and receipt</td>
  </tr>
</table>

<table class="parties">
  <tr>
    <td class="address">
      <div class="label">Customer</div>
      <strong>{{ customer.full_name }}</strong><br>
      {{ customer.address_line1 }}<br>
      {% if customer.address_line2 %}{{ customer.address_line2 }}<br>{% endif %}
      {{ customer.postal_code }} {{ customer.city }}<br>
      {{ customer.country }}<br>
      {{ customer.email }}{% if customer.phone %}<br>{{ customer.phone }}{% endif %}
    </td>
    <td class="facts">
      <table>
        <tr><th>Order number</th><td><strong>{{ order.number }}</strong></td></tr>
        <tr><th>Order date</th><td>{{ order.date|date:"j M Y, H:i" }}</td></tr>
        <tr><th>Status</th><td>{{ order.status }}</td></tr>
        <tr><th>Payment</th><td>{{ order.payment_method }}</td></tr>
        <tr><th>Items</th><td>{{ order.unit_count }}</td></tr>
      </table>
    </td>
  </tr>
</table>

<p class="intro">Thank you for your order, {{ customer.first_name }}. Here is what you bought,
with every option you chose.</p>

<table class="lines" repeat="1">
  <thead><tr><th class="item">Item</th><th class="num">Qty</th>
    <th class="num">Unit price</th><th class="num">Amount</th></tr></thead>
  <tbody>
  {% for line in lines %}
    <tr>
      <td class="item"><strong>{{ line.product }}</strong>
        {% for option in line.options %}
        <br><span class="option">{{ option.name }}: {{ option.value }}</span>
        {% endfor %}
      </td>
      <td class="num">{{ line.quantity }}</td>
      <td class="num">{{ line.unit_price|floatformat:"2g" }}</td>
      <td class="num">{{ line.line_total|floatformat:"2g" }}</td>
    </tr>
    {% if forloop.counter|divisibleby:CHUNK and not forloop.last %}
  </tbody>
</table>
<table class="lines" repeat="1">
  <thead><tr><th class="item">Item</th><th class="num">Qty</th>
    <th class="num">Unit price</th><th class="num">Amount</th></tr></thead>
  <tbody>
    {% endif %}
  {% endfor %}
  </tbody>
</table>

<table class="totals">
  <tr><td class="spacer"></td><th>Subtotal</th>
    <td class="num">{{ order.subtotal|floatformat:"2g" }} {{ order.currency }}</td></tr>
  <tr><td class="spacer"></td><th>Shipping</th><td class="num">Free</td></tr>
  <tr class="grand"><td class="spacer"></td><th>Total paid</th>
    <td class="num">{{ order.total|floatformat:"2g" }} {{ order.currency }}</td></tr>
  <tr><td class="spacer"></td><th>of which VAT {{ order.vat_rate|floatformat:"-2" }}%</th>
    <td class="num">{{ order.vat|floatformat:"2g" }} {{ order.currency }}</td></tr>
</table>

<p class="note">Questions about your order? Reply to the confirmation email and quote your
order number <strong>{{ order.number }}</strong>. You have 30 days to change your mind.</p>

<p class="seller"><strong>Seller:</strong> {{ seller.legal_name }} · {{ seller.address }}
<br>Org. no. {{ seller.org_number }} · VAT no. {{ seller.vat_number }}</p>
""".replace("CHUNK", str(CHUNK_ROWS)),
    """\
<div id="footer">
  {{ shop.name }} · Order {{ order.number }} · page <pdf:pagenumber>
  <br>This document is encrypted with your personal document password. Keep it private.
</div>

<table class="masthead">
  <tr>
    <td class="brand">{{ shop.name }}<div class="tagline">Handmade in the North</div></td>
    <td class="doc-title">Order confirmation</td>
  </tr>
</table>

<table class="parties">
  <tr>
    <td class="address">
      <div class="label">Customer</div>
      <strong>{{ customer.full_name }}</strong><br>
      {{ customer.address_line1 }}<br>
      {% if customer.address_line2 %}{{ customer.address_line2 }}<br>{% endif %}
      {{ customer.postal_code }} {{ customer.city }}<br>
      {{ customer.country }}<br>
      {{ customer.email }}{% if customer.phone %}<br>{{ customer.phone }}{% endif %}
    </td>
    <td class="facts">
      <table>
        <tr><th>Order number</th><td><strong>{{ order.number }}</strong></td></tr>
        <tr><th>Order date</th><td>{{ order.date|date:"j M Y, H:i" }}</td></tr>
        <tr><th>Status</th><td>{{ order.status }}</td></tr>
        <tr><th>Items</th><td>{{ order.line_count }}</td></tr>
      </table>
    </td>
  </tr>
</table>

<p class="intro">Thank you for your order, {{ customer.first_name }}. Here is what you bought,
with every option you chose.</p>

<table class="lines" repeat="1">
  <thead><tr><th class="item">Item</th><th class="num">Qty</th>
    <th class="num">Unit price</th><th class="num">Amount</th></tr></thead>
  <tbody>
  {% for line in lines %}
    <tr>
      <td class="item"><strong>{{ line.product }}</strong>
        {% for option in line.options %}
        <br><span class="option">{{ option.name }}: {{ option.value }}</span>
        {% endfor %}
      </td>
      <td class="num">{{ line.quantity }}</td>
      <td class="num">{{ line.unit_price|floatformat:"2g" }}</td>
      <td class="num">{{ line.line_total|floatformat:"2g" }}</td>
    </tr>
    {% if forloop.counter|divisibleby:CHUNK and not forloop.last %}
  </tbody>
</table>
<table class="lines" repeat="1">
  <thead><tr><th class="item">Item</th><th class="num">Qty</th>
    <th class="num">Unit price</th><th class="num">Amount</th></tr></thead>
  <tbody>
    {% endif %}
  {% endfor %}
  </tbody>
</table>

<table class="totals">
  <tr><td class="spacer"></td><th>Subtotal</th>
    <td class="num">{{ order.subtotal|floatformat:"2g" }} {{ order.currency }}</td></tr>
  <tr><td class="spacer"></td><th>Shipping</th><td class="num">Free</td></tr>
  <tr class="grand"><td class="spacer"></td><th>Total paid</th>
    <td class="num">{{ order.total|floatformat:"2g" }} {{ order.currency }}</td></tr>
</table>

<p class="note">VAT (25%) is included in the prices. Questions about your order? Reply to the
confirmation email and quote your order number <strong>{{ order.number }}</strong>.
You have 30 days to change your mind.</p>
""".replace("CHUNK", str(CHUNK_ROWS)),
]

# Amounts as numbers in the site's format, the currency code after them (before languages).
PREVIOUS_HTML.append(PREVIOUS_HTML[0].replace('|floatformat:"2g" }}', "_formatted }}"))
# The date with Django's month abbreviation ("7 Dec 2026" in Swedish too).
PREVIOUS_HTML.append(HTML.replace(NEW_DATE, OLD_DATE))

CSS = """\
@page {
  size: a4 portrait;
  margin: 1.6cm 1.8cm 2.4cm 1.8cm;
  @frame footer { -pdf-frame-content: footer; bottom: 0.9cm; left: 1.8cm; right: 1.8cm;
                  height: 1.1cm; }
}
body { font-size: 9.5pt; color: #1f2933; line-height: 1.35; }
#footer { font-size: 7.5pt; color: #6b7280; text-align: center; }
table { width: 100%; }
td, th { vertical-align: top; }
.masthead { border-bottom: 2pt solid #1d4e89; margin-bottom: 14pt; }
.masthead td { padding-bottom: 6pt; }
.brand { font-size: 20pt; font-weight: bold; color: #1d4e89; }
.tagline { font-size: 8.5pt; font-weight: normal; color: #6b7280; }
.doc-title { text-align: right; font-size: 14pt; color: #1f2933; padding-top: 8pt; }
.parties { margin-bottom: 10pt; }
.address { width: 55%; }
.label { font-size: 7.5pt; text-transform: uppercase; color: #6b7280; margin-bottom: 2pt; }
.facts table { background-color: #f1f5f9; }
.facts th { text-align: left; font-weight: normal; color: #6b7280; padding: 3pt 6pt; }
.facts td { text-align: right; padding: 3pt 6pt; }
.intro { margin: 4pt 0 8pt 0; }
.lines th { background-color: #1d4e89; color: #ffffff; font-weight: bold; padding: 4pt 5pt;
            text-align: left; }
.lines td { border-bottom: 0.5pt solid #d6dde6; padding: 4pt 5pt; }
.lines .item { width: 58%; }
.num { text-align: right; }
.lines th.num { text-align: right; }
.option { font-size: 8.5pt; color: #4b5563; }
.totals { margin-top: 6pt; }
.totals .spacer { width: 55%; }
.totals th { text-align: left; font-weight: normal; padding: 3pt 5pt; }
.totals td.num { padding: 3pt 5pt; }
.totals .grand th, .totals .grand td { font-weight: bold; font-size: 11pt;
                                      border-top: 1pt solid #1d4e89; }
.note { margin-top: 14pt; font-size: 8.5pt; color: #4b5563; }
.seller { margin-top: 10pt; font-size: 8pt; color: #6b7280; }
"""


# The title viewers show and screen readers announce (docs/integrators/documents.md).
TITLE = "Order confirmation and receipt {{ order.number }} · {{ shop.name }}"

PREVIOUS_CSS = [CSS.replace(".seller { margin-top: 10pt; font-size: 8pt; color: #6b7280; }\n", "")]


def seed_attachment_templates() -> AttachmentTemplate:
    """Create (or bring up to date) the demo "Order confirmation" document in every demo
    language (English, Swedish); idempotent. Returns the default language's version, the one
    the demo emails link (a translation can then be deleted: messages fall back to it).

    A version staff have edited since is left alone, and an unchanged one is not saved again,
    so running the demo seed twice adds no revision.
    """
    from . import documents_sv  # it builds on this module's constants

    versions = {
        "en": _seed_document("en", HTML, "order-{{ order.number }}.pdf", TITLE),
        "sv": _seed_document("sv", documents_sv.HTML, documents_sv.FILENAME, documents_sv.TITLE),
    }
    return versions.get(settings.LANGUAGE_CODE, versions["en"])


def _seed_document(language: str, html: str, filename: str, title: str) -> AttachmentTemplate:
    template, created = AttachmentTemplate.objects.get_or_create(
        name=ORDER_CONFIRMATION,
        language=language,
        defaults={
            "html": html,
            "css": CSS,
            "filename_template": filename,
            "title_template": title,
            "event_type": seed_event_types(),
        },
    )
    from . import documents_sv

    earlier = {"en": PREVIOUS_HTML, "sv": documents_sv.PREVIOUS_HTML}.get(language, [])
    upgradable = template.html in earlier and template.css in (*PREVIOUS_CSS, CSS)
    untitled = template.html == html and not template.title_template
    if not created and upgradable:
        template.html, template.css = html, CSS
        template.title_template = template.title_template or title
        template.save(note="Demo document updated: the date written as its language does.")
    elif not created and untitled:
        template.title_template = title
        template.save(note="Demo document updated: its title, in its language.")
    elif not created:
        return template  # staff's own: their drafts stay drafts
    template.publish(template.current_revision())
    return template

"""The demo "order_confirmation" message template and the shop's layout (`manage.py seed_demo`).

The email itself carries no personal data beyond the first name and the order number: the
details are in the attached PDF, encrypted with the password shown at checkout, which no email
ever contains. What the law wants on a durable medium is in the email's own text (the seller,
the total with VAT, the right of withdrawal), so it stays readable even if the password is lost.
"""

from django.conf import settings

from messaging.models import Layout, MessageTemplate, MessageTemplateAttachment

from . import emails_sv
from .documents import seed_attachment_templates
from .events import seed_event_types

SUBJECT = "Your {{ shop.name }} order {{ order.number }}"

# What the email says: the order number, date, what was bought and the total with its VAT; how
# to open the PDF; where to get a new way in when the password is lost
# (`event.documents_help_url`); the right of withdrawal and the seller with its address and
# numbers — what EU Directive 2011/83/EU (art. 8(7)) wants on a durable medium, readable without
# the password; where the shop is. Never the last name, address, phone or the options (an
# engraving is personal text): those are in the encrypted PDF only.
# The shop's address (`shop.url`, setting SHOP_URL) and the lost-password page are plain text,
# not links: a template may not put data in an `href` (stafftemplates/template_urls.py), and a
# fixed link would have to name a host of EMAIL_ALLOWED_URL_HOSTS wherever the demo runs. Mail
# apps make them links.
TEXT = """\
Order {{ order.number }}
Placed on {{ order.date_display }}

Hi {{ customer.first_name }},

Thank you for your order at {{ shop.name }}. We have received your payment
and are getting your things ready.

What you ordered
{% for line in lines %}  {{ line.quantity }} × {{ line.product }}: {{ line.line_total_display }}
{% endfor %}  Total: {{ order.total_display }}
  VAT included: {{ order.vat_display }} ({{ order.vat_rate|floatformat:"-2" }}%)

Opening your order PDF
Everything you chose and your delivery address are in the attached PDF.
It is protected with your personal document password, which was shown
on the confirmation page when you paid. Type it exactly as shown,
dashes included. We never send that password by email.

Can't open your PDF?
Lost the password? Ask for a new way in with your order number
{{ order.number }} and this email address. We email you a link that
shows the password and downloads the PDF again:
{{ event.documents_help_url }}

Your right of withdrawal
You may withdraw from this purchase within 14 days without giving any
reason. The 14 days start the day you receive the goods. To withdraw,
tell us clearly before they end: reply to this email, or write to
{{ seller.legal_name }}, {{ seller.address }}. You may use the model
withdrawal form (Annex I(B) to EU Directive 2011/83/EU), but you do not
have to. We refund everything you paid, standard delivery included,
within 14 days of hearing from you.

The seller
{{ seller.legal_name }}, {{ seller.address }}
Org. no. {{ seller.org_number }} · VAT no. {{ seller.vat_number }}

Shop again at {{ shop.url }}
"""

HTML = """\
<h1 style="margin:0 0 4px;font-size:22px;line-height:1.3;color:#1f2933;white-space:nowrap;">\
Order {{ order.number }}</h1>
<p style="margin:0 0 20px;color:#64748b;">Placed on {{ order.date_display }}</p>
<p>Hi {{ customer.first_name }},</p>
<p>Thank you for your order. We have received your payment and are getting your things ready.</p>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" \
style="border-collapse:collapse;margin:0 0 20px;">
  {% for line in lines %}<tr>
    <td style="padding:8px 0;border-bottom:1px solid #e2e8f0;">{{ line.quantity }} &times; \
{{ line.product }}</td>
    <td align="right" style="padding:8px 0 8px 12px;border-bottom:1px solid #e2e8f0;\
white-space:nowrap;">{{ line.line_total_display }}</td>
  </tr>{% endfor %}
  <tr>
    <td style="padding:10px 0 0;font-weight:bold;">Total</td>
    <td align="right" style="padding:10px 0 0 12px;font-weight:bold;white-space:nowrap;">\
{{ order.total_display }}</td>
  </tr>
  <tr>
    <td style="padding:0 0 10px;color:#64748b;font-size:13px;">VAT included \
({{ order.vat_rate|floatformat:"-2" }}% VAT)</td>
    <td align="right" style="padding:0 0 10px 12px;color:#64748b;font-size:13px;\
white-space:nowrap;">{{ order.vat_display }}</td>
  </tr>
</table>
<h2 style="margin:0 0 6px;font-size:16px;">Opening your order PDF</h2>
<p>Everything you chose and your delivery address are in the attached PDF. It is protected
with your <strong>personal document password</strong>, which was shown on the confirmation
page when you paid. Type it exactly as shown, dashes included.
We never send that password by email.</p>
<h2 style="margin:0 0 6px;font-size:16px;">Can't open your PDF?</h2>
<p>Lost the password? Ask for a new way in with your order number
<span style="white-space:nowrap;">{{ order.number }}</span> and this email address. We email
you a link that shows the password and downloads the PDF again:
<strong style="word-break:break-all;">{{ event.documents_help_url }}</strong></p>
<h2 style="margin:0 0 6px;font-size:16px;">Your right of withdrawal</h2>
<p>You may withdraw from this purchase within 14 days without giving any reason. The 14 days
start the day you receive the goods. To withdraw, tell us clearly before they end: reply to this
email, or write to {{ seller.legal_name }}, {{ seller.address }}. You may use the model
withdrawal form (Annex I(B) to EU Directive 2011/83/EU), but you do not have to. We refund
everything you paid, standard delivery included, within 14 days of hearing from you.</p>
<p style="margin:20px 0 0;font-size:13px;color:#64748b;">Seller: {{ seller.legal_name }},
{{ seller.address }}<br>Org. no. {{ seller.org_number }} · VAT no. {{ seller.vat_number }}</p>
<p>Shop again at <strong>{{ shop.url }}</strong></p>
"""

# The demo email before it carried the seller, the VAT and the right of withdrawal.
_BEFORE_LEGAL_TEXT = """\
Order {{ order.number }}
Placed on {{ order.date_display }}

Hi {{ customer.first_name }},

Thank you for your order at {{ shop.name }}. We have received your payment
and are getting your things ready.

What you ordered
{% for line in lines %}  {{ line.quantity }} × {{ line.product }}: {{ line.line_total_display }}
{% endfor %}  Total: {{ order.total_display }}

Opening your order PDF
Everything you chose and your delivery address are in the attached PDF.
It is protected with your personal document password, which was shown
on the confirmation page when you paid. Type it exactly as shown,
dashes included. We never send that password by email.

Lost the password?
Reply to this email with your order number {{ order.number }}. Our support
team first checks that it is really you, then looks the password up
(every look-up is recorded) and tells you.

Shop again at {{ shop.url }}
"""

_BEFORE_LEGAL_HTML = """\
<h1 style="margin:0 0 4px;font-size:22px;line-height:1.3;color:#1f2933;white-space:nowrap;">\
Order {{ order.number }}</h1>
<p style="margin:0 0 20px;color:#64748b;">Placed on {{ order.date_display }}</p>
<p>Hi {{ customer.first_name }},</p>
<p>Thank you for your order. We have received your payment and are getting your things ready.</p>
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
{{ order.total_display }}</td>
  </tr>
</table>
<h2 style="margin:0 0 6px;font-size:16px;">Opening your order PDF</h2>
<p>Everything you chose and your delivery address are in the attached PDF. It is protected
with your <strong>personal document password</strong>, which was shown on the confirmation
page when you paid. Type it exactly as shown, dashes included.
We never send that password by email.</p>
<h2 style="margin:0 0 6px;font-size:16px;">Lost the password?</h2>
<p>Reply to this email with your order number
<span style="white-space:nowrap;">{{ order.number }}</span>. Our support team first checks
that it is really you, then looks the password up (every look-up is recorded) and tells you.</p>
<p>Shop again at <strong>{{ shop.url }}</strong></p>
"""

# Earlier demo versions: a row still holding one of them exactly was never edited by staff, so
# seeding replaces it with the current text (with a revision); an edited row is left alone.
PREVIOUS_BODIES = [
    # Before the shop's address came from the settings (SHOP_URL).
    (
        SUBJECT,
        _BEFORE_LEGAL_TEXT.replace("{{ shop.url }}", "127.0.0.1:8000"),
        _BEFORE_LEGAL_HTML.replace("{{ shop.url }}", "127.0.0.1:8000"),
    ),
    # Before amounts and dates were written in the email's language.
    (
        SUBJECT,
        """\
Order {{ order.number }}
Placed on {{ order.date|date:"j F Y" }}

Hi {{ customer.first_name }},

Thank you for your order at {{ shop.name }}. We have received your payment
and are getting your things ready.

What you ordered
{% for line in lines %}  {{ line.quantity }} × {{ line.product }}: {{ line.line_total }}
{% endfor %}  Total: {{ order.total }} {{ order.currency }}

Opening your order PDF
Everything you chose and your delivery address are in the attached PDF.
It is protected with your personal document password, which was shown
on the confirmation page when you paid. Type it exactly as shown,
dashes included. We never send that password by email.

Lost the password?
Reply to this email with your order number {{ order.number }}. Our support
team first checks that it is really you, then looks the password up
(every look-up is recorded) and tells you.

Shop again at 127.0.0.1:8000
""",
        """\
<h1 style="margin:0 0 4px;font-size:22px;line-height:1.3;color:#1f2933;white-space:nowrap;">\
Order {{ order.number }}</h1>
<p style="margin:0 0 20px;color:#64748b;">Placed on {{ order.date|date:"j F Y" }}</p>
<p>Hi {{ customer.first_name }},</p>
<p>Thank you for your order. We have received your payment and are getting your things ready.</p>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" \
style="border-collapse:collapse;margin:0 0 20px;">
  {% for line in lines %}<tr>
    <td style="padding:8px 0;border-bottom:1px solid #e2e8f0;">{{ line.quantity }} &times; \
{{ line.product }}</td>
    <td align="right" style="padding:8px 0 8px 12px;border-bottom:1px solid #e2e8f0;\
white-space:nowrap;">{{ line.line_total }} {{ order.currency }}</td>
  </tr>{% endfor %}
  <tr>
    <td style="padding:10px 0;font-weight:bold;">Total</td>
    <td align="right" style="padding:10px 0 10px 12px;font-weight:bold;white-space:nowrap;">\
{{ order.total }} {{ order.currency }}</td>
  </tr>
</table>
<h2 style="margin:0 0 6px;font-size:16px;">Opening your order PDF</h2>
<p>Everything you chose and your delivery address are in the attached PDF. It is protected
with your <strong>personal document password</strong>, which was shown on the confirmation
page when you paid. Type it exactly as shown, dashes included.
We never send that password by email.</p>
<h2 style="margin:0 0 6px;font-size:16px;">Lost the password?</h2>
<p>Reply to this email with your order number
<span style="white-space:nowrap;">{{ order.number }}</span>. Our support team first checks
that it is really you, then looks the password up (every look-up is recorded) and tells you.</p>
<p>Shop again at <strong>127.0.0.1:8000</strong></p>
""",
    ),
    (
        SUBJECT,
        """\
Hi {{ customer.first_name }},

Thank you for your order {{ order.number }} at {{ shop.name }}. We have received your payment
and are getting your things ready.

Your order confirmation, with everything you chose, is attached as a PDF. It is protected with
your personal document password, which was shown on the confirmation page when you completed
your purchase. We never send that password by email.

Questions? Just reply to this email and quote your order number {{ order.number }}.
""",
        """\
<p>Hi {{ customer.first_name }},</p>
<p>Thank you for your order <strong>{{ order.number }}</strong>. We have received
your payment and are getting your things ready.</p>
<p>Your order confirmation, with everything you chose, is attached as a PDF.
It is protected with your <strong>personal document password</strong>, which was
shown on the confirmation page when you completed your purchase.
We never send that password by email.</p>
<p>Questions? Just reply to this email and quote your order number
{{ order.number }}.</p>
""",
    ),
]

# Amounts as numbers in the site's format, the currency code after them (before languages).
PREVIOUS_BODIES.append(
    tuple(
        text.replace("line.line_total }}", "line.line_total_formatted }}").replace(
            "order.total }}", "order.total_formatted }}"
        )
        for text in PREVIOUS_BODIES[1]
    )
)

# Before the email carried the seller, the VAT and the right of withdrawal, and linked the
# lost-password page.
PREVIOUS_BODIES.append((SUBJECT, _BEFORE_LEGAL_TEXT, _BEFORE_LEGAL_HTML))

# The shop's branding, shared by every email: change it here (or in admin) once.
LAYOUT_NAME = "Nordic Goods"

LAYOUT_CSS = """\
body { margin: 0; padding: 0; background: #f1f5f9; color: #1f2933;
       font-family: Helvetica, Arial, sans-serif; }
.card { background: #ffffff; border-radius: 6px; }
.brand { padding: 20px 28px; border-bottom: 3px solid #1d4e89; font-size: 22px;
         font-weight: bold; color: #1d4e89; }
.content { padding: 24px 28px; font-size: 15px; line-height: 1.5; }
.footer { padding: 16px 28px; font-size: 12px; color: #64748b; border-top: 1px solid #e2e8f0; }
@media (max-width: 600px) {
  .brand, .content, .footer { padding-left: 16px !important; padding-right: 16px !important; }
}
"""

# Inline styles too: some clients drop <style> from the head. The card is at most 560 px wide
# and narrows with a phone's screen.
LAYOUT_HTML_HEADER = """\
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" \
style="background:#f1f5f9;">
  <tr><td align="center" style="padding:24px 12px;">
    <table role="presentation" width="100%" cellpadding="0" cellspacing="0" class="card" \
style="max-width:560px;background:#ffffff;border-radius:6px;">
      <tr><td class="brand" style="padding:20px 28px;border-bottom:3px solid #1d4e89;\
font-size:22px;font-weight:bold;color:#1d4e89;">{{ shop.name }}</td></tr>
      <tr><td class="content" style="padding:24px 28px;font-size:15px;line-height:1.5;">
"""

LAYOUT_HTML_FOOTER = """\
        <p>Warm regards,<br>{{ shop.name }}</p>
      </td></tr>
      <tr><td class="footer" style="padding:16px 28px;font-size:12px;color:#64748b;">
        {{ shop.name }} · You receive this email because you placed order {{ order.number }}.
      </td></tr>
    </table>
  </td></tr>
</table>
"""

# Earlier demo layout headers, upgraded like PREVIOUS_BODIES (fixed 560 px: too wide for phones).
PREVIOUS_LAYOUT_HTML_HEADERS = [
    """\
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" \
style="background:#f1f5f9;">
  <tr><td align="center" style="padding:24px 12px;">
    <table role="presentation" width="560" cellpadding="0" cellspacing="0" class="card" \
style="background:#ffffff;border-radius:6px;">
      <tr><td class="brand" style="padding:20px 28px;border-bottom:3px solid #1d4e89;\
font-size:22px;font-weight:bold;color:#1d4e89;">{{ shop.name }}</td></tr>
      <tr><td class="content" style="padding:24px 28px;font-size:15px;line-height:1.5;">
""",
]

PREVIOUS_LAYOUT_CSS = [
    """\
body { margin: 0; padding: 0; background: #f1f5f9; color: #1f2933;
       font-family: Helvetica, Arial, sans-serif; }
.card { background: #ffffff; border-radius: 6px; }
.brand { padding: 20px 28px; border-bottom: 3px solid #1d4e89; font-size: 22px;
         font-weight: bold; color: #1d4e89; }
.content { padding: 24px 28px; font-size: 15px; line-height: 1.5; }
.footer { padding: 16px 28px; font-size: 12px; color: #64748b; border-top: 1px solid #e2e8f0; }
""",
]

LAYOUT_TEXT_FOOTER = """\
Warm regards,
{{ shop.name }}
"""


def seed_layout() -> Layout:
    """The demo shop's email layout in every demo language, unless it exists (staff edits are
    kept); an English layout still holding an earlier demo header and CSS gets the current
    ones. Returns the default language's."""
    versions = {
        "en": _seed_layout("en", LAYOUT_HTML_FOOTER, LAYOUT_TEXT_FOOTER),
        "sv": _seed_layout("sv", emails_sv.LAYOUT_HTML_FOOTER, emails_sv.LAYOUT_TEXT_FOOTER),
    }
    return versions.get(settings.LANGUAGE_CODE, versions["en"])


def _seed_layout(language: str, html_footer: str, text_footer: str) -> Layout:
    layout = Layout.objects.filter(name=LAYOUT_NAME, language=language).first()
    if layout is None:
        layout = Layout.objects.create(
            name=LAYOUT_NAME,
            language=language,
            html_header=LAYOUT_HTML_HEADER,
            html_footer=html_footer,
            css=LAYOUT_CSS,
            text_footer=text_footer,
        )
    elif layout.html_header in PREVIOUS_LAYOUT_HTML_HEADERS and layout.css in PREVIOUS_LAYOUT_CSS:
        layout.html_header, layout.css = LAYOUT_HTML_HEADER, LAYOUT_CSS
        layout.save(note="Demo layout updated: narrows on phones.")
    else:
        return layout  # staff's own: their drafts stay drafts
    layout.publish(layout.current_revision())
    return layout


def seed_message_templates() -> MessageTemplate:
    """Create the demo order confirmation in every demo language (English, Swedish), each with
    its layout and the demo PDF, unless it exists; idempotent. Returns the default language's.

    A template still holding an earlier demo text, in either language, gets the current one
    (one revision); a template staff have edited since is left alone, so re-seeding adds no
    revision. Every language's email links the default language's document: each message
    carries the version in its own language, and the default one where a translation is
    missing.
    """
    event_type = seed_event_types()
    document = seed_attachment_templates()
    seed_layout()
    confirmations = MessageTemplate.objects.filter(event=event_type)
    texts = {
        "en": ("Order confirmation", SUBJECT, TEXT, HTML),
        "sv": ("Orderbekräftelse", emails_sv.SUBJECT, emails_sv.TEXT, emails_sv.HTML),
    }
    versions = {}
    for language, (name, subject, text, html) in texts.items():
        template = confirmations.filter(language=language).first()
        seeded = template is None
        if template is None:
            template = MessageTemplate.objects.create(
                event=event_type,
                name=name,
                language=language,
                layout=Layout.objects.get(name=LAYOUT_NAME, language=language),
                subject=subject,
                text_body=text,
                html_body=html,
            )
        elif _earlier_demo_email(template):
            template.subject, template.text_body, template.html_body = subject, text, html
            template.save(note="Demo email updated to the current demo text.")
            seeded = True
        if not template.attachment_links.exists():
            MessageTemplateAttachment.objects.create(
                template=template, attachment_template=document, position=0
            )
            template.record_revision(note="Demo attachment added.")
            seeded = True
        if seeded:
            # What the seed wrote goes live; a template staff edited keeps its drafts as drafts.
            template.publish(template.current_revision())
        versions[language] = template
    return versions.get(settings.LANGUAGE_CODE, versions["en"])


def _earlier_demo_email(template: MessageTemplate) -> bool:
    earlier = {"en": PREVIOUS_BODIES, "sv": emails_sv.PREVIOUS_BODIES}.get(template.language, [])
    return (template.subject, template.text_body, template.html_body) in earlier

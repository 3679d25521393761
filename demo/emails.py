"""The demo "order_confirmation" message template and the shop's layout (`manage.py seed_demo`).

The email itself carries no personal data beyond the first name and the order number: the
details are in the attached PDF, encrypted with the password shown at checkout, which no email
ever contains.
"""

from messaging.models import Event, Layout, MessageTemplate, MessageTemplateAttachment

from .documents import seed_attachment_templates

SUBJECT = "Your {{ shop.name }} order {{ order.number }}"

TEXT = """\
Hi {{ customer.first_name }},

Thank you for your order {{ order.number }} at {{ shop.name }}. We have received your payment
and are getting your things ready.

Your order confirmation, with everything you chose, is attached as a PDF. It is protected with
your personal document password, which was shown on the confirmation page when you completed
your purchase. We never send that password by email.

Questions? Just reply to this email and quote your order number {{ order.number }}.
"""

HTML = """\
<p>Hi {{ customer.first_name }},</p>
<p>Thank you for your order <strong>{{ order.number }}</strong>. We have received
your payment and are getting your things ready.</p>
<p>Your order confirmation, with everything you chose, is attached as a PDF.
It is protected with your <strong>personal document password</strong>, which was
shown on the confirmation page when you completed your purchase.
We never send that password by email.</p>
<p>Questions? Just reply to this email and quote your order number
{{ order.number }}.</p>
"""

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
"""

# Inline styles too: some clients drop <style> from the head.
LAYOUT_HTML_HEADER = """\
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" \
style="background:#f1f5f9;">
  <tr><td align="center" style="padding:24px 12px;">
    <table role="presentation" width="560" cellpadding="0" cellspacing="0" class="card" \
style="background:#ffffff;border-radius:6px;">
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

LAYOUT_TEXT_FOOTER = """\
Warm regards,
{{ shop.name }}
"""


def seed_layout() -> Layout:
    """The demo shop's email layout, unless it exists (staff edits are kept)."""
    layout = Layout.objects.filter(name=LAYOUT_NAME).first()
    if layout is None:
        layout = Layout.objects.create(
            name=LAYOUT_NAME,
            html_header=LAYOUT_HTML_HEADER,
            html_footer=LAYOUT_HTML_FOOTER,
            css=LAYOUT_CSS,
            text_footer=LAYOUT_TEXT_FOOTER,
        )
    return layout


def seed_message_templates() -> MessageTemplate:
    """Create the demo order confirmation (with the demo PDF) unless it exists; idempotent.

    A template staff have edited since is left alone, so re-seeding adds no revision.
    """
    attachment = seed_attachment_templates()
    layout = seed_layout()
    template = MessageTemplate.objects.filter(event=Event.ORDER_CONFIRMATION).first()
    if template is None:
        template = MessageTemplate.objects.create(
            event=Event.ORDER_CONFIRMATION,
            name="Order confirmation",
            layout=layout,
            subject=SUBJECT,
            text_body=TEXT,
            html_body=HTML,
        )
    if not template.attachment_links.exists():
        MessageTemplateAttachment.objects.create(
            template=template, attachment_template=attachment, position=0
        )
        template.record_revision(note="Demo attachment added.")
    return template

"""The demo "order_confirmation" message template (used by `manage.py seed_demo`).

The email itself carries no personal data beyond the first name and the order number: the
details are in the attached PDF, encrypted with the password shown at checkout, which no email
ever contains.
"""

from attachments.demo import seed_attachment_templates

from .models import Event, MessageTemplate, MessageTemplateAttachment

SUBJECT = "Your {{ shop.name }} order {{ order.number }}"

TEXT = """\
Hi {{ customer.first_name }},

Thank you for your order {{ order.number }} at {{ shop.name }}. We have received your payment
and are getting your things ready.

Your order confirmation, with everything you chose, is attached as a PDF. It is protected with
your personal document password, which was shown on the confirmation page when you completed
your purchase. We never send that password by email.

Questions? Just reply to this email and quote your order number {{ order.number }}.

Warm regards,
{{ shop.name }}
"""

HTML = """\
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Order {{ order.number }}</title></head>
<body style="margin:0;padding:0;background:#f1f5f9;font-family:Helvetica,Arial,sans-serif;\
color:#1f2933;">
  <table role="presentation" width="100%" cellpadding="0" cellspacing="0">
    <tr><td align="center" style="padding:24px 12px;">
      <table role="presentation" width="560" cellpadding="0" cellspacing="0"
             style="background:#ffffff;border-radius:6px;">
        <tr><td style="padding:20px 28px;border-bottom:3px solid #1d4e89;font-size:22px;\
font-weight:bold;color:#1d4e89;">{{ shop.name }}</td></tr>
        <tr><td style="padding:24px 28px;font-size:15px;line-height:1.5;">
          <p>Hi {{ customer.first_name }},</p>
          <p>Thank you for your order <strong>{{ order.number }}</strong>. We have received
          your payment and are getting your things ready.</p>
          <p>Your order confirmation, with everything you chose, is attached as a PDF.
          It is protected with your <strong>personal document password</strong>, which was
          shown on the confirmation page when you completed your purchase.
          We never send that password by email.</p>
          <p>Questions? Just reply to this email and quote your order number
          {{ order.number }}.</p>
          <p>Warm regards,<br>{{ shop.name }}</p>
        </td></tr>
      </table>
    </td></tr>
  </table>
</body>
</html>
"""


def seed_message_templates() -> MessageTemplate:
    """Create the demo order confirmation (with the demo PDF) unless it exists; idempotent.

    A template staff have edited since is left alone, so re-seeding adds no revision.
    """
    attachment = seed_attachment_templates()
    template = MessageTemplate.objects.filter(event=Event.ORDER_CONFIRMATION).first()
    if template is None:
        template = MessageTemplate.objects.create(
            event=Event.ORDER_CONFIRMATION,
            name="Order confirmation",
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

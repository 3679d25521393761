"""The demo order confirmation email and layout in Swedish (`manage.py seed_demo`).

The same email as `demo.emails`, written in Swedish; amounts and the date come written out in
Swedish by the context (`order.total_display`: "1 387,00 kr", `order.date_display`).
"""

SUBJECT = "Orderbekräftelse {{ order.number }} från {{ shop.name }}"

TEXT = """\
Order {{ order.number }}
Lagd {{ order.date_display }}

Hej {{ customer.first_name }}!

Tack för din beställning hos {{ shop.name }}. Vi har tagit emot din betalning
och gör i ordning dina varor.

Det här har du beställt
{% for line in lines %}  {{ line.quantity }} × {{ line.product }}: {{ line.line_total_display }}
{% endfor %}  Totalt: {{ order.total_display }}

Så öppnar du orderns PDF
Allt du valde och din leveransadress finns i den bifogade PDF:en.
Den är skyddad med ditt personliga dokumentlösenord, som visades
på bekräftelsesidan när du betalade. Skriv det exakt som det visades,
med bindestreck. Vi skickar aldrig lösenordet med e-post.

Har du tappat bort lösenordet?
Svara på det här mejlet med ditt ordernummer {{ order.number }}. Vår
kundtjänst kontrollerar först att det verkligen är du, slår sedan upp
lösenordet (varje uppslagning loggas) och berättar det för dig.

Handla igen på {{ shop.url }}
"""

HTML = """\
<h1 style="margin:0 0 4px;font-size:22px;line-height:1.3;color:#1f2933;white-space:nowrap;">\
Order {{ order.number }}</h1>
<p style="margin:0 0 20px;color:#64748b;">Lagd {{ order.date_display }}</p>
<p>Hej {{ customer.first_name }}!</p>
<p>Tack för din beställning. Vi har tagit emot din betalning och gör i ordning dina varor.</p>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" \
style="border-collapse:collapse;margin:0 0 20px;">
  {% for line in lines %}<tr>
    <td style="padding:8px 0;border-bottom:1px solid #e2e8f0;">{{ line.quantity }} &times; \
{{ line.product }}</td>
    <td align="right" style="padding:8px 0 8px 12px;border-bottom:1px solid #e2e8f0;\
white-space:nowrap;">{{ line.line_total_display }}</td>
  </tr>{% endfor %}
  <tr>
    <td style="padding:10px 0;font-weight:bold;">Totalt</td>
    <td align="right" style="padding:10px 0 10px 12px;font-weight:bold;white-space:nowrap;">\
{{ order.total_display }}</td>
  </tr>
</table>
<h2 style="margin:0 0 6px;font-size:16px;">Så öppnar du orderns PDF</h2>
<p>Allt du valde och din leveransadress finns i den bifogade PDF:en. Den är skyddad med ditt
<strong>personliga dokumentlösenord</strong>, som visades på bekräftelsesidan när du betalade.
Skriv det exakt som det visades, med bindestreck. Vi skickar aldrig lösenordet med e-post.</p>
<h2 style="margin:0 0 6px;font-size:16px;">Har du tappat bort lösenordet?</h2>
<p>Svara på det här mejlet med ditt ordernummer
<span style="white-space:nowrap;">{{ order.number }}</span>. Vår kundtjänst kontrollerar först
att det verkligen är du, slår sedan upp lösenordet (varje uppslagning loggas) och berättar det
för dig.</p>
<p>Handla igen på <strong>{{ shop.url }}</strong></p>
"""

# Earlier demo versions, replaced on seeding unless staff edited them (`demo.emails`).
PREVIOUS_BODIES = [
    # Before the shop's address came from the settings (SHOP_URL).
    tuple(text.replace("{{ shop.url }}", "127.0.0.1:8000") for text in (SUBJECT, TEXT, HTML)),
]

LAYOUT_HTML_FOOTER = """\
        <p>Varma hälsningar,<br>{{ shop.name }}</p>
      </td></tr>
      <tr><td class="footer" style="padding:16px 28px;font-size:12px;color:#64748b;">
        {{ shop.name }} · Du får det här mejlet för att du lade order {{ order.number }}.
      </td></tr>
    </table>
  </td></tr>
</table>
"""

LAYOUT_TEXT_FOOTER = """\
Varma hälsningar,
{{ shop.name }}
"""

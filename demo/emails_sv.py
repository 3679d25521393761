"""The demo order confirmation email and layout in Swedish (`manage.py seed_demo`).

The same email as `demo.emails` (with what it carries for EU Directive 2011/83/EU), written in
Swedish; amounts and the date come written out in
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
  Varav moms: {{ order.vat_display }} ({{ order.vat_rate|floatformat:"-2" }} %)

Så öppnar du orderns PDF
Allt du valde och din leveransadress finns i den bifogade PDF:en.
Den är skyddad med ditt personliga dokumentlösenord, som visades
på bekräftelsesidan när du betalade. Skriv det exakt som det visades,
med bindestreck. Vi skickar aldrig lösenordet med e-post.

Kan du inte öppna PDF:en?
Har du tappat bort lösenordet? Be om en ny väg in med ditt ordernummer
{{ order.number }} och den här e-postadressen. Vi mejlar dig en länk
som visar lösenordet och laddar ner PDF:en igen:
{{ event.documents_help_url }}

Din ångerrätt
Du kan ångra köpet inom 14 dagar utan att ange något skäl. De 14 dagarna
räknas från dagen då du tar emot varorna. Meddela oss tydligt innan de
har gått ut: svara på det här mejlet, eller skriv till
{{ seller.legal_name }}, {{ seller.address }}. Du kan använda
standardformuläret för att ångra köp (bilaga I B till EU-direktiv
2011/83/EU), men du måste inte. Vi betalar tillbaka allt du betalat,
vanlig frakt inräknad, inom 14 dagar från att vi fått ditt besked.

Säljare
{{ seller.legal_name }}, {{ seller.address }}
Org.nr {{ seller.org_number }} · Momsreg.nr {{ seller.vat_number }}

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
    <td style="padding:10px 0 0;font-weight:bold;">Totalt</td>
    <td align="right" style="padding:10px 0 0 12px;font-weight:bold;white-space:nowrap;">\
{{ order.total_display }}</td>
  </tr>
  <tr>
    <td style="padding:0 0 10px;color:#64748b;font-size:13px;">Varav moms \
({{ order.vat_rate|floatformat:"-2" }} %)</td>
    <td align="right" style="padding:0 0 10px 12px;color:#64748b;font-size:13px;\
white-space:nowrap;">{{ order.vat_display }}</td>
  </tr>
</table>
<h2 style="margin:0 0 6px;font-size:16px;">Så öppnar du orderns PDF</h2>
<p>Allt du valde och din leveransadress finns i den bifogade PDF:en. Den är skyddad med ditt
<strong>personliga dokumentlösenord</strong>, som visades på bekräftelsesidan när du betalade.
Skriv det exakt som det visades, med bindestreck. Vi skickar aldrig lösenordet med e-post.</p>
<h2 style="margin:0 0 6px;font-size:16px;">Kan du inte öppna PDF:en?</h2>
<p>Har du tappat bort lösenordet? Be om en ny väg in med ditt ordernummer
<span style="white-space:nowrap;">{{ order.number }}</span> och den här e-postadressen. Vi
mejlar dig en länk som visar lösenordet och laddar ner PDF:en igen:
<strong style="word-break:break-all;">{{ event.documents_help_url }}</strong></p>
<h2 style="margin:0 0 6px;font-size:16px;">Din ångerrätt</h2>
<p>Du kan ångra köpet inom 14 dagar utan att ange något skäl. De 14 dagarna räknas från dagen då
du tar emot varorna. Meddela oss tydligt innan de har gått ut: svara på det här mejlet, eller
skriv till {{ seller.legal_name }}, {{ seller.address }}. Du kan använda standardformuläret för
att ångra köp (bilaga I B till EU-direktiv 2011/83/EU), men du måste inte. Vi betalar tillbaka
allt du betalat, vanlig frakt inräknad, inom 14 dagar från att vi fått ditt besked.</p>
<p style="margin:20px 0 0;font-size:13px;color:#64748b;">Säljare: {{ seller.legal_name }},
{{ seller.address }}<br>Org.nr {{ seller.org_number }} · Momsreg.nr {{ seller.vat_number }}</p>
<p>Handla igen på <strong>{{ shop.url }}</strong></p>
"""

_BEFORE_LEGAL_TEXT = """\
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

_BEFORE_LEGAL_HTML = """\
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
    tuple(
        text.replace("{{ shop.url }}", "127.0.0.1:8000")
        for text in (SUBJECT, _BEFORE_LEGAL_TEXT, _BEFORE_LEGAL_HTML)
    ),
    # Before the email carried the seller, the VAT and the right of withdrawal, and linked the
    # lost-password page.
    (SUBJECT, _BEFORE_LEGAL_TEXT, _BEFORE_LEGAL_HTML),
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

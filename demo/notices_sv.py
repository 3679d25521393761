"""The demo's shipping notice and refund email, with their delivery note and credit note, in
Swedish (`demo.notices` seeds them): the same documents, every label the template's own, the
amounts and dates written in Swedish by the context ("-1 095,00 kr", "3 december 2026")."""

FOOTER = """\
<div id="footer">
  {{ shop.name }} · Order {{ order.number }} · sida <pdf:pagenumber>
  <br>Dokumentet är krypterat med ditt personliga dokumentlösenord. Håll det för dig själv.
</div>
"""

SELLER = """\
<p class="seller"><strong>Säljare:</strong> {{ seller.legal_name }} · {{ seller.address }}
<br>Org.nr {{ seller.org_number }} · Momsreg.nr {{ seller.vat_number }}</p>
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

DELIVERY_NOTE_HTML = (
    FOOTER
    + """
<table class="masthead">
  <tr>
    <td class="brand">{{ shop.name }}<div class="tagline">Handgjort i Norden</div></td>
    <td class="doc-title">Följesedel</td>
  </tr>
</table>

<table class="parties">
  <tr>
    <td class="address">
      <div class="label">Leveransadress</div>
"""
    + ADDRESS
    + """\
    </td>
    <td class="facts">
      <table>
        <tr><th>Ordernummer</th><td><strong>{{ order.number }}</strong></td></tr>
        {% if order.receipt_number %}<tr><th>Kvittonummer</th>
          <td>{{ order.receipt_number }}</td></tr>{% endif %}
        <tr><th>Orderdatum</th><td>{{ order.date_short }}</td></tr>
        <tr><th>Skickad</th><td>{{ shipment.date_short }}</td></tr>
        {% if shipment.carrier %}<tr><th>Transportör</th><td>{{ shipment.carrier }}</td></tr>
        {% endif %}{% if shipment.tracking_number %}<tr><th>Kollinummer</th>
          <td>{{ shipment.tracking_number }}</td></tr>{% endif %}
      </table>
    </td>
  </tr>
</table>

<p class="intro">I paketet finns varorna nedan, med alla val du gjorde. Kontrollera gärna
paketet mot listan när det kommer fram.</p>

<table class="lines" repeat="1">
  <thead><tr><th class="item">Artikel</th><th class="num">Antal</th></tr></thead>
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

<p class="note">Saknas något eller har något gått sönder? Svara på leveransmejlet och ange ditt
ordernummer <strong>{{ order.number }}</strong>.</p>

"""
    + SELLER
)

SHIPPED = {
    "email_name": "Leveransavisering",
    "subject": "Din order {{ order.number }} från {{ shop.name }} är på väg",
    "text": """\
Order {{ order.number }} är skickad
Skickad {{ shipment.date_display }}

Hej {{ customer.first_name }}!

Din beställning har lämnat vår verkstad och är på väg till dig.
{% if shipment.carrier %}
Transportör: {{ shipment.carrier }}{% endif %}{% if shipment.tracking_number %}
Kollinummer: {{ shipment.tracking_number }}{% endif %}

I paketet
{% for line in lines %}  {{ line.quantity }} × {{ line.product }}
{% endfor %}
Följesedeln finns i den bifogade PDF:en, med allt du valde. Den öppnas
med samma personliga dokumentlösenord som din orderbekräftelse.

Har du tappat bort lösenordet? Be om en ny väg in med ditt ordernummer
{{ order.number }} och den här e-postadressen: {{ event.documents_help_url }}

Saknas något eller har något gått sönder? Svara på det här mejlet med
ditt ordernummer {{ order.number }}.
""",
    "html": """\
<h1 style="margin:0 0 4px;font-size:22px;line-height:1.3;color:#1f2933;">\
Order {{ order.number }} är skickad</h1>
<p style="margin:0 0 20px;color:#64748b;">Skickad {{ shipment.date_display }}</p>
<p>Hej {{ customer.first_name }}!</p>
<p>Din beställning har lämnat vår verkstad och är på väg till dig.</p>
{% if shipment.carrier or shipment.tracking_number %}<p>\
{% if shipment.carrier %}Transportör: <strong>{{ shipment.carrier }}</strong><br>{% endif %}\
{% if shipment.tracking_number %}Kollinummer: \
<strong style="white-space:nowrap;">{{ shipment.tracking_number }}</strong>{% endif %}\
</p>{% endif %}
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" \
style="border-collapse:collapse;margin:0 0 20px;">
  {% for line in lines %}<tr>
    <td style="padding:8px 0;border-bottom:1px solid #e2e8f0;">{{ line.quantity }} &times; \
{{ line.product }}</td>
  </tr>{% endfor %}
</table>
<p>Följesedeln finns i den bifogade PDF:en, med allt du valde. Den öppnas med samma
<strong>personliga dokumentlösenord</strong> som din orderbekräftelse.</p>
<p>Har du tappat bort lösenordet? Be om en ny väg in med ditt ordernummer
<span style="white-space:nowrap;">{{ order.number }}</span> och den här e-postadressen:
<strong style="word-break:break-all;">{{ event.documents_help_url }}</strong></p>
<p>Saknas något eller har något gått sönder? Svara på det här mejlet med ditt ordernummer
<span style="white-space:nowrap;">{{ order.number }}</span>.</p>
""",
    "document_html": DELIVERY_NOTE_HTML,
    "filename": "foljesedel-{{ order.number }}.pdf",
}

CREDIT_NOTE_HTML = (
    FOOTER
    + """
<table class="masthead">
  <tr>
    <td class="brand">{{ shop.name }}<div class="tagline">Handgjort i Norden</div></td>
    <td class="doc-title">Kreditnota</td>
  </tr>
</table>

<table class="parties">
  <tr>
    <td class="address">
      <div class="label">Kund</div>
"""
    + ADDRESS
    + """\
    </td>
    <td class="facts">
      <table>
        <tr><th>Kreditnota nr</th><td><strong>{{ refund.number }}</strong></td></tr>
        <tr><th>Kreditnotans datum</th><td>{{ refund.date_short }}</td></tr>
        <tr><th>Avser kvitto</th><td><strong>{{ order.receipt_number }}</strong></td></tr>
        <tr><th>Kvittots datum</th><td>{{ order.date_short }}</td></tr>
        <tr><th>Ordernummer</th><td>{{ order.number }}</td></tr>
      </table>
    </td>
  </tr>
</table>

<p class="intro">Den här kreditnotan rättar kvitto <strong>{{ order.receipt_number }}</strong>
av den {{ order.date_display }} (order {{ order.number }}). Varorna nedan krediteras;
beloppet betalas tillbaka till kortet du betalade med ({{ order.payment_method }}).</p>

<table class="lines" repeat="1">
  <thead><tr><th class="item">Krediterad artikel</th><th class="num">Antal</th>
    <th class="num">À-pris</th><th class="num">Belopp</th></tr></thead>
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
  <tr class="grand"><td class="spacer"></td><th>Summa kredit</th>
    <td class="num">{{ refund.total_display }}</td></tr>
  <tr><td class="spacer"></td><th>varav moms {{ refund.vat_rate|floatformat:"-2" }} %</th>
    <td class="num">{{ refund.vat_display }}</td></tr>
</table>

<p class="note">Frågor om återbetalningen? Svara på mejlet om återbetalningen och ange
kreditnota <strong>{{ refund.number }}</strong>.</p>

"""
    + SELLER
)

REFUNDED = {
    "email_name": "Återbetalning",
    "subject": "Återbetalning på {{ refund.amount_display }} för din order {{ order.number }}",
    "text": """\
Återbetalning för order {{ order.number }}
Kreditnota {{ refund.number }}, {{ refund.date_display }}

Hej {{ customer.first_name }}!

Vi har betalat tillbaka {{ refund.amount_display }} till kortet du betalade med.
Beroende på din bank syns det på ditt konto inom några dagar.

Återbetalt
{% for line in lines %}  {{ line.quantity }} × {{ line.product }}: {{ line.line_total_display }}
{% endfor %}  Totalt: {{ refund.total_display }}

Kreditnotan finns i den bifogade PDF:en. Den rättar ditt kvitto
{{ order.receipt_number }} och öppnas med samma personliga
dokumentlösenord som din orderbekräftelse.

Har du tappat bort lösenordet? Be om en ny väg in med ditt ordernummer
{{ order.number }} och den här e-postadressen: {{ event.documents_help_url }}

Frågor? Svara på det här mejlet med ditt ordernummer {{ order.number }}.
""",
    "html": """\
<h1 style="margin:0 0 4px;font-size:22px;line-height:1.3;color:#1f2933;">\
Återbetalning för order {{ order.number }}</h1>
<p style="margin:0 0 20px;color:#64748b;">Kreditnota {{ refund.number }}, \
{{ refund.date_display }}</p>
<p>Hej {{ customer.first_name }}!</p>
<p>Vi har betalat tillbaka <strong style="white-space:nowrap;">{{ refund.amount_display }}\
</strong> till kortet du betalade med. Beroende på din bank syns det på ditt konto inom några
dagar.</p>
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
{{ refund.total_display }}</td>
  </tr>
</table>
<p>Kreditnotan finns i den bifogade PDF:en. Den rättar ditt kvitto
<span style="white-space:nowrap;">{{ order.receipt_number }}</span> och öppnas med samma
<strong>personliga dokumentlösenord</strong> som din orderbekräftelse.</p>
<p>Har du tappat bort lösenordet? Be om en ny väg in med ditt ordernummer
<span style="white-space:nowrap;">{{ order.number }}</span> och den här e-postadressen:
<strong style="word-break:break-all;">{{ event.documents_help_url }}</strong></p>
<p>Frågor? Svara på det här mejlet med ditt ordernummer
<span style="white-space:nowrap;">{{ order.number }}</span>.</p>
""",
    "document_html": CREDIT_NOTE_HTML,
    "filename": "kreditnota-{{ refund.number }}.pdf",
}

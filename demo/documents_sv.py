"""The demo "Order confirmation" attachment template in Swedish (`manage.py seed_demo`).

The same document as `demo.documents.HTML`, written in Swedish: every label is the template's
own, the amounts come written out in Swedish (`order.total_display`: "1 387,00 kr") and Django's
own filters (`time`, `floatformat`) write Swedish because the document renders in its language;
the date comes abbreviated as Swedish does (`order.date_short`: "7 dec. 2026").
"""

from .documents import CHUNK_ROWS, NEW_DATE, OLD_DATE

HTML = """\
<div id="footer">
  {{ shop.name }} · Order {{ order.number }} · sida <pdf:pagenumber>
  <br>Dokumentet är krypterat med ditt personliga dokumentlösenord. Håll det för dig själv.
</div>

<table class="masthead">
  <tr>
    <td class="brand">{{ shop.name }}<div class="tagline">Handgjort i Norden</div></td>
    <td class="doc-title">Orderbekräftelse och kvitto</td>
  </tr>
</table>

<table class="parties">
  <tr>
    <td class="address">
      <div class="label">Kund</div>
      <strong>{{ customer.full_name }}</strong><br>
      {{ customer.address_line1 }}<br>
      {% if customer.address_line2 %}{{ customer.address_line2 }}<br>{% endif %}
      {{ customer.postal_code }} {{ customer.city }}<br>
      {{ customer.country }}<br>
      {{ customer.email }}{% if customer.phone %}<br>{{ customer.phone }}{% endif %}
    </td>
    <td class="facts">
      <table>
        <tr><th>Ordernummer</th><td><strong>{{ order.number }}</strong></td></tr>
        <tr><th>Orderdatum</th><td>{{ order.date_short }}, {{ order.date|time:"H:i" }}</td></tr>
        <tr><th>Status</th><td>{{ order.status }}</td></tr>
        <tr><th>Betalning</th><td>{{ order.payment_method }}</td></tr>
        <tr><th>Artiklar</th><td>{{ order.unit_count }}</td></tr>
      </table>
    </td>
  </tr>
</table>

<p class="intro">Tack för din beställning, {{ customer.first_name }}! Här är det du köpte,
med alla val du gjorde.</p>

<table class="lines" repeat="1">
  <thead><tr><th class="item">Artikel</th><th class="num">Antal</th>
    <th class="num">À-pris</th><th class="num">Belopp</th></tr></thead>
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
  <thead><tr><th class="item">Artikel</th><th class="num">Antal</th>
    <th class="num">À-pris</th><th class="num">Belopp</th></tr></thead>
  <tbody>
    {% endif %}
  {% endfor %}
  </tbody>
</table>

<table class="totals">
  <tr><td class="spacer"></td><th>Delsumma</th>
    <td class="num">{{ order.subtotal_display }}</td></tr>
  <tr><td class="spacer"></td><th>Frakt</th><td class="num">Fri frakt</td></tr>
  <tr class="grand"><td class="spacer"></td><th>Totalt betalt</th>
    <td class="num">{{ order.total_display }}</td></tr>
  <tr><td class="spacer"></td><th>varav moms {{ order.vat_rate|floatformat:"-2" }} %</th>
    <td class="num">{{ order.vat_display }}</td></tr>
</table>

<p class="note">Frågor om din beställning? Svara på bekräftelsemejlet och ange ditt
ordernummer <strong>{{ order.number }}</strong>. Du har 30 dagars ångerrätt.</p>

<p class="seller"><strong>Säljare:</strong> {{ seller.legal_name }} · {{ seller.address }}
<br>Org.nr {{ seller.org_number }} · Momsreg.nr {{ seller.vat_number }}</p>
""".replace("CHUNK", str(CHUNK_ROWS))

# Earlier demo versions, replaced on seeding unless staff edited them (`demo.documents`).
PREVIOUS_HTML = [
    # The date with Django's month abbreviation, "7 Dec 2026".
    HTML.replace(NEW_DATE, OLD_DATE),
]

FILENAME = "orderbekraftelse-{{ order.number }}.pdf"
TITLE = "Orderbekräftelse och kvitto {{ order.number }} · {{ shop.name }}"

"""Erasure keeps what the books need and nothing more; retention deletes that too once the
bookkeeping period of its financial year is over (docs/operators/bookkeeping.md)."""

import json
import os
import subprocess
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from messaging.models import Event, Message
from operations.bookkeeping import bookkeeping_cutoff, bookkeeping_data
from operations.retention import ERASED_ADDRESS, erase_customer, purge_messages
from shop.models import Customer, Order, OrderLine
from tests.factories import CustomerFactory, OrderFactory

from .conftest import accept, make_message
from .test_retention import ADDRESS, zlatan  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# What identifies Zlatan (the `zlatan` fixture): none of it may be left anywhere.
PERSONAL = [
    ADDRESS,
    "Zlatan",
    "Zlatanowicz",
    "+46 70 999 88 77",
    "Ljungbyvägen 77",
    "Lägenhet 1402",
    "987 65",
    "Unikstad",
    "Till Zlatan med kärlek",
]


def in_dump(value, dump: str) -> bool:
    """Whether `value` is in `dump` as text, as JSON writes it (SQLite escapes ä as \\u00e4)
    or, for an amount, as SQLite stores a number (250.00 as 250)."""
    spellings = {str(value), json.dumps(str(value))[1:-1]}
    if isinstance(value, Decimal):
        spellings |= {f"| {value.normalize():f} |", f"| {float(value)} |"}
    return any(spelling in dump for spelling in spellings)


def database_dump() -> str:
    """Everything the database holds, as text: `pg_dump` of the test database on PostgreSQL
    (what a backup holds), every column of every row on SQLite."""
    if connection.vendor == "postgresql":
        database = connection.settings_dict
        environment = os.environ | {"PGPASSWORD": database.get("PASSWORD") or ""}
        command = ["pg_dump", "--data-only", "--no-owner", "-h", database["HOST"] or "127.0.0.1"]
        command += ["-p", str(database["PORT"] or 5432), "-U", database["USER"], database["NAME"]]
        return subprocess.run(
            command, env=environment, check=True, capture_output=True, text=True
        ).stdout
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - the database's own names
            rows += [" | ".join(map(str, row)) for row in cursor.fetchall()]
    return "\n".join(rows)


def accounting_values(order: Order) -> list:
    """The receipt's values the books keep (but its times, which a dump writes its own way)."""
    rows = [(order, Order.ACCOUNTING_FIELDS)]
    rows += [(line, OrderLine.ACCOUNTING_FIELDS) for line in order.lines.all()]
    values = [getattr(row, name) for row, names in rows for name in names]
    return [value for value in values if value not in (None, "") and not hasattr(value, "tzinfo")]


# On PostgreSQL pg_dump reads the database from another connection: the rows must be committed.
@pytest.mark.django_db(transaction=True)
def test_after_erasure_a_dump_holds_the_receipt_but_nothing_that_identifies_the_customer(zlatan):  # noqa: F811 - the fixture
    order = Order.objects.get(pk=zlatan.pk)
    before = database_dump()
    for value in PERSONAL:
        assert in_dump(value, before), value  # the fixture really stored it

    erase_customer(email=ADDRESS)

    after = database_dump()
    assert [value for value in PERSONAL if in_dump(value, after)] == []
    # The books: the number, the amounts, the line as sold.
    kept = accounting_values(order)
    assert {Decimal("250.00"), "Mugg", order.number, "paid", "SEK"} <= set(kept)
    assert [value for value in kept if not in_dump(value, after)] == []
    order.refresh_from_db()
    assert (order.total, order.lines.get().options) == (Decimal("250.00"), [])


def test_erasure_cuts_the_events_data_to_the_values_its_type_marks_for_the_books(zlatan):  # noqa: F811 - the fixture
    event = Event.objects.get(reference=zlatan.number)
    data = event.data

    erase_customer(email=ADDRESS)

    event.refresh_from_db()
    order = data["order"]
    assert event.data == {
        "order": {
            name: order[name]
            for name in (
                *("number", "receipt_number", "status", "date"),
                *("currency", "subtotal", "total", "vat"),
            )
        }
        | {"vat_rate": order["vat_rate"]},
        "lines": [
            {"product": "Mugg", "quantity": 1, "unit_price": "250.00", "line_total": "250.00"}
        ],
    }
    assert order["vat"] == "50.00"  # 25% VAT included in 250.00
    assert (event.recipient, event.recipient_name, event.reference) == (
        ERASED_ADDRESS,
        "",
        zlatan.number,
    )


def test_a_type_that_marks_nothing_keeps_nothing_of_its_data():
    schema = {"type": "object", "properties": {"name": {"type": "string"}}}
    assert bookkeeping_data(schema, {"name": "Zlatan"}) == {}
    marked = {"type": "object", "properties": {"n": {"type": "string", "x-bookkeeping": True}}}
    assert bookkeeping_data(marked, {"n": "A-1", "name": "Zlatan"}) == {"n": "A-1"}
    assert bookkeeping_data(marked, ["not", "an", "object"]) == {}


def when(*args) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)


@pytest.mark.parametrize(
    ("end_month", "now", "cutoff"),
    [
        # Calendar years: 2019's receipts are kept through 2026 (the 7th year after 2019),
        # deleted from 2027.
        (12, when(2026, 12, 31, 23, 59), when(2019, 1, 1)),
        (12, when(2027, 1, 1, 0, 0), when(2020, 1, 1)),
        (12, when(2028, 2, 29, 12, 0), when(2021, 1, 1)),
        # Financial years ending in June: 2019/20 ended in 2020, so it is kept through 2027
        # and deleted from 1 January 2028 (not from July 2027, seven years after its end).
        (6, when(2027, 12, 31, 23, 59), when(2019, 7, 1)),
        (6, when(2028, 1, 1, 0, 0), when(2020, 7, 1)),
        (6, when(2028, 6, 30, 0, 0), when(2020, 7, 1)),
        (6, when(2028, 7, 1, 0, 0), when(2020, 7, 1)),
        (6, when(2029, 1, 1, 0, 0), when(2021, 7, 1)),
    ],
)
def test_the_books_are_kept_through_the_seventh_year_after_the_financial_year_ended(
    settings, end_month, now, cutoff
):
    settings.BOOKKEEPING_YEARS = 7
    settings.BOOKKEEPING_YEAR_END_MONTH = end_month
    assert bookkeeping_cutoff(now) == cutoff


def ordered_on(day: datetime, email: str) -> Message:
    """An order of `day` by the customer at `email`, its confirmation sent then."""
    order = OrderFactory(customer=CustomerFactory(email=email))
    message = accept(make_message(order=order))
    Order.objects.filter(pk=order.pk).update(created_at=day)
    Event.objects.filter(pk=message.event_id).update(created_at=day)
    Message.objects.filter(pk=message.pk).update(created_at=day)
    return message


@pytest.mark.usefixtures("confirmation_template")
def test_purge_deletes_what_erasure_kept_only_once_the_bookkeeping_period_is_over(settings, capsys):
    settings.BOOKKEEPING_YEARS = 7
    settings.BOOKKEEPING_YEAR_END_MONTH = 12
    erased = ordered_on(when(2019, 12, 31, 22, 0), ADDRESS)
    kept = ordered_on(when(2019, 12, 31, 22, 0), "someone.else@example.se")
    erase_customer(email=ADDRESS)
    number, kept_number = erased.event.reference, kept.event.reference

    # On the last day of 2026 the 2019 receipt is still in its period: nothing goes.
    report = purge_messages(now=when(2026, 12, 31, 23, 0))
    assert (report.events, report.receipts) == (0, 0)
    assert Order.objects.filter(number=number).exists()
    assert Event.objects.filter(reference=number).exists()

    assert purge_messages(now=when(2027, 1, 1, 1, 0), dry_run=True).receipts == 1
    assert Order.objects.filter(number=number).exists()

    report = purge_messages(now=when(2027, 1, 1, 1, 0))

    assert (report.events, report.receipts) == (2, 1)  # the other one's message was anonymised
    assert not Order.objects.filter(number=number).exists()
    assert not Event.objects.filter(reference=number).exists()
    assert not Message.objects.filter(pk=erased.pk).exists()
    assert not Customer.objects.filter(email=ERASED_ADDRESS).exists()
    # A customer who was not erased keeps their order (the shop's to keep or not).
    assert Order.objects.filter(number=kept_number).exists()


def test_the_purge_command_says_what_went_past_its_bookkeeping_period(settings, capsys):
    call_command("purge_messages", "--dry-run")
    out = capsys.readouterr().out
    assert "would delete 0 events and 0 receipts past their bookkeeping period" in out


def test_erasure_reaches_the_projects_records_only_through_its_hook(settings, zlatan):  # noqa: F811 - the fixture
    settings.RETENTION_RECORDS = []
    report = erase_customer(email=ADDRESS)
    assert (report.customers, report.orders, report.messages) == (0, 0, 1)
    assert Customer.objects.get(pk=zlatan.customer_id).email == ADDRESS
    assert Message.objects.get(event__reference=zlatan.number).recipient == ERASED_ADDRESS

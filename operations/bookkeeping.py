"""What the books need, and for how long (docs/operators/bookkeeping.md).

Erasure and retention keep a receipt's accounting fields after the person is forgotten: the
Swedish bookkeeping act keeps a business's records for `BOOKKEEPING_YEARS` (7) years after the
end of the financial year they belong to, and GDPR art. 17(3)(b) lets a legal obligation
outlast a request for erasure. Two things are declared, never guessed:

- which fields of the project's own records are accounting (the models say it, e.g. the
  shop's `Order.ACCOUNTING_FIELDS`; the project's records hook erases the rest);
- which parts of an event's data are (its type's JSON Schema marks them with
  `"x-bookkeeping": true`; `bookkeeping_data` keeps those and drops every other value).

`bookkeeping_cutoff` says when the period is over: records created before it belong to
financial years that ended in a calendar year at least `BOOKKEEPING_YEARS` full calendar
years ago, and retention deletes them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

# The JSON Schema annotation (an unknown keyword, which JSON Schema 2020-12 keeps as an
# annotation and validators ignore) that marks a value of an event's data as accounting.
BOOKKEEPING_KEYWORD = "x-bookkeeping"


def bookkeeping_data(schema: Any, data: Any) -> Any:
    """The part of `data` that `schema` marks as accounting, in the same shape: a value whose
    schema is marked is kept whole; an object keeps its properties that hold marked values,
    an array the marked part of each item; everything else is dropped. An unmarked schema (a
    type that declares nothing) keeps nothing: `{}`."""
    kept = _marked(schema, data)
    return {} if kept is _DROP else kept


_DROP = object()


def _marked(schema: Any, value: Any) -> Any:
    if not isinstance(schema, dict):
        return _DROP
    if schema.get(BOOKKEEPING_KEYWORD) is True:
        return value
    if isinstance(value, dict):
        properties = schema.get("properties")
        if not isinstance(properties, dict):
            return _DROP
        kept = {}
        for name, item in value.items():
            part = _marked(properties.get(name), item)
            if part is not _DROP:
                kept[name] = part
        return kept or _DROP
    if isinstance(value, list):
        items = [_marked(schema.get("items"), item) for item in value]
        if all(item is _DROP for item in items):
            return _DROP
        return [{} if item is _DROP else item for item in items]
    return _DROP


def financial_year_start(when: datetime) -> datetime:
    """The first instant (in `TIME_ZONE`) of the financial year `when` belongs to; the year
    ends with the month `BOOKKEEPING_YEAR_END_MONTH` (12: the calendar year)."""
    local = timezone.localtime(when)
    first_month = settings.BOOKKEEPING_YEAR_END_MONTH % 12 + 1
    year = local.year if local.month >= first_month else local.year - 1
    return local.replace(
        year=year, month=first_month, day=1, hour=0, minute=0, second=0, microsecond=0
    )


def bookkeeping_cutoff(now: datetime | None = None) -> datetime:
    """Records created before this instant are past their bookkeeping period.

    Bokföringslagen 7 kap. 2 § keeps them "fram till och med det sjunde året efter utgången
    av det kalenderår då räkenskapsåret avslutades": through the 7th (`BOOKKEEPING_YEARS`)
    calendar year after the calendar year in which their financial year ended. So on 1
    January of year Y, the financial years that ended before 1 January of Y - 7 are over;
    they are the ones that started before the start of the financial year that 1 January is
    in."""
    local = timezone.localtime(now or timezone.now())
    new_year = local.replace(
        year=local.year - settings.BOOKKEEPING_YEARS,
        month=1,
        day=1,
        hour=0,
        minute=0,
        second=0,
        microsecond=0,
    )
    return financial_year_start(new_year)

"""The project's own records of a person (a shop's customers and orders), as erasure and
retention reach them without importing the app that keeps them.

`operations` knows the message center (events, messages, their history, sessions, captured
mail); the records a storefront keeps are the project's to name, in `RETENTION_RECORDS`: a
list of dotted paths to classes, each instantiated without arguments and offering:

``find(address) -> dict``
    Called first, inside erasure's transaction: lock the person's rows (`select_for_update`)
    and say what was found, as plain values (the app need not import `operations`):

    - ``"customers"``, ``"orders"``: the primary keys of the person's rows and of their
      receipts (their counts are erasure's report);
    - ``"references"``: the references the project's own events about them carry (the events
      it sent without a client, e.g. with the order number): those events are erased too;
    - ``"admin_objects"``: ``[(model, [pk, ...]), ...]`` whose admin history lines name them;
    - ``"session_values"``: ``{session key: [value, ...]}``: a stored session holding one of
      these values under that key is theirs (the browser that placed their order) and is
      deleted.

``erase(found) -> None``
    Inside the same transaction, once no message can be sent to them any more: replace every
    personal field of those rows, keeping the accounting fields the models declare.

``purge(before, *, dry_run) -> int``
    Delete the rows erasure (or retention) kept for the books, of receipts created before
    `before` (`bookkeeping.bookkeeping_cutoff`): their period is over. Returns how many
    receipts went (or would go). Safe to run again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings
from django.db.models import Model
from django.utils.module_loading import import_string


class PersonalRecords(Protocol):
    def find(self, address: str) -> dict[str, Any]: ...

    def erase(self, found: dict[str, Any]) -> None: ...

    def purge(self, before: datetime, *, dry_run: bool) -> int: ...


@dataclass
class Found:
    """What every records hook found of one person, added up."""

    customers: int = 0
    orders: int = 0
    references: list[str] = field(default_factory=list)
    admin_objects: list[tuple[type[Model], list[Any]]] = field(default_factory=list)
    session_values: dict[str, set[Any]] = field(default_factory=dict)
    # Each hook with what it found, for its `erase`.
    found: list[tuple[PersonalRecords, dict[str, Any]]] = field(default_factory=list)

    def add(self, hook: PersonalRecords, found: dict[str, Any]) -> None:
        self.customers += len(found.get("customers", ()))
        self.orders += len(found.get("orders", ()))
        self.references += list(found.get("references", ()))
        self.admin_objects += [(model, list(pks)) for model, pks in found.get("admin_objects", ())]
        for key, values in found.get("session_values", {}).items():
            self.session_values.setdefault(key, set()).update(values)
        self.found.append((hook, found))

    def erase(self) -> None:
        for hook, found in self.found:
            hook.erase(found)


def records_hooks() -> list[PersonalRecords]:
    """The project's records hooks (`RETENTION_RECORDS`), read when asked (tests change it)."""
    return [import_string(path)() for path in getattr(settings, "RETENTION_RECORDS", [])]


def find_records(address: str) -> Found:
    """Ask every hook for the person at `address` (inside the caller's transaction)."""
    found = Found()
    for hook in records_hooks():
        found.add(hook, hook.find(address))
    return found


def purge_records(before: datetime, *, dry_run: bool) -> int:
    """Every hook's receipts past their bookkeeping period, deleted (or counted)."""
    return sum(hook.purge(before, dry_run=dry_run) for hook in records_hooks())

"""JSON Schemas of event types: checking a schema, checking data against it, and turning the
data's typed strings into the values templates expect.

An event's data arrives as JSON, where a date or an amount can only be a string. The schema
says which strings are more: `"format": "date-time"` and `"format": "date"` become
`datetime`/`date` (so Django's `date` filter works), `"format": "decimal"` becomes `Decimal`
(so `floatformat` and comparisons work, without a float's rounding). Validation is JSON Schema
2020-12 (`jsonschema`), with those three formats checked: a string that would not convert is
refused when the event arrives, never found by a worker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.dateparse import parse_date, parse_datetime
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

DECIMAL = re.compile(r"-?\d{1,15}(\.\d{1,10})?")

format_checker = FormatChecker(formats=())


@format_checker.checks("decimal")
def _is_decimal(value: object) -> bool:
    return not isinstance(value, str) or DECIMAL.fullmatch(value) is not None


@format_checker.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    # An offset is required: a naive time means a different moment in every time zone.
    return not isinstance(value, str) or (
        (parsed := parse_datetime(value)) is not None and parsed.tzinfo is not None
    )


@format_checker.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or parse_date(value) is not None


@dataclass(frozen=True)
class DataError:
    """One reason data was refused: where (`data.order.lines[0].quantity`) and what."""

    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def schema_problems(schema: Any) -> list[str]:
    """Why `schema` cannot describe an event's data (empty: it can).

    It must be a valid JSON Schema (2020-12) describing an object: templates read the data by
    name (`{{ order.number }}`), so a bare string or list has nothing to name.
    """
    if not isinstance(schema, dict):
        return ["The schema must be a JSON object."]
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(part) for part in exc.path)
        return [f"Not a valid JSON Schema{f' at {where}' if where else ''}: {exc.message}"]
    if schema.get("type") != "object":
        return ['The schema must describe an object: add "type": "object" at its top.']
    return []


def _path(parts, root: str) -> str:
    path = root
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def data_errors(schema: dict, data: Any, *, root: str = "data") -> list[DataError]:
    """Every way `data` breaks `schema`, each with its path under `root`, in path order."""
    validator = Draft202012Validator(schema, format_checker=format_checker)
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    # The message quotes the offending value: enough to fix it, and it is the sender's own data.
    return [DataError(_path(e.absolute_path, root), _short(e.message)) for e in errors]


def _short(message: str, limit: int = 200) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"


def typed_data(schema: dict, data: Any) -> Any:
    """`data` (valid against `schema`) with its date, date-time and decimal strings converted.

    Follows `properties`, `additionalProperties`, `items` and `prefixItems`; a value whose
    schema says nothing about its format is kept as it is.
    """
    if not isinstance(schema, dict):
        return data
    if isinstance(data, str):
        return _convert(schema.get("format"), data)
    if isinstance(data, dict):
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        return {
            key: typed_data(properties.get(key, extra if isinstance(extra, dict) else {}), value)
            for key, value in data.items()
        }
    if isinstance(data, list):
        prefix = schema.get("prefixItems") or []
        items = schema.get("items")
        return [
            typed_data(prefix[i] if i < len(prefix) else (items or {}), value)
            for i, value in enumerate(data)
        ]
    return data


def _convert(format_name: str | None, value: str) -> Any:
    converted: date | datetime | Decimal | None = None
    if format_name == "date-time":
        converted = parse_datetime(value)
    elif format_name == "date":
        converted = parse_date(value)
    elif format_name == "decimal" and DECIMAL.fullmatch(value):
        converted = Decimal(value)
    return value if converted is None else converted

"""The shopping cart, kept in the session as plain data (ids and typed text, never prices)."""

import hashlib
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .services import (
    CartItem,
    PricedLine,
    max_cart_lines,
    max_line_quantity,
    price_item,
    too_many_lines,
)

SESSION_KEY = "cart"


@dataclass(frozen=True)
class CartRow:
    key: str
    line: PricedLine


def _item_key(product_id: int, options: dict[str, str]) -> str:
    raw = json.dumps([product_id, sorted(options.items())], ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


class Cart:
    """Items in the session; the same product with the same options is one line."""

    def __init__(self, session):
        self.session = session
        self.items: dict[str, dict] = session.get(SESSION_KEY, {})

    def __len__(self) -> int:
        return sum(item["quantity"] for item in self.items.values())

    def _save(self) -> None:
        self.session[SESSION_KEY] = self.items
        self.session.modified = True

    def add(self, *, product_id: int, options: dict[str, str], quantity: int) -> None:
        """Add to the matching line or open a new one; `ValidationError` past either limit."""
        key = _item_key(product_id, options)
        if key not in self.items and len(self.items) >= max_cart_lines():
            raise too_many_lines()
        current = self.items.get(key, {"product_id": product_id, "options": options, "quantity": 0})
        new_quantity = current["quantity"] + quantity
        limit = max_line_quantity()
        if new_quantity > limit:
            raise ValidationError(
                _("You can buy at most %(limit)d of the same item.") % {"limit": limit},
                code="quantity",
            )
        current["quantity"] = new_quantity
        self.items[key] = current
        self._save()

    def set_quantity(self, key: str, quantity: int) -> None:
        if key in self.items:
            self.items[key]["quantity"] = quantity
            self._save()

    def remove(self, key: str) -> None:
        if self.items.pop(key, None) is not None:
            self._save()

    def clear(self) -> None:
        self.items = {}
        self.session.pop(SESSION_KEY, None)

    def cart_items(self) -> list[CartItem]:
        return [
            CartItem(item["product_id"], item["options"], item["quantity"])
            for item in self.items.values()
        ]

    def rows(self) -> tuple[list[CartRow], list[str]]:
        """Price each item from the catalog; drop the ones that became invalid, saying why."""
        rows, problems = [], []
        limit = max_cart_lines()
        if len(self.items) > limit:
            # A cart from before the limit: pricing thousands of lines would take seconds.
            for key in list(self.items)[limit:]:
                self.remove(key)
            problems.append(
                _("Your cart held more than %(limit)d different items: the last were removed.")
                % {"limit": limit}
            )
        for key, item in list(self.items.items()):
            try:
                line = price_item(CartItem(item["product_id"], item["options"], item["quantity"]))
            except ValidationError as error:
                problems.extend(error.messages)
                self.remove(key)
                continue
            rows.append(CartRow(key, line))
        return rows, problems

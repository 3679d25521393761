"""The one domain signal: the seam between the shop and whoever reacts to a sale.

`order_completed` is sent *inside* the order's transaction (keyword argument `order`), so a
receiver can write its own rows atomically with the order; side effects that leave the
database belong in `transaction.on_commit`.
"""

from django.dispatch import Signal

order_completed = Signal()

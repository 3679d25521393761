"""The one domain signal: the seam between the shop and whoever reacts to a sale.

`order_completed` is sent *inside* the order's transaction (keyword argument `order`), so a
receiver can write its own rows atomically with the order; side effects that leave the
database belong in `transaction.on_commit`.
"""

from django.dispatch import Signal

order_completed = Signal()

# Sent inside the transaction that records a shipment (`order`, `shipment`) or a refund
# (`order`, `refund`): shop.fulfilment.
order_shipped = Signal()
order_refunded = Signal()

"""Signals the messaging app sends for other apps to observe; it never depends on them."""

from django.dispatch import Signal

# Sent after every relay sweep that ran (not a dry run), from beat or from the command, with
# `report` (a RelayReport): the operations app records it to notice a relay that stopped.
relay_finished = Signal()

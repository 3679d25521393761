"""Receipt numbers: a gapless series per year, given in the order's own transaction."""

import threading

import pytest
from django.db import connection

from shop.models import Order, ReceiptCounter
from shop.signals import order_completed

from .test_services import order_args


@pytest.mark.django_db(transaction=True)
def test_each_paid_order_gets_the_next_number_of_its_year(blanket, settings):
    settings.SHOP_RECEIPT_PREFIX = "NG"
    first = place(blanket, "key-first-0123456789")
    second = place(blanket, "key-second-012345678")

    year = first.paid_at.astimezone().year
    assert first.receipt_number == f"NG-{year}-000001"
    assert second.receipt_number == f"NG-{year}-000002"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_checkout_leaves_no_gap(blanket):
    first = place(blanket, "key-first-0123456789")

    def failing_receiver(sender, order, **kwargs):
        assert order.receipt_number.endswith("-000002")  # it had taken the number...
        raise RuntimeError("receiver failed")

    order_completed.connect(failing_receiver, dispatch_uid="failing")
    try:
        with pytest.raises(RuntimeError):
            place(blanket, "key-failed-012345678")
    finally:
        order_completed.disconnect(dispatch_uid="failing")
    after = place(blanket, "key-after-0123456789")

    assert first.receipt_number.endswith("-000001")
    assert after.receipt_number.endswith("-000002")  # ...and gave it back
    assert Order.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_checkouts_get_consecutive_numbers(postgres, blanket):
    count = 100
    start = threading.Event()
    # 100 threads, at most 16 with a connection at once: the server is shared (max_connections).
    connections = threading.BoundedSemaphore(16)
    errors: list[BaseException] = []

    def checkout(index: int) -> None:
        start.wait()
        with connections:
            try:
                place(blanket, f"key-parallel-{index:04d}-0123456789")
            except BaseException as error:  # reported by the assertion below
                errors.append(error)
            finally:
                connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=checkout, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join()

    assert errors == []
    numbers = sorted(
        int(n.rsplit("-", 1)[1]) for n in Order.objects.values_list("receipt_number", flat=True)
    )
    assert numbers == list(range(1, count + 1))
    assert ReceiptCounter.objects.get().last == count


def place(blanket, key: str) -> Order:
    from shop.services import place_order

    return place_order(**order_args(blanket, key=key))

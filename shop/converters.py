"""Path converters: a URL that cannot name an order is a 404 before any view runs."""

from .models import ORDER_NUMBER_PATTERN


class OrderNumberConverter:
    """Only well-formed order numbers (``NG-7K3M-Q9XD``) match `<order_number:...>`."""

    regex = ORDER_NUMBER_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value

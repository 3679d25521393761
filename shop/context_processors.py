from django.conf import settings

from .cart import Cart


def cart(request):
    """The cart size for the header, and the shop's name."""
    session = getattr(request, "session", None)
    count = len(Cart(session)) if session is not None else 0
    return {"cart_count": count, "shop_name": settings.SHOP_NAME}

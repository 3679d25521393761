from django.conf import settings

from .cart import Cart


def cart(request):
    """The cart size for the header, the shop's name, and whether the dev inbox is on."""
    session = getattr(request, "session", None)
    count = len(Cart(session)) if session is not None else 0
    return {"cart_count": count, "shop_name": settings.SHOP_NAME, "dev_inbox": settings.DEV_INBOX}

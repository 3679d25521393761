import json

from django.conf import settings
from django.utils.translation import gettext as _

from .cart import Cart


def cart(request):
    """The cart size for the header, the shop's name, whether the dev inbox is on, and the
    words static/js/shop.js writes, in the request's language (JSON in the body's data-texts:
    data, never an inline script)."""
    session = getattr(request, "session", None)
    count = len(Cart(session)) if session is not None else 0
    return {
        "cart_count": count,
        "shop_name": settings.SHOP_NAME,
        "dev_inbox": settings.DEV_INBOX,
        "js_texts": js_texts,
    }


def js_texts() -> str:
    """Called by the template only where it is used (a callable in the context)."""
    return json.dumps(
        {
            "copy": _("Copy"),
            "copied": _("Copied"),
            "copyLabel": _("Copy the password {password}"),
            "passwordCopied": _("Password copied."),
            "selected": _("Selected: press Ctrl+C (⌘C on a Mac) to copy."),
            "characters": _("{count} / {limit} characters"),
            "fewer": _("One fewer"),
            "more": _("One more"),
        }
    )

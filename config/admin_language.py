"""The back office in one language, whatever the staff member's browser asks for.

`LocaleMiddleware` serves each visitor the language of their choice or browser: right for the
storefront, translated throughout. The back office's own words (model names, help texts, the
template editor, the delivery pages) are written in English only, so a Swedish browser got
Django's admin words in Swedish around them. Under `/admin/` the language is
`ADMIN_LANGUAGE_CODE` (English); set it to "" to follow the browser once the back office is
translated. What staff *preview* keeps its own language: a Swedish template renders in Swedish.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation


class AdminLanguageMiddleware:
    """Right after `LocaleMiddleware`: re-activates `ADMIN_LANGUAGE_CODE` for admin pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = settings.ADMIN_LANGUAGE_CODE
        # Asked each time, with the script prefix on both sides: the site may be mounted
        # under one (SCRIPT_NAME, FORCE_SCRIPT_NAME), and not always the same.
        if language and request.path.startswith(reverse("admin:index")):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)

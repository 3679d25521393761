"""The languages a staff template (email, layout, document) can be written in, and the one
rule for picking a version when the wanted language has none.

The languages are the project's `LANGUAGES`; a language field stores the code with these
choices as a callable, so adding a language changes no migration. The default language is
`LANGUAGE_CODE`: what every missing translation falls back to.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.conf import settings
from django.db import models

T = TypeVar("T")


def language_choices() -> list[tuple[str, str]]:
    """`settings.LANGUAGES`, read when a form or check asks (never frozen into a migration)."""
    return list(settings.LANGUAGES)


def default_language() -> str:
    """The default language (`LANGUAGE_CODE`): the fallback of every missing translation."""
    return settings.LANGUAGE_CODE


def language_name(code: str) -> str:
    """The language's name as `LANGUAGES` spells it ("Svenska", "English"), or the code."""
    return dict(settings.LANGUAGES).get(code, code)


def fallback_order(wanted: str) -> list[str]:
    """The languages to try for `wanted`, best first: itself, the default language, then the
    others in `LANGUAGES` order. Rendering never fails for want of a translation."""
    codes = [wanted, default_language(), *(code for code, _ in settings.LANGUAGES)]
    return list(dict.fromkeys(codes))


def pick_version(versions: Iterable[T], wanted: str) -> T | None:
    """Of `versions` (objects with a `language`), the one `fallback_order(wanted)` prefers;
    a language outside `LANGUAGES` comes last. None when there is none at all."""
    order = fallback_order(wanted)
    rank = {code: index for index, code in enumerate(order)}
    candidates = sorted(versions, key=lambda version: rank.get(version.language, len(order)))
    return candidates[0] if candidates else None


class LanguageField(models.CharField):
    """A language code from `LANGUAGES`, the default language unless told otherwise."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("choices", language_choices)
        kwargs.setdefault("default", default_language)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

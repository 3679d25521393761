"""Which characters the order PDF can draw.

Typed text (an engraving, initials, the customer's name and address) ends up in the order's
PDF, set in DejaVu Sans (attachments/static/fonts/DejaVuSans.ttf, the font the PDF embeds). A
character the font lacks would print as an empty box, so the cart and checkout forms refuse it
and name it.
"""

import functools
import unicodedata

from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

FONT = "fonts/DejaVuSans.ttf"


@functools.cache
def drawable_code_points() -> frozenset[int]:
    """Every code point the font has a glyph for, read once per process."""
    from reportlab.pdfbase.ttfonts import TTFont  # the PDF renderer's own font reader

    # A static file of the attachments app, found as Django finds any static file.
    path = finders.find(FONT)
    return frozenset(TTFont("DejaVuSans", path).face.charWidths)


def undrawable(text: str) -> list[str]:
    """The characters of `text` the font cannot draw, each once, in the order typed."""
    drawable = drawable_code_points()
    missing: list[str] = []
    for char in text:
        if ord(char) not in drawable and char not in missing:
            missing.append(char)
    return missing


def describe(char: str) -> str:
    """How to name a character in a message: itself when visible, else its code point."""
    visible = unicodedata.category(char)[0] not in "CZM"
    return f"“{char}”" if visible else f"U+{ord(char):04X}"


def validate_drawable(text: str) -> None:
    missing = undrawable(text)
    if missing:
        names = ", ".join(describe(char) for char in missing)
        raise ValidationError(
            ngettext(
                "Our printed order cannot show %(names)s: please leave it out (emoji and "
                "Chinese, Japanese or Korean characters are not available).",
                "Our printed order cannot show %(names)s: please leave them out (emoji and "
                "Chinese, Japanese or Korean characters are not available).",
                len(missing),
            )
            % {"names": names},
            code="undrawable",
        )

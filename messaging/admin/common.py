"""Small pieces the messaging admin pages share."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from ..preview import context_variables

MONOSPACE = forms.Textarea(attrs={"rows": 16, "cols": 110, "style": "font-family: monospace;"})


def flat_errors(errors: dict) -> list[str]:
    """`{field: [message]}` as `field: message` lines, for a restore refused with a notice."""
    return [f"{field}: {message}" for field, texts in errors.items() for message in texts]


def admin_link(obj, text: str | None = None) -> str:
    """A link to `obj`'s admin change page ("—" for None)."""
    if obj is None:
        return "—"
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text or str(obj))


def variables_list() -> str:
    """The variables a template can use, listed beside the editor (from the sample)."""
    names = list(context_variables())
    items = format_html_join("", "<li><code>{{{{ {} }}}}</code></li>", ((n,) for n in names))
    return format_html(
        '<ul style="margin: 0; columns: 2;">{}</ul><p>Lists: <code>{}</code></p>',
        items,
        "{% for line in lines %}{{ line.product }}{% endfor %}",
    )

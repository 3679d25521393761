"""Small pieces the messaging admin pages share."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html

from attachments.api import context_variables
from stafftemplates.admin_pages import CODE_FIELD, variables_list_html

MONOSPACE = CODE_FIELD


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
    return variables_list_html(context_variables())

"""System checks: the project's wiring of the template apps must resolve (when it is set).

`stafftemplates` and `attachments` reach the project's orders only through settings that name
callables and permissions (docs/developers/architecture.md, "The rooms"). A typo there would
surface as an error on the first template save or preview: `manage.py check` names it instead.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string

CALLABLE_SETTINGS = (
    "STAFF_TEMPLATE_SAMPLE",
    "STAFF_TEMPLATE_ORDER_LOOKUP",
    "STAFF_TEMPLATE_SHOP_VALUES",
)
PERMISSION_SETTINGS = ("PREVIEW_ORDER_PERMISSION", "DOCUMENT_PASSWORD_REVEAL_PERMISSION")


@register(Tags.compatibility)
def check_project_wiring(app_configs, **kwargs):
    errors = []
    for name in CALLABLE_SETTINGS:
        path = getattr(settings, name, None)
        if not path:
            continue  # optional: previews then draw the event type's example
        try:
            found = import_string(path) if path else None
        except ImportError:
            found = None
        if not callable(found):
            errors.append(
                Error(
                    f"{name} = {path!r} does not name a callable.",
                    hint=(
                        "A dotted path to a function "
                        '(docs/developers/architecture.md, "The rooms").'
                    ),
                    id="stafftemplates.E001",
                )
            )
    for name in PERMISSION_SETTINGS:
        value = getattr(settings, name, None)
        if not isinstance(value, str) or value.count(".") != 1:
            errors.append(
                Error(
                    f"{name} = {value!r} is not a permission name.",
                    hint="Use 'app_label.codename', e.g. 'shop.view_order'.",
                    id="stafftemplates.E002",
                )
            )
    return errors

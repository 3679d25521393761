from django.apps import AppConfig


class StaffTemplatesConfig(AppConfig):
    """The foundation for staff-editable templates: engine, limits, validators, revisions.

    It has no models of its own (only abstract ones), so it needs no migrations; it is an app
    for its admin templates (`admin/revisions/…`, `admin/stafftemplates/object_page.html`).
    """

    name = "stafftemplates"
    verbose_name = "Staff templates"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - checks register themselves

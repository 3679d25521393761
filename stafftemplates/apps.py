from django.apps import AppConfig


class StaffTemplatesConfig(AppConfig):
    """The foundation for staff-editable templates: engine, limits, validators, revisions,
    and the event types every template belongs to (`models.EventType`)."""

    name = "stafftemplates"
    verbose_name = "Staff templates"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - checks register themselves

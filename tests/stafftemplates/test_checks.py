"""The project's wiring of the template apps is checked by `manage.py check`."""

from stafftemplates.checks import check_project_wiring


def test_the_projects_wiring_resolves():
    assert check_project_wiring(None) == []


def test_a_mistyped_hook_or_permission_is_named(settings):
    settings.STAFF_TEMPLATE_SAMPLE = "shop.documents.no_such_function"
    settings.PREVIEW_ORDER_PERMISSION = "view_order"

    errors = check_project_wiring(None)

    assert [error.id for error in errors] == ["stafftemplates.E001", "stafftemplates.E002"]
    assert "STAFF_TEMPLATE_SAMPLE" in errors[0].msg
    assert "PREVIEW_ORDER_PERMISSION" in errors[1].msg

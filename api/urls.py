"""/api/v1/: the API's operations, its OpenAPI schema and its interactive reference page."""

from functools import partial, wraps

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.urls import path
from ninja.openapi.views import openapi_view

from .problems import method_not_allowed_as_problem
from .views import api


def staff_unless_debug(view):
    """Open in development (DEBUG); staff only otherwise."""
    staff_view = staff_member_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return (view if settings.DEBUG else staff_view)(request, *args, **kwargs)

    return wrapper


reference = staff_unless_debug(partial(openapi_view, api=api))

# (Not unpacked into module names: `include("api.urls")` would read an `app_name` here.)
_operations = api.urls
for _operation in _operations[0]:  # ninja answers a wrong method itself, in plain text
    _operation.callback = method_not_allowed_as_problem(_operation.callback)

urlpatterns = [
    path("v1/docs", reference, name="api_reference"),
    path("v1/", _operations),
]

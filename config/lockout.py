"""Admin login lockout (django-axes): after `ADMIN_LOGIN_FAILURE_LIMIT` wrong passwords for one
username from one address, that login is refused (429) for `ADMIN_LOGIN_COOLOFF_MINUTES`."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings


class LockoutBackend(AxesStandaloneBackend):
    """Axes' backend, except that with the lockout off it asks for no request: then nothing is
    counted anyway, and code that authenticates without one (the test client's `login`) works."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None and not settings.AXES_ENABLED:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

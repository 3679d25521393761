"""A project with the message center's apps only (no `shop`, no `demo`, not `config`): what a
shop of any kind installs. Its tests run with their own settings (`pytest.ini` here)."""

# As any Django project that uses Celery does: the app loads with Django, so the apps'
# @shared_task binds to it and reads the CELERY_* settings.
from .celery import app as celery_app

__all__ = ("celery_app",)

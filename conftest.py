"""Suite-wide settings: no test ever reaches a real ESP or a broker it did not start."""

import pytest


@pytest.fixture(autouse=True)
def _isolated_delivery(settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True

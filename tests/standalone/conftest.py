import pytest


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Staff users log in here: no deliberately slow hasher in tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

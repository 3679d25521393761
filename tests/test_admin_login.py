"""Guessing the admin password: a few tries, then the login is locked for a while."""

import pytest
from django.urls import reverse

from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's


@pytest.fixture
def lockout(settings):
    """The suite runs with the lockout off (ADMIN_LOGIN_LOCKOUT in pyproject.toml); on here."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def log_in(client, username, password, ip="198.51.100.7"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=ip,
    )


def test_repeated_wrong_passwords_lock_the_admin_login(client, lockout):
    staff = StaffFactory(username="anna")

    failures = [log_in(client, staff.username, f"guess-{n}").status_code for n in range(3)]
    locked = log_in(client, staff.username, PASSWORD)

    assert failures[:2] == [200, 200]  # the login form again, with its error
    assert locked.status_code == 429
    assert "locked" in locked.content.decode().lower()
    assert "_auth_user_id" not in client.session
    # Someone else, elsewhere, still logs in.
    assert log_in(client, StaffFactory(username="bo").username, PASSWORD, ip="203.0.113.9").url


def test_a_correct_password_before_the_limit_logs_in(client, lockout):
    staff = StaffFactory(username="carl")
    log_in(client, staff.username, "guess")

    response = log_in(client, staff.username, PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_without_the_lockout_wrong_passwords_only_fail(client, settings):
    settings.AXES_ENABLED = False
    staff = StaffFactory(username="dora")
    for n in range(6):
        log_in(client, staff.username, f"guess-{n}")

    assert log_in(client, staff.username, PASSWORD).status_code == 302

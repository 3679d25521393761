"""The delivery timings `manage.py check` refuses (messaging/checks.py)."""

import pytest

from messaging.checks import check_delivery_timings


@pytest.fixture
def documented_timings(settings):
    """Short limits as an operator might tune them: soft limit 15 s, ESP timeout 4 s."""
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 15
    settings.CELERY_TASK_TIME_LIMIT = 20
    settings.MESSAGING_CLAIM_SECONDS = 60
    settings.ANYMAIL = {**settings.ANYMAIL, "REQUESTS_TIMEOUT": 4.0}
    return settings


def ids(errors) -> list[str]:
    return [error.id for error in errors]


def test_a_soft_limit_shorter_than_the_esp_timeout_and_the_outcome_write_is_refused(
    documented_timings,
):
    documented_timings.MESSAGING_OUTCOME_WRITE_SECONDS = 30

    [error] = check_delivery_timings(None)

    assert error.id == "messaging.E003"
    assert "CELERY_TASK_SOFT_TIME_LIMIT (15 s)" in error.msg
    # A single number is requests' connect and read timeout each: 8 s in all, plus 30.
    assert "38 s" in error.msg


def test_a_soft_limit_that_leaves_room_for_both_passes(documented_timings):
    documented_timings.MESSAGING_OUTCOME_WRITE_SECONDS = 7

    assert ids(check_delivery_timings(None)) == []


def test_connect_and_read_timeouts_count_together(documented_timings):
    documented_timings.ANYMAIL = {**documented_timings.ANYMAIL, "REQUESTS_TIMEOUT": (3.05, 10)}
    documented_timings.MESSAGING_OUTCOME_WRITE_SECONDS = 2

    assert ids(check_delivery_timings(None)) == ["messaging.E003"]


def test_the_defaults_pass(settings):
    assert ids(check_delivery_timings(None)) == []

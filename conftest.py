"""Suite-wide fixtures and the CI rule that nothing important is skipped silently."""

import os
from dataclasses import dataclass, field

import pytest
import redis
from django.utils import translation
from redis.connection import AbstractConnection, Connection

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql"))


@pytest.fixture(autouse=True)
def _isolated_delivery(settings):
    """No test reaches a real ESP or a broker it did not start itself."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Users are created and log in all over the suite: a deliberately slow hasher would spend
    seconds on nothing the tests look at (tests only; production keeps Django's default)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language and leaves it so. `LocaleMiddleware` activates
    the visitor's language for the thread and nothing deactivates it after the response: a
    request with a Swedish `Accept-Language` would otherwise leave Swedish for the next test."""
    translation.deactivate()
    yield
    translation.deactivate()


@dataclass
class BrokerCalls:
    """What a publish or a probe spent on the broker: connection attempts, and every wait that
    ran out, with the timeout it ran out on. Counted, not timed: a loaded machine stretches the
    clock, never these."""

    connects: int = 0
    waits: list[tuple[str, float]] = field(default_factory=list)

    @property
    def seconds_waited(self) -> float:
        return sum(seconds for _, seconds in self.waits)


@pytest.fixture
def broker_calls(monkeypatch) -> BrokerCalls:
    """Count the Redis client's connects and the socket timeouts it hit (kombu's Redis
    transport goes through redis-py's `Connection`)."""
    calls = BrokerCalls()
    connect, read = Connection._connect, AbstractConnection.read_response

    def counted_connect(self):
        calls.connects += 1
        try:
            return connect(self)
        except (TimeoutError, redis.exceptions.TimeoutError):
            calls.waits.append(("connect", self.socket_connect_timeout))
            raise

    def counted_read(self, *args, **kwargs):
        try:
            return read(self, *args, **kwargs)
        except redis.exceptions.TimeoutError:
            calls.waits.append(("read", self.socket_timeout))
            raise

    monkeypatch.setattr(Connection, "_connect", counted_connect)
    monkeypatch.setattr(AbstractConnection, "read_response", counted_read)
    return calls


@pytest.fixture
def postgres(django_db_blocker):
    """For tests that need PostgreSQL's row locking (run in CI's PostgreSQL pass)."""
    if not ON_POSTGRES:
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/x")


def _must_run(item) -> bool:
    """With CI set, browser tests always run; PostgreSQL, worker and chaos tests on
    PostgreSQL."""
    if not os.environ.get("CI"):
        return False
    if item.get_closest_marker("browser"):
        return True
    return ON_POSTGRES and any(item.get_closest_marker(m) for m in ("postgres", "worker", "chaos"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.skipped and _must_run(item) and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, which must run it: {report.longrepr}"
    return report

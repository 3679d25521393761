"""`/healthz`'s checks: cheap, bounded, and named generically (the answer reveals nothing)."""

from __future__ import annotations

import concurrent.futures
import logging

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

logger = logging.getLogger(__name__)

BROKER_TIMEOUT = 1.0  # seconds: a load balancer's probe must not hang on a dead broker
# Seconds PostgreSQL may spend on the probe query: an overloaded or stuck server answers
# "unavailable" within this, instead of holding the load balancer's probe (and a web worker).
DATABASE_TIMEOUT = 1.0
PROBE = "SELECT 1"
# Once this process saw every migration applied, it stays so for its life (new migrations
# come with new code, hence a new process): loading the migration graph costs ~50 ms.
_migrated: dict[str, bool] = {}


def database_ok(*, timeout: float | None = None) -> bool:
    """Run the probe query within `timeout` (default `DATABASE_TIMEOUT`) seconds on PostgreSQL:
    a statement timeout local to the probe's own transaction, so it never outlives it. SQLite is
    a local file with nothing to wait on: the probe runs as it is. Connecting is bounded by
    `DATABASE_CONNECT_TIMEOUT` (config/settings.py)."""
    timeout = DATABASE_TIMEOUT if timeout is None else timeout
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                milliseconds = max(1, round(timeout * 1000))
                # set_config(..., true) is SET LOCAL with a bound parameter.
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, true)", [f"{milliseconds}ms"]
                )
            cursor.execute(PROBE)
    except DatabaseError as exc:
        logger.warning("Health check: database unavailable (%s).", type(exc).__name__)
        return False
    return True


def migrations_ok() -> bool:
    if _migrated.get(connection.alias):
        return True
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return False
    _migrated[connection.alias] = not pending
    return not pending


def broker_configured() -> bool:
    return bool(settings.CELERY_BROKER_URL) and not settings.CELERY_TASK_ALWAYS_EAGER


def broker_ok(*, timeout: float = BROKER_TIMEOUT) -> bool:
    """Connect to the broker and open a channel, within `timeout` whatever the transport does
    (the probe runs in a thread; a hung one ends with the broker socket timeouts)."""
    from config.celery import app

    def probe() -> None:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=timeout)
            conn.default_channel  # noqa: B018 - opening it is the check (Redis pings here)

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="healthz")
    try:
        pool.submit(probe).result(timeout=timeout)
    except Exception as exc:
        logger.warning("Health check: broker unreachable (%s).", type(exc).__name__)
        return False
    finally:
        pool.shutdown(wait=False)
    return True


def failing_checks() -> list[str]:
    """The names of the checks that fail, in a fixed order; empty when healthy."""
    failing = []
    if not database_ok():
        failing.append("database")
    elif not migrations_ok():
        failing.append("migrations")
    if broker_configured() and not broker_ok():
        failing.append("broker")
    return failing

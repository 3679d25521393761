"""Persistent database connections only where the server reuses its threads (config/connections.py).

The settings are read in fresh interpreters, as a server starts; the runserver test starts the
real development server against the PostgreSQL test database and counts its connections.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection, connections

from config.connections import conn_max_age, persist_in_worker

ROOT = Path(__file__).resolve().parent.parent
PRINT_DATABASE = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps(settings.DATABASES['default']['CONN_MAX_AGE']))"
)


def conn_max_age_at_startup(**environ) -> int:
    env = {k: v for k, v in os.environ.items() if k not in {"SERVER_SOFTWARE", "CONN_MAX_AGE"}}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "x"} | environ
    result = subprocess.run(
        [sys.executable, "-c", PRINT_DATABASE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, 0),  # runserver, manage.py commands, tests, an unknown server
        ({"CONN_MAX_AGE": "60"}, 0),  # asked for, but this server keeps a thread per request
        ({"SERVER_SOFTWARE": "gunicorn/27.0.1"}, 60),
        ({"SERVER_SOFTWARE": "gunicorn/27.0.1", "CONN_MAX_AGE": "30"}, 30),
        ({"SERVER_SOFTWARE": "gunicorn/27.0.1", "SEALPOST_ASGI": "1"}, 0),  # ASGI worker class
        ({"SERVER_SOFTWARE": "other/1.0"}, 0),
    ],
)
def test_connections_persist_only_under_gunicorn(environ, expected):
    assert conn_max_age_at_startup(**environ) == expected


def test_the_asgi_entry_point_turns_persistence_off():
    code = (
        "import config.asgi, json; from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default']['CONN_MAX_AGE']))"
    )
    env = {k: v for k, v in os.environ.items() if k != "CONN_MAX_AGE"}
    env |= {"SECRET_KEY": "x", "SERVER_SOFTWARE": "gunicorn/27.0.1"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout.splitlines()[-1]) == 0


def test_the_decision_itself():
    assert conn_max_age(60, {"SERVER_SOFTWARE": "gunicorn/27.0.1"}) == 60
    assert conn_max_age(60, {}) == 0


def test_a_celery_worker_keeps_its_connections(settings):
    # What `celeryd_init` runs in a worker before its pool forks (config/celery.py).
    settings.PERSISTENT_CONN_MAX_AGE = 45
    before = {alias: connections.settings[alias]["CONN_MAX_AGE"] for alias in connections}
    try:
        persist_in_worker(sender="worker@test")
        assert connection.settings_dict["CONN_MAX_AGE"] == 45
    finally:
        for alias, value in before.items():
            connections.settings[alias]["CONN_MAX_AGE"] = value


# --- the development server on PostgreSQL ----------------------------------------------------

APPLICATION_NAME = "sealpost-runserver-test"


def database_url() -> str:
    """The test database, as a subprocess reaches it (see tests/messaging/test_worker.py)."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{db['NAME']}?application_name={APPLICATION_NAME}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            [APPLICATION_NAME],
        )
        return cursor.fetchone()[0]


def get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
        return response.status


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_runserver_keeps_few_database_connections(postgres, tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"SERVER_SOFTWARE", "CONN_MAX_AGE"}}
    env |= {"DATABASE_URL": database_url(), "DEBUG": "1", "SECRET_KEY": "x"}
    log = tmp_path / "runserver.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/"
    peak, done = 0, threading.Event()

    def watch() -> None:
        nonlocal peak
        try:
            while not done.is_set():
                peak = max(peak, server_connections())
                time.sleep(0.05)
        finally:
            connection.close()  # this thread's own connection, or the test database stays busy

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert get(url) == 200
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"runserver did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.2)
        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            # 300 catalog pages (a query each), six at a time: runserver starts a thread each.
            with ThreadPoolExecutor(max_workers=6) as pool:
                statuses = list(pool.map(get, [url] * 300))
        finally:
            done.set()
            watcher.join()
        after = server_connections()
    finally:
        server.terminate()
        server.wait(timeout=20)
        deadline = time.monotonic() + 10
        while server_connections() and time.monotonic() < deadline:
            time.sleep(0.1)  # PostgreSQL ends the backends of a closed client shortly after

    assert statuses == [200] * 300
    assert peak <= 10, f"runserver held {peak} database connections at once"
    assert after <= 1, f"{after} connections left open after the requests"

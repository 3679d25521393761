"""Every command docs/try-it.md shows in a shell block runs. `make run` never ends by itself:
it is started in the background on a free port, with a database of its own, and counts as
working once the shop and the dev inbox answer; then it is stopped."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from tests.docs.markdown import DOCS, ROOT, code_blocks

PAGE = DOCS / "try-it.md"
# The long-running commands: what to wait for once started. A page that shows another one
# fails the test until it is listed here.
SERVERS = {"make run": ["/", "/dev/inbox/"]}
START_SECONDS = 300  # a first `make run` migrates a new database; the wait stops at the answer


def commands() -> list[str]:
    found = []
    for block in code_blocks(PAGE.read_text(encoding="utf-8"), "sh"):
        joined = re.sub(r"\\\n", " ", block)
        for line in joined.splitlines():
            command = line.split(" #", 1)[0].strip()
            if command and not command.startswith("#"):
                found.append(command)
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(tmp_path, port: int) -> dict[str, str]:
    """The shell a newcomer has: no broker, no database server; a port and a database file of
    the test's own, so a developer's db.sqlite3 and port 8000 are left alone."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "SHOP_URL"}
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'try-it.sqlite3'}"
    env["PORT"] = str(port)
    return env


def wait_for(url: str, server: subprocess.Popen) -> tuple[int, str]:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"The server stopped with status {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # our own server
                return response.status, response.read().decode()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    pytest.fail(f"{url} did not answer")


def test_the_page_shows_commands():
    assert "make run" in commands()


@pytest.mark.parametrize("command", commands())
def test_each_shell_command_of_try_it_runs(command, tmp_path):
    port = free_port()
    env = environment(tmp_path, port)
    if command not in SERVERS:
        result = subprocess.run(
            ["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return

    log = tmp_path / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            shlex.split(command),
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: make, manage.py and runserver's child
        )
    try:
        pages = [wait_for(f"http://127.0.0.1:{port}{path}", server) for path in SERVERS[command]]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    shop, inbox = pages
    assert shop[0] == 200
    assert "Nordic Goods" in shop[1]
    assert inbox[0] == 200
    assert "admin / sealpost-demo" in log.read_text()

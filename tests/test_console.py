"""What a newcomer's console shows: no library noise they must learn to ignore.

Each command runs in a fresh interpreter, as `make run` and a terminal run it, in development
(DEBUG on, no broker: tasks run in-process).
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PUBLISH_WITHOUT_BROKER = (
    "import django; django.setup()\n"
    "from messaging.tasks import deliver_message\n"
    # What `resend_confirmations` does for each resend; no such message: nothing to deliver.
    "deliver_message.apply_async((0,))\n"
)


def run(*args: str, tmp_path: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"CELERY_BROKER_URL", "SECRET_KEY"}}
    env |= {
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ADMIN_LOGIN_LOCKOUT": "true",  # as in development: the lockout is on
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    return result.stdout + result.stderr


def test_a_management_command_prints_no_django_axes_banner(tmp_path):
    output = run("manage.py", "check", tmp_path=tmp_path)

    assert "System check identified no issues" in output
    assert "AXES" not in output


def test_publishing_without_a_broker_warns_of_no_missing_hostname(tmp_path):
    run("manage.py", "migrate", "--noinput", tmp_path=tmp_path)

    output = run("-c", PUBLISH_WITHOUT_BROKER, tmp_path=tmp_path)

    assert "Traceback" not in output
    assert "No hostname" not in output


def test_the_makefile_installs_the_project_without_setuptools_editable_warning():
    """`pip install -e .` made setuptools print its "Editable installation" notice on every
    fresh `make run`; a plain install copies the packaged apps into site-packages instead,
    and the checkout wins over that copy (the next test)."""
    dry_run = subprocess.run(
        ["make", "-n", "-B", ".venv/.installed"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    install = [line for line in dry_run.splitlines() if "--no-deps" in line]

    assert install, dry_run
    assert all(" -e " not in line for line in install)
    assert install[0].rstrip().endswith("--no-deps .")


def test_the_checkout_wins_over_an_installed_copy_of_the_apps(tmp_path, monkeypatch):
    """`make run`, `make test` and `make messages` start Python so that the checkout comes
    first on sys.path (`python manage.py`, `python -m …`, scripts that put it there): the apps
    come from it even with another copy ahead of site-packages (PYTHONPATH), let alone the one
    `pip install .` put there, however stale. A console script (`.venv/bin/pytest`) would not:
    sys.path would start with .venv/bin, and site-packages would win."""
    dry_run = subprocess.run(
        ["make", "-n", "-B", "run", "test", "messages"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    commands = [line.split() for line in dry_run.splitlines() if line.startswith(".venv/bin/")]
    project = [c for c in commands if c[1:3] != ["-m", "pip"]]
    assert len(project) >= 5, dry_run
    for command in project:
        assert command[0] == ".venv/bin/python", command
        assert command[1] in {"manage.py", "-m", "scripts/messages.py"}, command

    stale = tmp_path / "installed"
    for app in ("messaging", "attachments"):
        (stale / app).mkdir(parents=True)
        (stale / app / "__init__.py").write_text("raise ImportError('the installed copy')\n")
    monkeypatch.setenv("PYTHONPATH", str(stale))
    show = "import attachments, messaging; print(messaging.__file__, attachments.__file__)"
    expected = f"{ROOT / 'messaging' / '__init__.py'} {ROOT / 'attachments' / '__init__.py'}"
    assert expected in run("manage.py", "shell", "-c", show, tmp_path=tmp_path)
    assert expected in run("-c", show, tmp_path=tmp_path)

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
    fresh `make run`; the project installs no package (`packages = []`): only its metadata,
    which a plain install carries as well (re-run when pyproject.toml changes)."""
    dry_run = subprocess.run(
        ["make", "-n", "-B", ".venv/.installed"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    install = [line for line in dry_run.splitlines() if "--no-deps" in line]

    assert install, dry_run
    assert all(" -e " not in line for line in install)
    assert install[0].rstrip().endswith("--no-deps .")

"""The distribution: a wheel built from this checkout holds the message center's apps, each with
every file it has here (templates, static files, migrations, translations), and nothing of the
demo shop or the project.

Builds a real, non-editable wheel (`pip wheel`, its build backend fetched like any build's),
so it takes a few seconds and runs once.
"""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("stafftemplates", "attachments", "messaging", "operations", "inbox", "api")
# What each app must carry besides its Python modules (the catalogs: make messages).
CATALOGS = [
    f"locale/{lang}/LC_MESSAGES/django.{ext}" for lang in ("sv", "en") for ext in ("po", "mo")
]
EXPECTED = {
    "stafftemplates": ["templates/", "static/", "migrations/0001_event_types.py"],
    "attachments": ["templates/", "static/fonts/DejaVuSans.ttf", "migrations/0001_initial.py"],
    "messaging": ["templates/", "static/", "migrations/0001_initial.py"],
    "operations": ["templates/", "static/", "migrations/0001_initial.py"],
    "inbox": ["templates/", "migrations/0001_initial.py"],
    "api": ["templates/", "migrations/0001_api_keys.py"],
}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    # Built from a copy: setuptools leaves build/ and *.egg-info/ beside the sources.
    source = tmp_path_factory.mktemp("source") / "sealpost"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", "build", "*.egg-info"),
    )
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(source)],
        check=True,
    )
    (built,) = out.glob("sealpost-*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


def tracked_files(app: str) -> set[str]:
    """The files of `app` in this checkout that git knows (no caches, no scratch files)."""
    listed = subprocess.run(
        ["git", "ls-files", "--", app], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    return {name for name in listed if (ROOT / name).is_file()}


@pytest.mark.parametrize("app", APPS)
def test_each_app_ships_every_file_it_has(wheel, app):
    shipped = {name for name in wheel.namelist() if name.startswith(f"{app}/")}
    missing = sorted(tracked_files(app) - shipped)
    assert not missing, f"not in the wheel: {missing}"
    for expected in EXPECTED[app] + CATALOGS:
        assert any(name.startswith(f"{app}/{expected}") for name in shipped), expected


def test_the_demo_shop_and_the_project_are_not_shipped(wheel):
    top_level = {name.split("/")[0] for name in wheel.namelist()}
    assert top_level - {name for name in top_level if name.endswith(".dist-info")} == {
        *APPS,
        # The request counter the apps share with the storefront (pyproject.toml, py-modules).
        "sealpost_ratelimits.py",
    }

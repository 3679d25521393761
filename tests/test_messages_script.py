"""`make messages` (scripts/messages.py) puts each string's translation into the catalog that
ships with its code, wherever the translation was before — e.g. in the project's `locale/`,
where a branch written before the apps had catalogs of their own added it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MESSAGING_SV = Path("messaging/locale/sv/LC_MESSAGES/django.po")
PROJECT_SV = Path("locale/sv/LC_MESSAGES/django.po")


def entry(po: Path, msgid: str) -> str:
    """The catalog's entry for `msgid` (its lines up to the next blank line), or ""."""
    text = po.read_text()
    start = text.find(f'msgid "{msgid}"')
    return "" if start < 0 else text[start : text.find("\n\n", start)]


def test_a_translation_left_in_the_project_catalog_moves_to_its_app(tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "__pycache__", "build", "dist", "mutants", "docs", "staticfiles"
        ),
    )
    messaging = copy / MESSAGING_SV
    messaging.write_text(messaging.read_text().replace('msgstr "öppnar %(files)s"', 'msgstr ""'))
    project = copy / PROJECT_SV
    project.write_text(
        project.read_text()
        + '\n#, python-format\nmsgid "opens %(files)s"\nmsgstr "öppnar %(files)s"\n'
    )

    subprocess.run(
        [sys.executable, "scripts/messages.py", "--no-compile"],
        cwd=copy,
        check=True,
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings"},
    )

    assert 'msgstr "öppnar %(files)s"' in entry(messaging, "opens %(files)s")
    assert entry(project, "opens %(files)s") == ""
    # Nothing else was lost: every other Swedish string is still translated.
    for po in (messaging, project):
        untranslated = subprocess.run(
            ["msgattrib", "--untranslated", "--no-obsolete", str(po)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert "msgid" not in untranslated.partition('msgid ""\nmsgstr ""')[2]

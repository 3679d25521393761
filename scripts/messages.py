"""`make messages`: every translatable string into the catalog that ships with its code.

Each packaged app (`pyproject.toml`: stafftemplates, attachments, messaging, operations, inbox,
api) has its own `<app>/locale/<lang>/LC_MESSAGES/django.po`, installed with it; the project's
`locale/` holds the rest (shop, demo, config, templates/). Re-runnable, and nothing translated
is lost: before extracting, each catalog is seeded with every translation any catalog holds
(its own first), so a string that moved between the project and an app — or that a branch
merged later still added to `locale/` — keeps its translation in the catalog it lands in.
`makemessages --no-obsolete` then keeps only the strings each catalog's code uses. Finally the
`.mo` files are compiled (`--no-compile` leaves them: .ci/translations.py checks the `.po`
files that way).

Run from the repository root: `python scripts/messages.py [--no-compile]`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from contextlib import chdir
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("stafftemplates", "attachments", "messaging", "operations", "inbox", "api")
PROJECT_LOCALE = ROOT / "locale"
# Not the project's code: scratch copies of the apps (a wheel's build, mutation testing) would
# otherwise put their strings into the project's catalog a second time.
PROJECT_IGNORE = ("bench", "staticfiles", "tests", "build", "dist", "mutants", *APPS)
OPTIONS = ("--no-location", "--no-obsolete")


def languages() -> list[str]:
    """The languages the project translates into: those with a project catalog."""
    return sorted(
        path.parent.parent.name for path in PROJECT_LOCALE.glob("*/LC_MESSAGES/django.po")
    )


def catalog(locale: Path, language: str) -> Path:
    return locale / language / "LC_MESSAGES" / "django.po"


def every_catalog(language: str) -> list[Path]:
    paths = [catalog(PROJECT_LOCALE, language)] + [
        catalog(ROOT / app / "locale", language) for app in APPS
    ]
    return [path for path in paths if path.exists()]


def seed(target: Path, memory: Path) -> None:
    """`target` gets every translation in `memory` that it lacks (its own win)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    sources = [target, memory] if target.exists() else [memory]
    subprocess.run(  # noqa: S603 - fixed arguments, our own files
        ["msgcat", "--use-first", "--no-location", "-o", str(target), *map(str, sources)],  # noqa: S607
        check=True,
    )


def header_only(po: Path) -> None:
    """Keep the catalog's comments and header entry, drop every message."""
    header, _, _messages = po.read_text().partition("\n\n")
    po.write_text(header + "\n")


def extract(language_list: list[str]) -> None:
    import django
    from django.core.management import call_command
    from django.test.utils import override_settings

    django.setup()
    locales = [f"--locale={language}" for language in language_list]
    for app in APPS:
        # Run inside the app, with no project locale: makemessages writes to `./locale`. It
        # leaves the catalogs alone when the app has no string at all (its .pot never exists):
        # then they hold the header only.
        locale = ROOT / app / "locale"
        with chdir(ROOT / app), override_settings(LOCALE_PATHS=[]):
            call_command("makemessages", *locales, *OPTIONS, "--keep-pot", verbosity=0)
        pot = locale / "django.pot"
        if pot.exists():
            pot.unlink()
        else:
            for language in language_list:
                header_only(catalog(locale, language))
    with chdir(ROOT):
        ignores = [f"--ignore={name}" for name in PROJECT_IGNORE]
        call_command("makemessages", *locales, *OPTIONS, *ignores, verbosity=0)


def compile_all() -> None:
    from django.core.management import call_command

    with chdir(ROOT):
        call_command(
            "compilemessages", "--ignore=.venv", "--ignore=build", "--ignore=mutants", verbosity=0
        )


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    language_list = languages()
    with tempfile.TemporaryDirectory() as scratch:
        for language in language_list:
            memory = Path(scratch) / f"{language}.po"
            subprocess.run(  # noqa: S603 - fixed arguments, our own files
                ["msgcat", "--use-first", "-o", str(memory), *map(str, every_catalog(language))],  # noqa: S607
                check=True,
            )
            for locale in [PROJECT_LOCALE] + [ROOT / app / "locale" for app in APPS]:
                seed(catalog(locale, language), memory)
    extract(language_list)
    if "--no-compile" not in argv:
        compile_all()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

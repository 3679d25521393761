"""CI: fail when a translation file is stale.

A `.po` is stale when `make messages` (scripts/messages.py: every packaged app's catalog and the
project's) would change more than its POT-Creation-Date line; a `.mo` is stale when it is missing
or its catalog differs from the one `msgfmt` compiles from the committed `.po` (catalogs are
compared, not bytes: two gettext versions may lay out the same catalog differently). Run from
the repository root.
"""

import gettext
import subprocess
import sys
import tempfile
from pathlib import Path

MAKEMESSAGES = [sys.executable, "scripts/messages.py", "--no-compile"]
# The project's catalogs and each packaged app's (pyproject.toml, scripts/messages.py).
APPS = ("stafftemplates", "attachments", "messaging", "operations", "inbox", "api")
LOCALES = [Path("locale")] + [Path(app) / "locale" for app in APPS]


def catalog(mo: Path) -> dict:
    with mo.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)


def catalogs() -> list[Path]:
    return sorted(po for locale in LOCALES for po in locale.glob("*/LC_MESSAGES/*.po"))


def stale_mo_files() -> list[str]:
    problems = []
    for locale in LOCALES:
        if not list(locale.glob("*/LC_MESSAGES/django.po")):
            problems.append(f"{locale} has no catalog")
    for po in catalogs():
        mo = po.with_suffix(".mo")
        if not mo.exists():
            problems.append(f"{mo} is missing")
            continue
        with tempfile.TemporaryDirectory() as scratch:
            fresh = Path(scratch) / "fresh.mo"
            subprocess.run(["msgfmt", "--check-format", "-o", fresh, po], check=True)  # noqa: S603, S607
            if catalog(fresh) != catalog(mo):
                problems.append(f"{mo} is not compiled from {po}")
    return problems


def _without_creation_date(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith('"POT-Creation-Date:')]


def stale_po_files() -> list[str]:
    """The .po files `make messages` would change; they are put back as they were after."""
    before = {po: po.read_text() for po in catalogs()}
    try:
        subprocess.run(MAKEMESSAGES, check=True, capture_output=True)  # noqa: S603
        after = {po: po.read_text() for po in catalogs()}
    finally:
        for po in set(catalogs()) - set(before):
            po.unlink()
        for po, text in before.items():
            po.write_text(text)
    return [
        f"makemessages changes {po}"
        for po in sorted(after)
        if _without_creation_date(after[po]) != _without_creation_date(before.get(po, ""))
    ]


def main() -> int:
    problems = stale_mo_files() + stale_po_files()
    for problem in problems:
        print(problem)
    if problems:
        print("Run `make messages`, translate any empty msgstr, and commit the catalogs.")
        return 1
    print("Translations are up to date.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""CI: fail when a translation file is stale.

A `.po` is stale when `makemessages` (as `make messages` runs it) would change more than its
POT-Creation-Date line; a `.mo` is stale when it is missing or its catalog differs from the one
`msgfmt` compiles from the committed `.po` (catalogs are compared, not bytes: two gettext
versions may lay out the same catalog differently). Run from the repository root.
"""

import gettext
import subprocess
import sys
import tempfile
from pathlib import Path

MAKEMESSAGES = [
    sys.executable,
    "manage.py",
    "makemessages",
    "--all",
    "--no-location",
    "--no-obsolete",
    "--ignore=bench",
    "--ignore=staticfiles",
    "--ignore=tests",
]


def catalog(mo: Path) -> dict:
    with mo.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)


def stale_mo_files(locale: Path) -> list[str]:
    problems = []
    for po in sorted(locale.glob("*/LC_MESSAGES/*.po")):
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


def stale_po_files() -> list[str]:
    subprocess.run(MAKEMESSAGES, check=True, capture_output=True)  # noqa: S603
    diff = subprocess.run(
        ["git", "diff", "--stat", "-I", '^"POT-Creation-Date:', "--", "locale"],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    subprocess.run(["git", "checkout", "--", "locale"], check=True)  # noqa: S607
    return [f"makemessages changes {line.split('|')[0].strip()}" for line in diff.splitlines()[:-1]]


def main() -> int:
    problems = stale_mo_files(Path("locale")) + stale_po_files()
    for problem in problems:
        print(problem)
    if problems:
        print("Run `make messages`, translate any empty msgstr, and commit locale/.")
        return 1
    print("Translations are up to date.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Reading the documentation's Markdown the way its tests need: tables, sections, code blocks."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def pages() -> list[Path]:
    """Every Markdown page of the site (generated ones included), and the README."""
    found = [p for p in DOCS.rglob("*.md") if "_build" not in p.parts and "_tools" not in p.parts]
    return [*sorted(found), ROOT / "README.md"]


def without_code_blocks(text: str) -> str:
    return re.sub(r"^(```|~~~).*?^\1", "", text, flags=re.DOTALL | re.MULTILINE)


def code_blocks(text: str, language: str) -> list[str]:
    """The bodies of the fenced blocks marked with `language` (```sh)."""
    pattern = rf"^```{re.escape(language)}[ \t]*\n(.*?)^```"
    return re.findall(pattern, text, flags=re.DOTALL | re.MULTILINE)


def sections(text: str, level: int = 2) -> dict[str, str]:
    """Each heading of that level → the text under it, up to the next heading of that level."""
    marker = "#" * level
    parts = re.split(rf"^{marker} (.+)$", without_code_blocks_keep(text), flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def without_code_blocks_keep(text: str) -> str:
    """The text with `#` comment lines inside code blocks neutralised, so they are no headings."""

    def quiet(match: re.Match) -> str:
        return re.sub(r"^#", " #", match.group(0), flags=re.MULTILINE)

    return re.sub(r"^(```|~~~).*?^\1", quiet, text, flags=re.DOTALL | re.MULTILINE)


def table_first_cells(text: str) -> list[str]:
    """The first cell of every table's body rows (a header is the row above a `| ---` ruler)."""
    lines = text.splitlines()
    cells = []
    for index, line in enumerate(lines):
        ruler = re.compile(r"^\|\s*-")
        if not line.startswith("|") or ruler.match(line):
            continue
        if index + 1 < len(lines) and ruler.match(lines[index + 1]):
            continue  # the header
        cells.append(line.split("|")[1].strip())
    return cells

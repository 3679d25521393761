"""The README stays a short start (the documentation site says the rest at length), and every
link and picture in it leads somewhere."""

import re

from tests.docs.markdown import ROOT, without_code_blocks

README = ROOT / "README.md"
MOST_LINES = 200


def slug(heading: str) -> str:
    """A heading's anchor as GitHub and MyST make it: lower case, punctuation dropped, spaces
    to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page) -> set[str]:
    text = without_code_blocks(page.read_text(encoding="utf-8"))
    return {slug(h) for h in re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)}


def links(text: str) -> list[str]:
    return re.findall(r"\]\(([^)\s]+)\)", without_code_blocks(text))


def test_the_readme_is_short():
    lines = README.read_text(encoding="utf-8").splitlines()

    assert len(lines) <= MOST_LINES


def test_the_readme_says_how_to_start_and_where_the_email_is():
    text = README.read_text(encoding="utf-8")

    for must in ("make run", "make test", "/dev/inbox/", "docs/try-it.md", "docs/index.md"):
        assert must in text


def test_every_link_and_picture_in_the_readme_resolves():
    broken = []
    found = links(README.read_text(encoding="utf-8"))
    for target in found:
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, anchor = target.partition("#")
        file = (README.parent / path) if path else README
        if not file.is_file() or (anchor and anchor not in anchors(file)):
            broken.append(target)

    assert len(found) > 10
    assert broken == []

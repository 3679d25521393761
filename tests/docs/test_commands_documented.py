"""Every management command of the project's apps has its section in
docs/operators/commands.md, naming each of its options, and the page names no option or command
that does not exist."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from django.core.management import BaseCommand, get_commands, load_command_class

from tests.docs.markdown import DOCS, ROOT, sections

PAGE = DOCS / "operators" / "commands.md"


def project_commands() -> dict[str, str]:
    """Command name → app, for the commands whose app lives in this repository."""
    found = {}
    for name, app in get_commands().items():
        origin = importlib.util.find_spec(app).origin
        path = Path(origin).resolve()
        if path.is_relative_to(ROOT) and ".venv" not in path.relative_to(ROOT).parts:
            found[name] = app
    return found


def long_options(parser) -> set[str]:
    return {s for action in parser._actions for s in action.option_strings if s.startswith("--")}


COMMON = long_options(BaseCommand().create_parser("manage.py", "any"))


def own_options(app: str, name: str) -> set[str]:
    return long_options(load_command_class(app, name).create_parser("manage.py", name)) - COMMON


def documented() -> dict[str, str]:
    """`## \\`name\\`` heading → its section's text."""
    return {
        title.strip("`"): text
        for title, text in sections(PAGE.read_text(encoding="utf-8")).items()
        if re.fullmatch(r"`[a-z_]+`", title)
    }


def test_the_project_has_the_commands_this_test_expects_to_find():
    commands = project_commands()

    assert {"seed_demo", "resend_confirmations", "purge_messages", "create_api_key"} <= set(
        commands
    )
    assert "migrate" not in commands  # Django's own are documented by Django
    assert own_options("messaging", "resend_confirmations") >= {"--since", "--force"}


def test_every_command_has_a_section_naming_each_option():
    pages = documented()
    problems = []
    for name, app in sorted(project_commands().items()):
        if name not in pages:
            problems.append(f"no `## \\`{name}\\`` section")
            continue
        for option in sorted(own_options(app, name)):
            if f"`{option}`" not in pages[name]:
                problems.append(f"{name}: `{option}` is not described")

    assert problems == [], f"docs/operators/commands.md: {problems}"


def test_the_page_names_only_real_commands_and_options():
    commands = project_commands()
    problems = []
    for name, text in documented().items():
        if name not in commands:
            problems.append(f"`{name}` is no command of the project")
            continue
        real = own_options(commands[name], name) | COMMON
        for option in set(re.findall(r"`(--[a-z][a-z-]*)`", text)) - real:
            problems.append(f"{name}: `{option}` does not exist")

    assert problems == [], f"docs/operators/commands.md: {problems}"

"""Every alert rule has a section in the runbook, under the title its alert email gives it."""

from operations.rules import RULES
from tests.docs.markdown import DOCS, sections


def test_every_alert_rule_has_a_runbook_section():
    titles = set(sections((DOCS / "operators" / "runbook.md").read_text(encoding="utf-8")))

    missing = [rule.title for rule in RULES if rule.title not in titles]

    assert RULES
    assert missing == [], f"docs/operators/runbook.md has no section for {missing}"


def test_the_runbook_has_no_section_for_a_rule_that_does_not_exist():
    titles = set(sections((DOCS / "operators" / "runbook.md").read_text(encoding="utf-8")))

    assert titles - {rule.title for rule in RULES} == set()

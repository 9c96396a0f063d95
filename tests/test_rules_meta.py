"""Every rule is documented, unique, and covered by a fixture that shows it firing."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from playbooklint.rules import RULES

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
SECTIONS = ("What it checks", "Why", "Example", "Use instead", "Options")
# internal-error cannot be provoked by file content on purpose: tests/test_rule_control.py
# makes a rule fail and checks the finding instead.
NO_FIXTURE = {"internal-error"}
# external-link rules need an HTTP server, which fixture files cannot start: tests/test_external.py
# runs them against one on 127.0.0.1 (the test below checks it shows each of them firing).
NEEDS_SERVER = {"link-external-broken", "link-external-unreachable", "link-external-redirected"}


def test_codes_and_names_are_unique_and_well_formed():
    codes = [r.code for r in RULES]
    names = [r.name for r in RULES]
    assert len(set(codes)) == len(codes) and len(set(names)) == len(names)
    for rule in RULES:
        assert rule.code.startswith("PB") and len(rule.code) == 5 and rule.code[2:].isdigit()
        assert rule.name == rule.name.lower() and " " not in rule.name
        assert rule.severity in ("error", "warning")
        assert rule.summary.endswith(".")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_is_documented(rule):
    lines = rule.doc.splitlines()
    positions = [lines.index(section) for section in SECTIONS]
    assert positions == sorted(positions), f"{rule.name}: sections out of order"
    for section, start in zip(SECTIONS, positions):
        following = lines[start + 1] if start + 1 < len(lines) else ""
        assert following.strip(), f"{rule.name}: section '{section}' is empty"


def test_rules_that_need_a_server_fire_in_test_external():
    text = (Path(__file__).parent / "test_external.py").read_text(encoding="utf-8")
    for rule in RULES:
        if rule.name in NEEDS_SERVER:
            assert f" {rule.code} '" in text, rule.name


@pytest.mark.parametrize("rule", [r for r in RULES if r.name not in NO_FIXTURE | NEEDS_SERVER], ids=lambda r: r.name)
def test_rule_has_a_fixture_where_it_fires_and_one_where_it_does_not(rule):
    path = FIXTURES / f"{rule.name}.md"
    assert path.is_file(), f"no fixture file for {rule.name}"
    cases = read_fixture_file(path)
    assert any(rule.code in expected for *_rest, expected in cases), f"{rule.name} never fires in its fixture"
    quiet = [expected for *_rest, expected in cases if rule.code not in expected]
    assert quiet or rule.name in ("file-too-large", "toc-invalid", "file-unreadable"), \
        f"{rule.name} has no case where it stays silent"


def test_readme_lists_every_rule():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for rule in RULES:
        assert f"| {rule.code} | {rule.name} |" in readme, rule.name

"""What the editor server makes from a document's text: LSP positions in the negotiated units,
"disable this rule here" comments that suppress the finding without changing the page's structure,
link targets being written, rule documentation links."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("lsprotocol")

from lsprotocol import types as lsp  # noqa: E402

import playbooklint  # noqa: E402
from playbooklint.model import Diagnostic  # noqa: E402
from playbooklint.parse import parse_text  # noqa: E402
from playbooklint.rules import RULES  # noqa: E402
from playbooklint.rules import docs as rule_docs  # noqa: E402
from playbooklint.server.edits import Lines, diagnostic, disable_action, link_target_before  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PAGE = (
    "---\ntitle: Home\ndescription: d.\nms.date: 13/45/2020\n---\n\n# Home\n\n"
    "See [x](gone.md) here\nand [y](gone2.md) there.  \nend\n\n"
    "- one\n- [two](gone3.md)\n  more [x](gone4.md)\\\n  tail\n- three\n\n"
    "1. a\n2. [b](gone5.md)\n3. c\n\n"
    "| a | b |\n|---|---|\n| [c](gone6.md) | d |\n| e | [f](gone7.md) |\n\n"
    "> quote [q](gone8.md)\n\n"
    "   [indented](gone10.md)\n"
)


def _lint(text: str) -> list[Diagnostic]:
    return playbooklint.lint_text(text, config=playbooklint.Config(schema="learn"))


def _structure(text: str) -> tuple[object, ...]:
    page = parse_text("index.md", text.replace("\r\n", "\n"))
    return (tuple((h.level, h.text) for h in page.headings),
            tuple((b.ordered, len(b.items), tuple(len(i.links) for i in b.items)) for b in page.lists),
            tuple(link.target for link in page.links), page.front_matter)


def _apply(text: str, lines: Lines, edit: lsp.TextEdit) -> str:
    start, end = lines.offset(edit.range.start), lines.offset(edit.range.end)
    return text[:start] + edit.new_text + text[end:]


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_each_disable_comment_suppresses_its_finding_and_keeps_the_structure(eol):
    text = PAGE.replace("\n", eol)
    findings = _lint(text)
    assert len(findings) == 10
    placed = []
    for finding in findings:
        lines = Lines(text)
        action = disable_action("file:///index.md", lines, finding)
        assert action is not None, finding
        assert action.edit is not None and action.edit.changes is not None
        [edit] = action.edit.changes["file:///index.md"]
        after = _apply(text, lines, edit)
        placed.append(edit.new_text.strip())
        remaining = _lint(after)
        assert not [d for d in remaining if d.rule == finding.rule and d.message == finding.message], after
        assert len(remaining) == len(findings) - 1, (finding, [d.message for d in remaining])  # no new finding
        assert _structure(after) == _structure(text), after
        assert "\r\n" not in after.replace(eol, "") or eol == "\r\n"
    assert placed.count("<!-- playbooklint-disable-file metadata-invalid -->") == 1
    # above a line that starts a block, at the end of a line inside lists, tables, paragraphs
    assert placed.count("<!-- playbooklint-disable-next-line link-broken -->") == 3  # paragraph, quote, indented
    assert placed.count("<!-- playbooklint-disable-line link-broken -->") == 6


def test_a_second_rule_joins_the_comment_above():
    text = "---\ntitle: A\ndescription: d.\n---\n\n# A\n\n<!-- playbooklint-disable-next-line link-broken -->\n" \
           "[x](index.md#nowhere) [y](gone.md)\n"
    (anchor,) = [d for d in playbooklint.lint_text(text, files={"index.md": "# I\n"}, path="a.md")
                 if d.rule == "link-anchor-missing"]
    lines = Lines(text)
    action = disable_action("u", lines, anchor)
    assert action is not None and action.edit is not None and action.edit.changes is not None
    after = _apply(text, lines, action.edit.changes["u"][0])
    assert "<!-- playbooklint-disable-next-line link-broken link-anchor-missing -->\n[x]" in after
    rules = {d.rule for d in playbooklint.lint_text(after, files={"index.md": "# I\n"}, path="a.md")}
    assert "link-anchor-missing" not in rules and "suppression-unused" not in rules


def test_no_comment_inside_code_or_in_a_toc():
    finding = Diagnostic("index.md", 3, 1, "PB502", "merge-conflict", "error", "conflict")
    text = "# A\n\n```\n<<<<<<< HEAD\n```\n"
    assert disable_action("u", Lines(text), finding) is None
    toc = Diagnostic("toc.yml", 1, 1, "PB207", "toc-link-broken", "error", "x")
    assert disable_action("u", Lines("- name: x\n  href: y.md\n"), toc) is None


@pytest.mark.parametrize(("encoding", "character"), [
    (lsp.PositionEncodingKind.Utf16, 6), (lsp.PositionEncodingKind.Utf8, 9), (lsp.PositionEncodingKind.Utf32, 5)])
def test_positions_count_the_negotiated_units(encoding, character):
    text = "é🎉ab [x](y.md)\r\nnext\n"
    lines = Lines(text, encoding)
    found = diagnostic(lines, Diagnostic("a.md", 1, 6, "PB201", "link-broken", "error", "m", 1, 15))
    assert found.range.start == lsp.Position(0, character)
    assert lines.offset(found.range.start) == 5
    assert lines.offset(found.range.end) == 14
    assert lines.position(len(text)) == lsp.Position(2, 0)
    assert lines.offset(lsp.Position(1, 99)) == text.index("next") + 4  # clamped to the line
    assert lines.offset(lsp.Position(9, 0)) == len(text)
    # no end: to the end of the line's text; a line past the end of a changed text: clamped
    whole = diagnostic(lines, Diagnostic("a.md", 2, 1, "PB201", "link-broken", "warning", "m"))
    assert (whole.range.end.line, whole.range.end.character) == (1, 4)
    assert whole.severity == lsp.DiagnosticSeverity.Warning
    assert diagnostic(lines, Diagnostic("a.md", 40, 3, "PB201", "link-broken", "error", "m")).range.start.line == 2


def test_the_link_target_being_written():
    assert link_target_before("See [x](../a.md#se") == "../a.md#se"
    assert link_target_before("See [x](") == ""
    assert link_target_before("[!INCLUDE[x](includes/") == "includes/"
    assert link_target_before('<img alt="x" src="media/') == "media/"
    assert link_target_before("<a href='#an") == "#an"
    assert link_target_before("See [x](a.md) and more") is None
    assert link_target_before("(not a link") is None
    assert link_target_before("  href: sub/", toc=True) == "sub/"
    assert link_target_before("- name: x", toc=True) is None


def test_each_rule_links_to_its_section_of_the_rules_page():
    page = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert page == rule_docs.markdown(), "docs/rules.md is out of date: python -m playbooklint.rules.docs > docs/rules.md"
    headings = re.findall(r"^## (PB\d{3}) ([a-z0-9-]+)$", page, re.MULTILINE)
    assert headings == [(rule.code, rule.name) for rule in RULES]
    for rule in RULES:
        url = rule_docs.url(rule)
        assert url.startswith("https://github.com/playbooklint/playbooklint/blob/main/docs/rules.md#")
        assert url.endswith(f"#{rule.code.lower()}-{rule.name}")  # GitHub's anchor for the heading

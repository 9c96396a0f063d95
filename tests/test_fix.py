"""Fixes: ``check --fix``, ``--diff``, ``--unsafe-fixes`` and the applier behind them.

Per-fix cases are fixtures in ``fixtures/fixes/<rule-name>.md`` (markdown-it-py's format): a
title, the docset (``=== path`` starts another file; the text before it is ``page.md``; a
``=== .unsafe`` pseudo-file asks for unsafe fixes, ``=== .rules`` names more rules to run), and
the files as they must be after ``--fix`` (files not named there must not change).
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it.utils import read_fixture_file

from conftest import only_rules, split_files, write_tree
from playbooklint import fixes
from playbooklint.api import fix
from playbooklint.atomic import write_atomic
from playbooklint.cli import cli
from playbooklint.engine import RunOptions
from playbooklint.engine import lint as engine_lint
from playbooklint.model import Edit, Fix
from playbooklint.rules import links

FIXTURES = Path(__file__).parent / "fixtures" / "fixes"


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under the root (the cache left out), by POSIX path."""
    found = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".playbooklint_cache"]
        for name in names:
            path = Path(folder) / name
            if not path.is_symlink():
                found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


def fix_tree(root: Path, *paths: str, rules: tuple[str, ...] | None = None, unsafe: bool = False,
             write: bool = True):
    """api.fix on a tree, from its root (only ``rules`` when given)."""
    overrides = {"rules": only_rules(*rules)} if rules is not None else None
    cwd = os.getcwd()
    try:
        os.chdir(root)
        return fix([Path(p) for p in paths] or [root], overrides=overrides, unsafe=unsafe, write=write, cache=False)
    finally:
        os.chdir(cwd)


# ---------------------------------------------------------------------- per-fix cases


def _cases():
    for path in sorted(FIXTURES.glob("*.md")):
        for line, title, source, expected in read_fixture_file(path):
            yield pytest.param(path.stem, source, expected, id=f"{path.stem}:{line + 1}:{title}")


@pytest.mark.parametrize(("rule", "source", "expected"), list(_cases()))
def test_fix_fixture(tmp_path: Path, rule: str, source: str, expected: str) -> None:
    files = split_files(source)
    extra = tuple(str(files.pop(".rules", "")).split())
    unsafe = files.pop(".unsafe", None) is not None
    write_tree(tmp_path, files)
    before = snapshot(tmp_path)
    result = fix_tree(tmp_path, rules=(rule, *extra), unsafe=unsafe)
    after = snapshot(tmp_path)
    wanted = {name: str(text).encode() for name, text in split_files(expected).items()}
    assert {name: after[name] for name in wanted} == wanted
    assert {n: b for n, b in after.items() if n not in wanted} == {n: b for n, b in before.items() if n not in wanted}
    assert result.fixes is not None and result.fixes.fixed > 0
    again = fix_tree(tmp_path, rules=(rule, *extra), unsafe=unsafe)
    assert again.fixes is not None and again.fixes.fixed == 0
    assert snapshot(tmp_path) == after


def test_unsafe_fixes_need_asking(tmp_path: Path):
    write_tree(tmp_path, {"page.md": "[a](guide/setup.md) [b](other.md#Exit_Criteria)\n",
                          "how-to/setup.md": "", "other.md": "## Exit criteria\n"})
    before = snapshot(tmp_path)
    result = fix_tree(tmp_path, rules=("link-broken", "link-anchor-missing"))
    assert result.fixes is not None and result.fixes.fixed == 0
    assert snapshot(tmp_path) == before
    assert {d.fix.safe for d in result.diagnostics if d.fix} == {False}


# ---------------------------------------------------------------------- lossless


def _page(link: str, newline: str) -> str:
    lines = ["# Café ☕", "", "Emoji 😀 before [the link](" + link + ") and after.", "", "```", "[x](Phase.md)",
             "```", "last line, no newline"]
    return newline.join(lines[:3]) + "\n" + "\r".join(lines[3:5]) + "\r\n" + newline.join(lines[5:])


@pytest.mark.parametrize(("encoding", "bom", "newline"), [
    ("utf-8", b"", "\n"),
    ("utf-8", b"", "\r\n"),
    ("utf-8", b"\xef\xbb\xbf", "\r\n"),
    ("utf-16-le", b"\xff\xfe", "\r\n"),
    ("utf-16-be", b"\xfe\xff", "\n"),
])
def test_only_the_edited_characters_change(tmp_path: Path, encoding: str, bom: bytes, newline: str):
    write_tree(tmp_path, {"phase.md": "# Phase\n"})
    page = tmp_path / "page.md"
    page.write_bytes(bom + _page("./Phase.md#x", newline).encode(encoding))
    page.chmod(0o640)
    result = fix_tree(tmp_path, rules=("link-case-mismatch",))
    assert result.fixes is not None and result.fixes.fixed == 1, result.fixes
    assert page.read_bytes() == bom + _page("./phase.md#x", newline).encode(encoding)
    assert stat.S_IMODE(page.stat().st_mode) == 0o640
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]


def test_text_round_trip_and_positions():
    text = fixes.Text.decode("a\r\nbé\rc\n".encode())
    assert text is not None and text.encode() == "a\r\nbé\rc\n".encode()
    assert text.starts == (0, 3, 6, 8)
    assert text.offset(2, 2) == 4 and text.position(4) == (2, 2)
    assert text.line_end(1) == 1 and text.line_end(2) == 5 and text.offset(1, 3) is None
    assert fixes.Text.decode(b"\xff\xfe\x00") is None  # half a UTF-16 code unit
    assert fixes.Text.decode(b"bad \xc3 utf-8") is None


def test_an_edit_found_twice_or_nowhere_is_not_made():
    text = fixes.Text.of("[a.md](a.md) [b](c)\n")
    anywhere = Edit("p.md", 1, 1, 1, 13, "a.md", "A.md", r"(?s).*", r"(?s).*")
    assert fixes.locate(text, anywhere) is None
    pinned = anywhere._replace(before=r"(?s).*\]\(", after=r"\)")
    assert fixes.locate(text, pinned) == fixes.Span(7, 11, "A.md")
    assert fixes.locate(text, pinned._replace(expected="zzz")) is None
    assert fixes.locate(text, pinned._replace(replacement="x\ny")) is None


def test_fix_text_applies_the_first_of_overlapping_fixes():
    second = Fix((Edit("p.md", 1, 2, 1, 3, "b", "Y"),))
    first = Fix((Edit("p.md", 1, 1, 1, 4, "abc", "X"),))
    third = Fix((Edit("p.md", 1, 5, 1, 6, "d", "Z"),))
    assert fixes.fix_text("abc d\n", [second, first, third]) == "X Z\n"


# ---------------------------------------------------------------------- where nothing is written


def test_a_symlinked_file_is_not_written_through(tmp_path: Path):
    write_tree(tmp_path, {"real.md": "[a](Phase.md)\n", "phase.md": "# Phase\n"})
    (tmp_path / "alias.md").symlink_to("real.md")
    result = fix_tree(tmp_path, rules=("link-case-mismatch",))
    assert (tmp_path / "alias.md").is_symlink()
    assert (tmp_path / "real.md").read_text() == "[a](phase.md)\n"
    assert result.fixes is not None
    reasons = {o.diagnostic.path: o.reason for o in result.fixes.not_applied}
    assert "symbolic link" in reasons["alias.md"]


def test_a_file_under_a_symlinked_folder_is_not_written(tmp_path: Path):
    write_tree(tmp_path, {"folder/page.md": "[a](../Phase.md)\n", "phase.md": "# Phase\n"})
    (tmp_path / "linked").symlink_to("folder", target_is_directory=True)
    result = fix_tree(tmp_path, rules=("link-case-mismatch",))
    assert (tmp_path / "folder" / "page.md").read_text() == "[a](../phase.md)\n"
    assert result.fixes is not None
    assert all("symbolic link" in o.reason for o in result.fixes.not_applied if o.diagnostic.path.startswith("linked/"))


def test_an_edit_outside_the_docset_is_refused(tmp_path: Path, monkeypatch):
    write_tree(tmp_path / "docs", {"page.md": "[a](Phase.md)\n", "phase.md": "# Phase\n"})
    write_tree(tmp_path, {"outside.md": "[a](Phase.md)\n"})

    def escaping(docset, source, item, resolved):
        return Fix((Edit("../outside.md", 1, 1, 1, 14, "Phase.md", "phase.md", r"(?s).*\]\(", r"\)"),))

    monkeypatch.setattr(links, "case_fix", escaping)
    result = fix_tree(tmp_path / "docs", rules=("link-case-mismatch",))
    assert (tmp_path / "outside.md").read_text() == "[a](Phase.md)\n"
    assert (tmp_path / "docs" / "page.md").read_text() == "[a](Phase.md)\n"
    assert result.fixes is not None and result.fixes.fixed == 0
    assert "not one of the docset's checked files" in result.fixes.not_applied[0].reason


def test_an_interrupted_write_leaves_the_original(tmp_path: Path, monkeypatch):
    write_tree(tmp_path, {"page.md": "[a](Phase.md)\n", "phase.md": "# Phase\n"})
    before = snapshot(tmp_path)

    def crash(src, dst):
        raise KeyboardInterrupt  # between writing the temporary file and renaming it

    monkeypatch.setattr("playbooklint.atomic.os.replace", crash)
    with pytest.raises(KeyboardInterrupt):
        fix_tree(tmp_path, rules=("link-case-mismatch",))
    assert snapshot(tmp_path) == before
    assert not [p for p in tmp_path.rglob(".tmp-*")]


def test_a_failed_write_is_reported(tmp_path: Path, monkeypatch):
    write_tree(tmp_path, {"page.md": "[a](Phase.md)\n", "phase.md": "# Phase\n"})
    before = snapshot(tmp_path)

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("playbooklint.atomic.os.replace", refuse)
    result = fix_tree(tmp_path, rules=("link-case-mismatch",))
    assert snapshot(tmp_path) == before
    assert result.fixes is not None and result.fixes.fixed == 0 and result.fixes.files == 0
    assert "cannot write the file: Permission denied" in result.fixes.not_applied[0].reason
    assert [d.rule for d in result.diagnostics] == ["link-case-mismatch"]


def test_write_atomic_keeps_the_mode(tmp_path: Path):
    target = tmp_path / "script.md"
    target.write_bytes(b"old")
    target.chmod(0o755)
    write_atomic(target, b"new", keep_mode=True, durable=True)
    assert target.read_bytes() == b"new" and stat.S_IMODE(target.stat().st_mode) == 0o755


def test_a_file_changed_after_the_check_is_not_written(tmp_path: Path):
    write_tree(tmp_path, {"page.md": "[a](Phase.md)\n", "phase.md": "# Phase\n"})
    checked = engine_lint([tmp_path], overrides={"rules": only_rules("link-case-mismatch")},
                          options=RunOptions(cache=False, reuse_results=False))
    (tmp_path / "page.md").write_text("[a](Phase.md) edited meanwhile\n")
    result = fixes.fix_result(checked)
    assert (tmp_path / "page.md").read_text() == "[a](Phase.md) edited meanwhile\n"
    assert result.fixes is not None and result.fixes.fixed == 0
    assert "changed on disk since it was checked" in result.fixes.not_applied[0].reason


def test_a_file_changed_while_fixing_is_not_written(tmp_path: Path, monkeypatch):
    write_tree(tmp_path, {"page.md": "[a](Phase.md)\n", "phase.md": "# Phase\n"})
    real = fixes.run_rules

    def meddling(docset, settings):
        (tmp_path / "page.md").write_text("[a](Phase.md) edited meanwhile\n")
        return real(docset, settings)

    monkeypatch.setattr(fixes, "run_rules", meddling)
    result = fix_tree(tmp_path, rules=("link-case-mismatch",))
    assert (tmp_path / "page.md").read_text() == "[a](Phase.md) edited meanwhile\n"
    assert result.fixes is not None and result.fixes.fixed == 0
    assert "changed on disk while it was being fixed" in result.fixes.not_applied[0].reason


# ---------------------------------------------------------------------- valid


def test_a_fix_that_leaves_its_finding_is_rolled_back(tmp_path: Path, monkeypatch):
    write_tree(tmp_path, {"page.md": "[text](Phase.md)\n", "phase.md": "# Phase\n"})

    def wrong_place(docset, source, item, resolved):  # edits the link text, not the destination
        return Fix((Edit(source, item.line, item.column, item.end_line, item.end_column, "text", "TEXT",
                         r"\[", r"(?s)\].*"),))

    monkeypatch.setattr(links, "case_fix", wrong_place)
    result = fix_tree(tmp_path, rules=("link-case-mismatch",))
    assert (tmp_path / "page.md").read_text() == "[text](Phase.md)\n"
    assert result.fixes is not None and result.fixes.fixed == 0
    assert result.fixes.not_applied[0].reason == "it would leave the finding in place"


def test_a_fix_that_causes_a_new_finding_is_rolled_back(tmp_path: Path):
    write_tree(tmp_path, {"page.md": "[a](notes/note.md) [b](guide/setup.md)\n", "includes/note.md": "text\n",
                          "how-to/setup.md": ""})
    result = fix_tree(tmp_path, rules=("link-broken", "link-to-include"), unsafe=True)
    assert (tmp_path / "page.md").read_text() == "[a](notes/note.md) [b](how-to/setup.md)\n"
    assert result.fixes is not None and result.fixes.fixed == 1
    (rolled_back,) = result.fixes.not_applied
    assert rolled_back.reason.startswith("it would cause a new finding: link-to-include at 1:1")


def test_a_fix_that_moves_the_structure_is_rolled_back(tmp_path: Path):
    phases = "".join(f"{n}. [P{n}](p{n}.md)\n" for n in range(1, 11))
    files = {"index.md": "## Phases\n" + phases, **{f"p{n}.md": f"# P{n}\n" for n in range(1, 11)}}
    # 9 -> 10 widens the marker: the nested list under it would no longer be nested
    files["model.md"] = "".join(f"{n}. [P{n}](p{n}.md)\n" for n in range(1, 10)) + "9. [P10](p10.md)\n   - nested\n"
    write_tree(tmp_path, files)
    result = fix_tree(tmp_path, rules=("phase-numbering",))
    assert (tmp_path / "model.md").read_text() == files["model.md"]
    assert result.fixes is not None and result.fixes.fixed == 0
    assert "structure" in result.fixes.not_applied[0].reason


def test_overlapping_fixes_are_applied_one_after_the_other(tmp_path: Path):
    write_tree(tmp_path, {"page.md": "[a](Phase.md#x?view=1)\n", "phase.md": "# Phase\n\n## X\n"})
    result = fix_tree(tmp_path, rules=("link-case-mismatch", "link-fragment-query"))
    assert (tmp_path / "page.md").read_text() == "[a](phase.md?view=1#x)\n"
    assert result.fixes is not None and result.fixes.fixed == 2 and not result.fixes.not_applied
    assert result.diagnostics == []
    before = snapshot(tmp_path)
    assert fix_tree(tmp_path, rules=("link-case-mismatch", "link-fragment-query")).fixes.fixed == 0
    assert snapshot(tmp_path) == before


def test_an_escaped_target_is_left_and_said_so(tmp_path: Path):
    write_tree(tmp_path, {"page.md": "[a](Phase\\-One.md)\n", "phase-one.md": "# P\n"})
    result = fix_tree(tmp_path, rules=("link-case-mismatch",))
    assert (tmp_path / "page.md").read_text() == "[a](Phase\\-One.md)\n"
    assert result.fixes is not None
    assert "not where the finding is" in result.fixes.not_applied[0].reason


# ---------------------------------------------------------------------- command line


def _runner() -> CliRunner:
    """A runner keeping stdout and stderr apart (click 8.2 always does; 8.1 when asked)."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


FRONT = "---\ntitle: T\ndescription: D\nms.date: 1/31/2024\n---\n"


def _cli_tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "docs", {
        "index.md": FRONT + "# Home\n\n[Assess](Phase-Assess.md) [T](TOC.yml)\n",
        "phase-assess.md": FRONT + "# Assess\n\n[Home](index.md#home)\n",
        "toc.yml": "- name: Home\n  href: INDEX.md\n- name: Assess\n  href: phase-assess.md\n",
    })


def test_cli_diff_writes_nothing_and_exits_1(tmp_path: Path, monkeypatch):
    root = _cli_tree(tmp_path)
    before = snapshot(root)
    monkeypatch.chdir(tmp_path)
    result = _runner().invoke(cli, ["check", "docs", "--diff"])
    assert result.exit_code == 1, result.output
    assert snapshot(root) == before
    assert "--- a/docs/index.md\n+++ b/docs/index.md\n" in result.stdout
    assert "-[Assess](Phase-Assess.md) [T](TOC.yml)\n+[Assess](phase-assess.md) [T](toc.yml)\n" in result.stdout
    assert "Would fix 3 problems in 2 files." in result.stderr
    assert CliRunner().invoke(cli, ["check", "docs", "--fix"]).exit_code == 0
    again = _runner().invoke(cli, ["check", "docs", "--diff"])
    assert again.exit_code == 0 and again.stdout == "" and "No fixes to apply." in again.stderr


def test_cli_fix_reports_and_exits_on_what_remains(tmp_path: Path, monkeypatch):
    root = _cli_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    hint = CliRunner().invoke(cli, ["check", "docs"])
    assert "3 fixable with --fix." in hint.output
    result = CliRunner().invoke(cli, ["check", "docs", "--fix"])
    assert result.exit_code == 0, result.output  # only warnings were left... and they are fixed
    assert result.output.rstrip().endswith("Fixed 3 problems in 2 files; 0 remain.")
    assert (root / "toc.yml").read_text().startswith("- name: Home\n  href: index.md\n")
    (root / "index.md").write_text(FRONT + "# Home\n\n[Assess](Phase-Assess.md) [x](gone.md)\n")
    failing = CliRunner().invoke(cli, ["check", "docs", "--fix"])
    assert failing.exit_code == 1
    assert "Fixed 1 problem in 1 file; 1 remains." in failing.output


def test_cli_fix_json_lists_applied_fixes(tmp_path: Path, monkeypatch):
    _cli_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "docs", "--fix", "--format", "json"])
    payload = json.loads(result.output)
    assert payload["diagnostics"] == []
    assert payload["fixes"]["fixed"] == 3 and payload["fixes"]["written"] is True
    first = payload["fixes"]["applied"][0]
    assert first["file"] == "docs/index.md" and first["rule"] == "link-case-mismatch"
    assert first["edits"] == [{"line": 8, "column": 10, "end_column": 25, "old": "Phase-Assess.md",
                               "new": "phase-assess.md"}]


def test_cli_json_shows_which_findings_can_be_fixed(tmp_path: Path, monkeypatch):
    _cli_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    payload = json.loads(CliRunner().invoke(cli, ["check", "docs", "--format", "json"]).output)
    fixable = [d["fix"] for d in payload["diagnostics"] if "fix" in d]
    assert fixable[0] == {"applicability": "safe", "message": "write 'phase-assess.md'"}


def test_cli_unsafe_fixes_alone_is_a_usage_error(tmp_path: Path):
    result = CliRunner().invoke(cli, ["check", str(_cli_tree(tmp_path)), "--unsafe-fixes"])
    assert result.exit_code == 2
    assert "--unsafe-fixes applies with --fix or --diff" in result.output


# ---------------------------------------------------------------------- property

NAMES = ["alpha", "Beta", "gamma-ray", "Delta_X", "epsilon"]


@st.composite
def defective_docsets(draw):
    """A small playbook: an index listing phases (numbering defects injected), pages in folders
    linking to each other with the case of some path segments changed, LF or CRLF, BOM or not."""
    count = draw(st.integers(min_value=2, max_value=5))
    folders = draw(st.lists(st.sampled_from(["", "guides", "Deep/Er"]), min_size=count, max_size=count))
    pages = [f"{folder}/{NAMES[i]}.md".lstrip("/") for i, folder in enumerate(folders)]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.booleans())

    def flip(path: str) -> str:
        parts = path.split("/")
        return "/".join(draw(st.sampled_from([p, p.upper(), p.swapcase()])) for p in parts)

    numbers = list(range(1, count + 1))
    if draw(st.booleans()):
        numbers[draw(st.integers(0, count - 1))] += draw(st.integers(1, 3))
    items = [f"{n}. [{NAMES[i]}]({flip(page)})" for i, (n, page) in enumerate(zip(numbers, pages))]
    files = {"index.md": newline.join(["# Home", "", "## Phases", "", *items, ""])}
    for i, page in enumerate(pages):
        depth = page.count("/")
        targets = draw(st.lists(st.sampled_from(pages), max_size=3))
        body = [f"# {NAMES[i]}", ""]
        for target in targets:
            written = "../" * depth + flip(target)
            body.append(f"See [{target}]({written}) and `{written}`.")
        body += ["", "```", f"[x]({flip(page)})", "```", ""]
        text = newline.join(body)
        files[page] = ("\ufeff" if bom else "") + text
    return files


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(defective_docsets())
def test_fix_then_check_finds_none_of_the_defects_and_nothing_new(files):
    fixed_rules = {"link-case-mismatch", "phase-numbering"}
    with tempfile.TemporaryDirectory() as folder:
        root = write_tree(Path(folder), files)
        before = engine_lint([root], options=RunOptions(cache=False)).diagnostics
        result = fix_tree(root)
        after = engine_lint([root], options=RunOptions(cache=False)).diagnostics
        assert not [d for d in after if d.rule in fixed_rules], after
        assert {(d.path, d.rule) for d in after} <= {(d.path, d.rule) for d in before}
        assert result.fixes is not None
        assert result.fixes.fixed == len([d for d in before if d.rule in fixed_rules])
        assert {(d.path, d.rule, d.message) for d in result.diagnostics} == {(d.path, d.rule, d.message) for d in after}
        written = snapshot(root)
        again = fix_tree(root)
        assert again.fixes is not None and again.fixes.fixed == 0
        assert snapshot(root) == written
        for name, text in files.items():  # only link destinations and list numbers changed
            old, new = text.split("\n"), written[name].decode("utf-8").split("\n")
            assert len(old) == len(new)
            for a, b in zip(old, new):
                assert re.sub(r"^\d+", "", a).lower() == re.sub(r"^\d+", "", b).lower()
                assert re.findall(r"`[^`]*`", a) == re.findall(r"`[^`]*`", b)  # inline code untouched
                assert a == b or not a.startswith("[x]("), "a link in a code fence was changed"

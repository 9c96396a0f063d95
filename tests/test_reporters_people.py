"""The reports for people beyond text and concise: ``--format full`` (source line and caret) and
``--statistics`` (findings per rule), with golden outputs from a fixed small tree."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from playbooklint.cli import cli
from playbooklint.config import Config
from playbooklint.engine import DocsetResult, RunResult
from playbooklint.model import Diagnostic, Edit, Fix
from playbooklint.reporters import render, render_full, render_statistics

GOLDEN = Path(__file__).resolve().parent / "golden"
PAGE = (
    "---\ntitle: Assess\n---\n# Assess\n\nSee below.\n"
    "[gone](gone.md) and more\n"
    "\n"
    "\t- [tabbed](gone.md)\n"
    "\n"
    "\n"
    "Ünïcode [x](50%,a:b;c])\n"
)
FIX = Fix((Edit("phase assess.md", 7, 8, 7, 15, "gone.md", "Gone.md"),))


def tree(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    root.mkdir()
    (root / "phase assess.md").write_text(PAGE, encoding="utf-8")
    (root / "binary.md").write_bytes(b"a\x00b\n")  # unreadable: no source line
    return root


def result(root: Path) -> RunResult:
    diagnostics = [
        Diagnostic("binary.md", 1, 2, "PB001", "file-unreadable", "error", "binary file (NUL byte), not checked"),
        Diagnostic("missing.md", 3, 1, "PB303", "include-unused", "warning", "include file that nothing includes"),
        Diagnostic("phase assess.md", 7, 1, "PB202", "link-case-mismatch", "warning", "case", 7, 16, FIX),
        Diagnostic("phase assess.md", 9, 4, "PB201", "link-broken", "error", "page 'gone.md' does not exist", 9, 21),
        Diagnostic("phase assess.md", 12, 9, "PB201", "link-broken", "error", "target does not exist", 13, 3),
        Diagnostic("phase assess.md", 40, 1, "PB201", "link-broken", "error", "past the end of the file"),
    ]
    return RunResult([DocsetResult(root, Config(), diagnostics, 3)])


def check_golden(name: str, rendered: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("PLAYBOOKLINT_UPDATE_GOLDEN"):
        golden.write_text(rendered, encoding="utf-8", newline="")
    assert rendered == golden.read_text(encoding="utf-8")


def test_full_golden(tmp_path: Path):
    """Set PLAYBOOKLINT_UPDATE_GOLDEN=1 to rewrite tests/golden (then read the diff)."""
    check_golden("report.full.txt", render_full(result(tree(tmp_path)), cwd=tmp_path))


def test_full_caret_under_column(tmp_path: Path):
    lines = render_full(result(tree(tmp_path)), cwd=tmp_path).splitlines()
    at = lines.index("docs/phase assess.md:9:4: error page 'gone.md' does not exist [link-broken]")
    assert lines[at + 1] == " 9 | \t- [tabbed](gone.md)"
    assert lines[at + 2] == "   | \t  ^^^^^^^^^^^^^^^^^"  # the tab kept, so the caret lines up
    at = lines.index("docs/phase assess.md:12:9: error target does not exist [link-broken]")
    assert lines[at + 2].endswith("        ^")  # a span over two lines: one caret
    assert "docs/binary.md:1:2: error binary file (NUL byte), not checked [file-unreadable]" in lines
    assert lines[lines.index("docs/binary.md:1:2: error binary file (NUL byte), not checked [file-unreadable]") + 1] == ""


def test_statistics_golden(tmp_path: Path):
    check_golden("report.statistics.txt", render_statistics(result(tree(tmp_path)), cwd=tmp_path))


def test_statistics_sorted_by_count(tmp_path: Path):
    lines = render_statistics(result(tree(tmp_path)), cwd=tmp_path).splitlines()
    assert lines[0] == "3  PB201  link-broken"
    assert lines[1] == "1  PB001  file-unreadable"
    assert lines[2] == "1  PB202  link-case-mismatch  [*] 1 fixable"


def test_statistics_json(tmp_path: Path):
    run = result(tree(tmp_path))
    payload = json.loads(render("json", run, cwd=tmp_path, with_statistics=True))
    assert payload["statistics"][0] == {"count": 3, "code": "PB201", "name": "link-broken", "fixable": 0}
    assert {"count": 1, "code": "PB202", "name": "link-case-mismatch", "fixable": 1} in payload["statistics"]
    assert len(payload["diagnostics"]) == 6
    assert "statistics" not in json.loads(render("json", run, cwd=tmp_path))


def playbook(tmp_path: Path) -> Path:
    root = tmp_path / "pb"
    root.mkdir()
    (root / "index.md").write_text("---\ntitle: Home\n---\n# Home\n\n[a](a.md) [b](missing.md) [c](gone.md)\n",
                                   encoding="utf-8")
    (root / "a.md").write_text("---\ntitle: A\n---\n# A\n", encoding="utf-8")
    return root


def test_cli_statistics_and_output_format_alias(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = playbook(tmp_path)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    out = runner.invoke(cli, ["check", "pb", "--no-cache", "--statistics", "--select", "link-broken"])
    assert out.exit_code == 1, out.output
    assert out.output.splitlines()[0] == "2  PB201  link-broken"
    out = runner.invoke(cli, ["check", "pb", "--no-cache", "--output-format", "full", "--select", "link-broken"])
    assert out.exit_code == 1, out.output
    assert " 6 | [a](a.md) [b](missing.md) [c](gone.md)" in out.output
    assert "\n   | " + " " * 10 + "^" in out.output  # under column 11
    out = runner.invoke(cli, ["check", str(root), "--no-cache", "--statistics", "--format", "sarif"])
    assert out.exit_code == 2
    assert "--statistics applies with" in out.output


def test_no_file_to_check_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    from playbooklint.cli import main

    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "a.png").write_bytes(b"\x89PNG")
    assert main(["check", str(tmp_path / "media"), "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert "no file to check in" in err and "Traceback" not in err
    root = playbook(tmp_path)
    assert main(["check", str(root), "--no-cache", "--select", "orphan-page"]) == 0

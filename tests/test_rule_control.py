"""Rule control from the command line and config, output selection, colour and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import write_tree
from playbooklint.cli import cli, main


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "docs", {
        "index.md": "# Home\n\n[gone](gone.md) [anchor](#nope) [lonely](lonely.md)\n",
        "lonely.md": "---\ntitle: x\n---\n# Lonely\n",
        "drafts/wip.md": "[x](missing.md)\n",
    })


def rules_found(args: list[str], capsys) -> tuple[int, set[str]]:
    code = main(["check", *args, "--format", "json"])
    return code, {d["rule"] for d in json.loads(capsys.readouterr().out)["diagnostics"]}


def test_select_and_ignore_take_names_codes_and_prefixes(root: Path, capsys):
    assert rules_found([str(root), "--select", "link-broken"], capsys) == (1, {"link-broken"})
    assert rules_found([str(root), "--select", "PB2", "--ignore", "PB201,PB208"], capsys)[1] == {"link-anchor-missing"}
    assert rules_found([str(root), "--select", "PB203", "--select", "PB101"], capsys)[1] == \
        {"link-anchor-missing", "front-matter-missing"}
    assert main(["check", str(root), "--select", "PB9"]) == 2
    assert "unknown rule PB9" in capsys.readouterr().err


def test_select_enables_rules_that_are_off_by_default(tmp_path: Path, capsys):
    write_tree(tmp_path, {"index.md": "[old](old.md)\n",
                          ".openpublishing.redirection.json": '{"redirections": [{"source_path": "old.md", "redirect_url": "/x"}]}'})
    assert rules_found([str(tmp_path), "--select", "link-redirected"], capsys) == (0, {"link-redirected"})


def test_strict_and_exit_zero(root: Path, capsys):
    assert main(["check", str(root), "--select", "orphan-page"]) == 0
    assert main(["check", str(root), "--select", "orphan-page", "--strict"]) == 1
    assert main(["check", str(root), "--exit-zero"]) == 0
    capsys.readouterr()


def test_per_file_ignores(root: Path, capsys):
    (root / ".playbooklint.toml").write_text("[per-file-ignores]\n'drafts/**' = ['PB2', 'front-matter-missing']\n'index.md' = ['link-anchor-missing']\n")
    code, found = rules_found([str(root)], capsys)
    payload_paths = set()
    assert "link-anchor-missing" not in found
    main(["check", str(root), "--format", "json"])
    payload_paths = {d["path"] for d in json.loads(capsys.readouterr().out)["diagnostics"]}
    assert "drafts/wip.md" not in payload_paths
    (root / ".playbooklint.toml").write_text("[per-file-ignores]\n'x' = ['nope']\n")
    assert main(["check", str(root)]) == 2


def test_a_failing_rule_becomes_internal_error_and_the_run_goes_on(root: Path, monkeypatch, capsys):
    import dataclasses

    import playbooklint.rules.runner as runner
    from playbooklint.rules import RULES

    def broken(page, docset):
        raise ValueError("bad state")

    patched = tuple(dataclasses.replace(r, check=broken) if r.name == "link-empty" else r for r in RULES)
    monkeypatch.setattr(runner, "RULES", patched)
    code, found = rules_found([str(root)], capsys)
    assert code == 1 and {"internal-error", "link-broken"} <= found
    main(["check", str(root), "--format", "json"])
    messages = [d["message"] for d in json.loads(capsys.readouterr().out)["diagnostics"] if d["rule"] == "internal-error"]
    assert messages and all("rule link-empty failed" in m and "bad state" in m for m in messages)


def test_colour_rules(root: Path, monkeypatch):
    runner = CliRunner()
    plain = runner.invoke(cli, ["check", str(root)]).output
    assert "\x1b[" not in plain
    assert "\x1b[" in runner.invoke(cli, ["check", str(root), "--color", "always"]).output
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in runner.invoke(cli, ["check", str(root)]).output
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in runner.invoke(cli, ["check", str(root)]).output
    assert "\x1b[" in runner.invoke(cli, ["check", str(root), "--color", "always"]).output


def test_text_groups_by_file_and_concise_does_not(root: Path):
    runner = CliRunner()
    text = runner.invoke(cli, ["check", str(root)]).output.splitlines()
    concise = runner.invoke(cli, ["check", str(root), "--format", "concise"]).output.splitlines()
    findings = [line for line in concise if ": error " in line or ": warning " in line]
    assert [line for line in text if line.strip()][:-1] == findings  # same lines, same order
    assert "" in text[: len(findings) + 1] and "" not in concise
    assert all(line.count(":") >= 3 for line in findings)


def test_github_annotations_are_added_under_github_actions(root: Path, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    output = CliRunner().invoke(cli, ["check", str(root)]).output
    assert "[link-broken]" in output  # the text report is still printed
    assert "::error file=" in output and "title=PB201" in output
    assert "::error" not in CliRunner().invoke(cli, ["check", str(root), "--format", "concise"]).output


def test_output_file(root: Path, tmp_path: Path):
    target = tmp_path / "report.sarif"
    result = CliRunner().invoke(cli, ["check", str(root), "--format", "sarif", "-o", str(target)])
    assert result.exit_code == 1 and result.output == ""
    assert json.loads(target.read_text())["version"] == "2.1.0"
    assert main(["check", str(root), "-o", str(tmp_path / "no" / "dir" / "x.txt")]) == 2


def test_progress_bar_only_on_an_interactive_terminal_outside_ci(monkeypatch):
    import sys

    from playbooklint.cli import _Progress

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    for name in ("CI", "TF_BUILD", "PRE_COMMIT"):
        monkeypatch.delenv(name, raising=False)
    assert _Progress.wanted(disabled=False)
    assert not _Progress.wanted(disabled=True)
    for name in ("CI", "TF_BUILD", "PRE_COMMIT"):
        monkeypatch.setenv(name, "1")
        assert not _Progress.wanted(disabled=False)
        monkeypatch.delenv(name)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert not _Progress.wanted(disabled=False)


def test_progress_bar_appears_only_after_a_second(monkeypatch):
    import playbooklint.cli as cli_module

    clock = [100.0]
    monkeypatch.setattr(cli_module.time, "monotonic", lambda: clock[0])
    bar = cli_module._Progress()
    bar(1, 10)
    assert bar.bar is None  # fast runs never show it
    clock[0] += 1.5
    bar(2, 10)
    assert bar.bar is not None
    bar(10, 10)
    bar.close()


def test_a_folder_above_the_root_checks_the_whole_docset(tmp_path: Path, capsys):
    write_tree(tmp_path, {".playbooklint.toml": "root = 'docs'\n", "docs/index.md": "[x](gone.md)\n",
                          "README.md": "# outside the docset\n"})
    code, found = rules_found([str(tmp_path)], capsys)
    assert code == 1 and "link-broken" in found

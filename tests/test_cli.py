"""The command line: exit codes, output shape, a single file judged in its docset."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from conftest import write_tree
from playbooklint import __version__
from playbooklint.cli import cli, main

GOOD = "---\ntitle: T\ndescription: D\nauthor: ab\nms.author: ab\nms.date: 2/18/2019\nms.topic: playbook\nft.audience: partner\nft.owner: ab\n---\n"


def docset(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "docs", {
        "index.md": GOOD + "# Home\n\n[Assess](phase-assess.md)\n",
        "phase-assess.md": GOOD + "# Assess\n\n[Home](index.md#home)\n",
        "toc.yml": "- name: Home\n  href: index.md\n- name: Assess\n  href: phase-assess.md\n",
    })


def test_clean_docset_exits_0(tmp_path: Path):
    root = docset(tmp_path)
    result = CliRunner().invoke(cli, ["check", str(root)])
    assert result.exit_code == 0, result.output
    assert "No problems found in 3 files." in result.output


def test_errors_exit_1_with_clickable_positions(tmp_path: Path, monkeypatch):
    root = docset(tmp_path)
    (root / "phase-assess.md").write_text(GOOD + "# Assess\n\nSee [x](nothere.md).\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "docs"])
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first == f"docs{os.sep}phase-assess.md:13:5: error page 'nothere.md' does not exist [link-broken]"
    assert "Found 1 error and 0 warnings in 1 file (3 checked)." in result.output


def test_warnings_alone_exit_0(tmp_path: Path):
    root = docset(tmp_path)
    (root / "extra.md").write_text(GOOD + "# Not linked\n")
    result = CliRunner().invoke(cli, ["check", str(root)])
    assert result.exit_code == 0
    assert "[orphan-page]" in result.output


def test_json_format(tmp_path: Path):
    root = docset(tmp_path)
    (root / "index.md").write_text("---\ntitle: T\n---\n# Home\n[x](gone.md)\n")
    result = CliRunner().invoke(cli, ["check", str(root), "--format", "json"])
    payload = json.loads(result.output)
    assert payload["version"] == 1
    assert payload["summary"]["errors"] == len([d for d in payload["diagnostics"] if d["severity"] == "error"])
    first = payload["diagnostics"][0]
    assert set(first) >= {"path", "line", "column", "rule", "code", "severity", "message"}
    assert first["path"] == "index.md"
    assert {d["rule"] for d in payload["diagnostics"]} == {"metadata-required", "link-broken"}


def test_one_file_is_judged_inside_its_docset(tmp_path: Path, monkeypatch):
    root = docset(tmp_path)
    (root / "docfx.json").write_text("{}")
    (root / "sub").mkdir()
    # a title of its own: with docfx.json the Learn pack runs, and title-duplicate would report it
    (root / "sub" / "page.md").write_text(GOOD.replace("title: T", "title: Sub") + "# Sub\n[up](../index.md) [bad](../nope.md)\n")
    (root / "index.md").write_text(GOOD + "[Assess](phase-assess.md) [sub](sub/page.md) [bad](missing.md)\n")
    monkeypatch.chdir(root / "sub")
    result = CliRunner().invoke(cli, ["check", "page.md", "--format", "json"])
    payload = json.loads(result.output)
    # only the file asked about is reported, but its links resolve in the whole docset
    assert [(d["path"], d["rule"]) for d in payload["diagnostics"]] == [("sub/page.md", "link-broken")]
    assert result.exit_code == 1


def test_excluded_file_passed_explicitly_is_skipped(tmp_path: Path):
    root = docset(tmp_path)
    write_tree(root, {".playbooklint.toml": "exclude = ['drafts/**']\n", "drafts/wip.md": "# no front matter\n"})
    result = CliRunner().invoke(cli, ["check", str(root / "drafts" / "wip.md")])
    assert result.exit_code == 0, result.output


def test_usage_errors_exit_2(tmp_path: Path, capsys):
    assert main(["check", str(tmp_path / "missing")]) == 2
    assert main(["check", "--format", "xml", str(tmp_path)]) == 2
    assert main(["frobnicate"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err


def test_version_and_rules_and_explain(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"playbooklint {__version__}"
    assert main(["rules", "--format", "json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    assert {"code": "PB201", "name": "link-broken", "severity": "error"}.items() <= rules[[r["code"] for r in rules].index("PB201")].items()
    assert main(["explain", "PB203"]) == 0
    assert "What it checks" in capsys.readouterr().out
    assert main(["explain", "no-such-rule"]) == 2


def test_internal_error_is_one_line_and_exit_2(monkeypatch, tmp_path: Path, capsys):
    import playbooklint.api as api

    def boom(*args, **kwargs):
        raise RuntimeError("kaput")

    monkeypatch.setattr(api, "lint", boom)
    assert main(["check", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: kaput" in err and "Traceback" not in err


def test_installed_console_script_runs(tmp_path: Path):
    root = docset(tmp_path)
    (root / "index.md").write_text(GOOD + "[x](gone.md)\n")
    script = shutil.which("playbooklint")
    command = [script] if script else [sys.executable, "-m", "playbooklint"]
    done = subprocess.run([*command, "check", str(root), "--format", "json"], capture_output=True, text=True)
    assert done.returncode == 1
    assert json.loads(done.stdout)["diagnostics"][0]["rule"] == "link-broken"
    done = subprocess.run([sys.executable, "-m", "playbooklint", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("playbooklint ")


def test_broken_pipe_is_quiet(tmp_path: Path):
    root = docset(tmp_path)
    for n in range(300):
        (root / f"p{n}.md").write_text("[x](gone.md)\n" * 5)
    proc = subprocess.Popen([sys.executable, "-m", "playbooklint", "check", str(root)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait()
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_bad_files_each_give_a_finding_and_the_run_goes_on(tmp_path: Path, capsys):
    bomb = "---\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n---\n"
    root = docset(tmp_path)
    write_tree(root, {
        "binary.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00",
        "latin1.md": "---\ntitle: Caf\xe9\n---\n".encode("latin-1"),
        "empty.md": b"",
        "bom.md": b"\xef\xbb\xbf" + GOOD.replace("2/18/2019", "2/30/2019").encode(),
        "list.md": b"---\n- a\n- b\n---\n",
        "bomb.md": bomb.encode(),
        "broken-link.md": (GOOD + "[x](gone.md)\n").encode(),
    })
    assert main(["check", str(root), "--format", "json", "--config", str(write_tree(tmp_path, {"c.toml": "[rules]\norphan-page = 'off'\n"}) / "c.toml")]) == 1
    found = {(d["path"], d["rule"]) for d in json.loads(capsys.readouterr().out)["diagnostics"]}
    assert found == {
        ("binary.md", "file-unreadable"),
        ("latin1.md", "file-unreadable"),
        ("empty.md", "front-matter-missing"),
        ("bom.md", "metadata-invalid"),
        ("list.md", "front-matter-invalid"),
        ("bomb.md", "front-matter-invalid"),
        ("broken-link.md", "link-broken"),
    }

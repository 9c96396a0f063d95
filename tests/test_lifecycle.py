"""``playbooklint lifecycle``: what the lifecycle checks compare against."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import write_tree
from playbooklint.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "fasttrack-playbook"
PHASES = ["Presales", "Validation", "Engagement", "Assignment", "Initiate", "Assess", "Remediate", "Enable",
          "Migrate", "Success"]


def test_example_shows_ten_phases_in_order(capsys):
    assert main(["lifecycle", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines() if re.match(r"\s+\d+\. ", line)]
    assert [row[1] for row in rows] == PHASES
    assert [row[-1] for row in rows] == [f"phase-{p.lower()}.md" for p in PHASES]
    assert "model-reactive.md:22  ordered list: phases 3-10" in out
    assert "TOC.yml:20  TOC section: phases 1-10" in out


def test_json_and_out_of_order_listing(tmp_path: Path, capsys):
    write_tree(tmp_path, {
        "index.md": "## Phases\n1. [A](a.md)\n2. [B](b.md)\n3. [C](c.md)\n",
        "model.md": "- [C](c.md)\n- [A](a.md)\n",
        "a.md": "# Alpha\n", "b.md": "---\ntitle: Beta\n---\n", "c.md": "",
    })
    assert main(["lifecycle", str(tmp_path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)["lifecycle"]
    assert [(p["number"], p["title"], p["path"]) for p in data["phases"]] == [
        (1, "Alpha", "a.md"), (2, "Beta", "b.md"), (3, "C", "c.md")]
    assert {"path": "model.md", "kind": "list", "line": 1, "phases": ["c.md", "a.md"]} in data["listings"]
    assert main(["lifecycle", str(tmp_path)]) == 0
    assert "model.md:1  list: phases 3, 1  (out of order)" in capsys.readouterr().out


def test_docset_without_lifecycle(tmp_path: Path, capsys):
    write_tree(tmp_path, {"index.md": "# Home\n## Steps\n1. [A](a.md)\n2. [B](b.md)\n", "a.md": "", "b.md": ""})
    assert main(["lifecycle", str(tmp_path)]) == 0
    assert "No lifecycle" in capsys.readouterr().out
    assert main(["check", str(tmp_path), "--format", "json"]) in (0, 1)
    assert not [d for d in json.loads(capsys.readouterr().out)["diagnostics"] if d["rule"].startswith("phase-")]

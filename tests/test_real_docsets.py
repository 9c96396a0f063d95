"""The bundled example and the shared real DocFX docsets (skipped when ../shared is absent)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from conftest import SHARED, needs_shared
from playbooklint.cli import main
from playbooklint.rules import RULES

LEARN_PACK = {rule.name for rule in RULES if rule.learn}
"""Rules of the Learn validation pack: measured on their own below, not by the schema test."""

ROOT = Path(__file__).resolve().parents[1]


def test_bundled_example_is_clean(capsys):
    assert main(["check", str(ROOT / "examples" / "fasttrack-playbook"), "--no-cache"]) == 0
    assert "No problems found" in capsys.readouterr().out


@needs_shared
def test_shared_example_is_clean(capsys):
    assert main(["check", str(SHARED / "examples" / "fasttrack-playbook")]) == 0


def _run_json(capsys, *args: str) -> dict:
    main(["check", *args, "--format", "json"])
    return json.loads(capsys.readouterr().out)


@needs_shared
@pytest.mark.parametrize("corpus", ["iis-docs/iis", "well-architected/well-architected"])
def test_corpora_metadata_has_no_false_findings(tmp_path: Path, capsys, corpus: str):
    """With title/description/ms.date required (docfx.json metadata merged), published pages pass."""
    (tmp_path / "s.json").write_text(json.dumps({
        "type": "object", "required": ["title", "description", "ms.date"],
        "properties": {"ms.date": {"type": "string", "format": "ms-date"}},
    }))
    (tmp_path / "c.toml").write_text(f"schema = '{(tmp_path / 's.json').as_posix()}'\n")
    payload = _run_json(capsys, str(SHARED / "corpora" / corpus), "--config", str(tmp_path / "c.toml"))
    rules = Counter(d["rule"] for d in payload["diagnostics"] if d["rule"] not in LEARN_PACK)
    assert not {r for r in rules if r.startswith(("metadata", "front-matter", "file-", "internal"))}, rules


@needs_shared
def test_iis_docs_known_problems(capsys):
    payload = _run_json(capsys, str(SHARED / "corpora" / "iis-docs" / "iis"))
    rules = Counter(d["rule"] for d in payload["diagnostics"])
    # measured when the corpus was exported: about 10 missing files, 7 missing anchors, ~570 case differences
    assert rules["link-broken"] == 10
    assert rules["link-anchor-missing"] == 7
    assert 560 <= rules["link-case-mismatch"] <= 580
    assert rules["internal-error"] == 0 and rules["file-unreadable"] == 0
    # two config-reference pages share the title 'Environment Variables <environmentVariables>'
    # (applicationPools/add/ and applicationPoolDefaults/); six linked images without alt text on
    # the Japanese-articles page; two absolute learn.microsoft.com/iis/ links in
    # native-code-api-reference.md; nothing else of the Learn pack
    assert rules["title-duplicate"] == 2
    assert rules["image-alt-missing"] == 6
    assert rules["link-absolute-learn"] == 2
    known = {"title-duplicate", "image-alt-missing", "link-absolute-learn"}
    assert not {r for r in rules if r in LEARN_PACK and r not in known}, rules


@needs_shared
def test_well_architected_metadata_key_typos(capsys):
    """The one page with 'ms. service' and 'ms. subservice' (a space after the dot)."""
    payload = _run_json(capsys, str(SHARED / "corpora" / "well-architected"), "--no-cache",
                        "--select", "PB105,PB106,PB107,PB108")
    found = [(d["path"], d["line"], d["rule"]) for d in payload["diagnostics"]]
    assert found == [("service-guides/azure-functions.md", 8, "metadata-key-typo"),
                     ("service-guides/azure-functions.md", 9, "metadata-key-typo")]


@needs_shared
def test_iis_docs_sarif_validates_clean(tmp_path: Path):
    from playbooklint.config import Config
    from playbooklint.engine import RunOptions, lint
    from playbooklint.reporters import render_sarif
    from test_reporters import find_validator, validate

    if find_validator() is None:
        pytest.skip("sarif-multitool not found (npm install @microsoft/sarif-multitool)")
    # the playbook schema asks every page for ft.* keys: a large log of real findings to validate
    result = lint([SHARED / "corpora" / "iis-docs" / "iis"], config=Config(schema="playbook"),
                  options=RunOptions(cache=False))
    path = tmp_path / "iis.sarif"
    path.write_text(render_sarif(result), encoding="utf-8")
    assert len(json.loads(path.read_text())["runs"][0]["results"]) > 4000
    assert validate(path) == []

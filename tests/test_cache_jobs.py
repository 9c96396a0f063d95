"""Same findings with and without the cache and for any --jobs; the cache heals and is never trusted
blindly."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_tree
from playbooklint.cli import main
from playbooklint.engine import PARALLEL_MIN_FILES, RunOptions, lint

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "fasttrack-playbook"
FIXTURES = Path(__file__).parent / "fixtures" / "rules"


def bigger_docset(tmp_path: Path) -> Path:
    """The example with planted problems, plus enough pages to use worker processes."""
    root = tmp_path / "docs"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".playbooklint_cache"))
    page = root / "phase-assess.md"
    page.write_text(page.read_text() + "\n[x](gone.md) [y](#nope)\n[!INCLUDE [x](includes/missing.md)]\n")
    (root / "index.md").write_text((root / "index.md").read_text().replace("5.  [Initiate]", "6.  [Initiate]"))
    for n in range(PARALLEL_MIN_FILES + 10):
        write_tree(root, {f"extra/p{n:03}.md": f"# Page {n}\n\n[back](../index.md#fasttrack-phases) [bad](p{n + 1:03}.md#x)\n"})
    (root / "binary.md").write_bytes(b"\x00\x01")
    write_tree(root, {
        "lonely.md": "# Nobody links here\n",
        "model-wrong.md": "1. [Assess](phase-assess.md)\n2. [Presales](phase-presales.md)\n",
        "includes/spare.md": "unused\n",
        "index-link.md": "[up](extra/)\n",
        "extra/index.md": "[model](../model-wrong.md)\n",
    })
    return root


def findings(root: Path, **options) -> list[tuple]:
    result = lint([root], options=RunOptions(**options))
    return [(d.path, d.line, d.column, d.code, d.message) for d in result.diagnostics]


def test_same_findings_for_any_jobs_and_with_or_without_cache(tmp_path: Path):
    root = bigger_docset(tmp_path)
    reference = findings(root, jobs=1, cache=False)
    assert {code for *_x, code, _m in reference} >= {"PB201", "PB203", "PB301", "PB403", "PB001"}
    assert findings(root, jobs=2, cache=False) == reference
    assert findings(root, jobs=3, cache=True) == reference  # cold cache, written
    assert (root / ".playbooklint_cache" / ".gitignore").is_file()
    assert findings(root, jobs=1, cache=True) == reference  # warm cache
    assert findings(root, jobs=2, cache=True) == reference


def test_fixture_docsets_agree_with_and_without_cache(tmp_path: Path):
    from markdown_it.utils import read_fixture_file

    from conftest import split_files

    for path in sorted(FIXTURES.glob("*.md"))[:12]:
        for number, (_line, _title, source, _expected) in enumerate(read_fixture_file(path)):
            root = tmp_path / f"{path.stem}-{number}"
            files = split_files(source)
            files.pop(".rules", None)
            write_tree(root, files)
            cold = findings(root, cache=True)
            assert findings(root, cache=True) == cold == findings(root, cache=False)


def test_warm_run_parses_only_what_changed(tmp_path: Path, monkeypatch):
    import playbooklint.pages as pages

    root = bigger_docset(tmp_path)
    findings(root, jobs=1)
    parsed: list[str] = []
    original = pages.parse_bytes

    def spy(rel, *args):
        parsed.append(rel)
        return original(rel, *args)

    monkeypatch.setattr(pages, "parse_bytes", spy)
    page = root / "phase-enable.md"
    page.write_text(page.read_text() + "\n[new](nowhere.md)\n")
    after = findings(root, jobs=1)
    assert parsed == ["phase-enable.md"]
    assert ("phase-enable.md", "PB201") in {(p, c) for p, _l, _c, c, _m in after}


def test_corrupt_forged_or_foreign_cache_is_ignored_and_rewritten(tmp_path: Path):
    root = bigger_docset(tmp_path)
    reference = findings(root)
    folder = root / ".playbooklint_cache"
    shards = sorted(folder.glob("pages-*.bin"))
    (results_file,) = folder.glob("results-*.bin")
    assert len(shards) > 1
    for damage in (b"", b"garbage", shards[0].read_bytes()[:-100], b"PBLC1\n" + b"\0" * 32 + b"not a pickle"):
        for shard in shards:
            shard.write_bytes(damage)
        results_file.unlink()  # so the pages are needed
        assert findings(root) == reference
        assert all(shard.read_bytes().startswith(b"PBLC1\n") and len(shard.read_bytes()) > 100 for shard in shards)
        results_file.write_bytes(damage)
        assert findings(root) == reference
        assert results_file.read_bytes().startswith(b"PBLC1\n")


def test_a_pickle_from_the_repository_is_never_loaded(tmp_path: Path):
    """A pull request could commit a cache file: without this user's key its signature fails."""
    import hashlib
    import hmac
    import pickle

    root = bigger_docset(tmp_path)
    findings(root)
    shards = sorted((root / ".playbooklint_cache").glob("pages-*.bin"))
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    payload = pickle.dumps({"index.md": (b"x", Evil())})
    forged = b"PBLC1\n" + hmac.new(b"k" * 32, payload, hashlib.sha256).digest() + payload
    for cache_file in [*shards, *(root / ".playbooklint_cache").glob("results-*.bin")]:
        cache_file.write_bytes(forged)
    findings(root)
    assert not marker.exists()


def test_cli_cache_options(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.delenv("PLAYBOOKLINT_NO_CACHE")
    root = bigger_docset(tmp_path)
    elsewhere = tmp_path / "cache-here"
    assert main(["check", str(root), "--no-cache", "-j", "2", "--format", "json"]) == 1
    assert not (root / ".playbooklint_cache").exists()
    assert main(["check", str(root), "--cache-dir", str(elsewhere), "--format", "json"]) == 1
    assert list(elsewhere.glob("pages-*.bin"))
    capsys.readouterr()


def test_concurrent_runs_share_the_cache_safely(tmp_path: Path):
    root = bigger_docset(tmp_path)
    command = [sys.executable, "-m", "playbooklint", "check", str(root), "--format", "json", "-j", "1"]
    env = {k: v for k, v in os.environ.items() if k != "PLAYBOOKLINT_NO_CACHE"}
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(4)]
    outputs = [run.communicate() for run in runs]
    assert all(run.returncode == 1 for run in runs), [err for _out, err in outputs]
    payloads = [json.loads(out)["diagnostics"] for out, _err in outputs]
    assert all(p == payloads[0] for p in payloads)
    assert list((root / ".playbooklint_cache").glob("pages-*.bin"))
    again = subprocess.run(command, capture_output=True, env=env)
    assert json.loads(again.stdout)["diagnostics"] == payloads[0]


@pytest.mark.parametrize("jobs", ["0", "-1", "x"])
def test_bad_jobs_is_a_usage_error(tmp_path: Path, jobs: str):
    assert main(["check", str(tmp_path), "--jobs", jobs]) == 2


def test_a_few_files_get_exactly_their_findings_from_the_whole_run(tmp_path: Path):
    root = bigger_docset(tmp_path)
    everything = findings(root, cache=False)
    chosen = ["lonely.md", "model-wrong.md", "includes/spare.md", "phase-assess.md", "extra/index.md",
              "extra/p003.md", "index.md"]
    few = lint([root / c for c in chosen], options=RunOptions(cache=False)).diagnostics
    assert [(d.path, d.line, d.column, d.code, d.message) for d in few] == [f for f in everything if f[0] in chosen]
    assert {d.code for d in few} >= {"PB208", "PB401", "PB303", "PB201", "PB403"}


def test_an_unchanged_run_reuses_its_findings_and_any_change_recomputes(tmp_path: Path, monkeypatch):
    import playbooklint.engine as engine

    root = bigger_docset(tmp_path)
    first = findings(root, jobs=1)
    calls: list[int] = []
    original = engine.run_rules
    monkeypatch.setattr(engine, "run_rules", lambda *a: calls.append(1) or original(*a))
    assert findings(root, jobs=1) == first and calls == []  # nothing changed: no rule ran
    (root / "media" / "phase-flow.png").unlink()  # not a source, but links point at it
    after = findings(root, jobs=1)
    assert calls == [1] and len(after) > len(first)
    assert findings(root, jobs=1, select=("link-broken",)) != after  # other settings, other key
    assert len(calls) == 2


def test_unchanged_real_docset_reuses_findings(tmp_path: Path, monkeypatch):
    """docfx.json globs and redirections are part of the run key: it must be stable."""
    import playbooklint.engine as engine

    root = bigger_docset(tmp_path)
    write_tree(root, {"docfx.json": '{"build": {"fileMetadata": {"ms.topic": {"extra/**": "reference"}},'
                                    ' "content": [{"files": ["**/*.md"], "exclude": ["**/includes/**"]}]}}',
                      ".openpublishing.redirection.json": '{"redirections": []}'})
    first = findings(root, jobs=1)
    calls: list[int] = []
    original = engine.run_rules
    monkeypatch.setattr(engine, "run_rules", lambda *a: calls.append(1) or original(*a))
    assert findings(root, jobs=1) == first and calls == []

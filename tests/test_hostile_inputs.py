"""Hostile settings and content: each input is checked by a real run in a subprocess with a time
limit, which asserts the exit code, the findings, and that no file but the intended ones changed."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import write_tree

DEEP = "[" * 1000 + "]" * 1000
"""2 KB of JSON nested 1,000 deep: deeper than Python's json module can read."""


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (the cache folder left out) -> a digest of its bytes."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and ".playbooklint_cache" not in path.parts:
            found[path.relative_to(folder).as_posix()] = hashlib.blake2b(path.read_bytes()).hexdigest()
    return found


def check(folder: Path, *args: str, timeout: float = 60, cache: bool = False,
          target: Path | None = None) -> tuple[int, list[dict], str, float]:
    """``playbooklint check`` in a subprocess (JSON report): exit code, findings, stderr, seconds.
    Fails when it takes longer than ``timeout`` or changes any file of ``folder``."""
    env = dict(os.environ)
    env.pop("PLAYBOOKLINT_NO_CACHE", None)
    before = snapshot(folder)
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "playbooklint", "check", str(target or folder), "--format", "json", "--no-progress",
         *(() if cache else ("--no-cache",)), *args],
        capture_output=True, text=True, timeout=timeout, env=env, cwd=folder,
    )
    took = time.monotonic() - start
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    assert snapshot(folder) == before, "the run changed a file it must only read"
    findings = json.loads(proc.stdout)["diagnostics"] if proc.stdout.strip() else []
    return proc.returncode, findings, proc.stderr, took


def found(findings: list[dict]) -> set[tuple[str, str]]:
    return {(d["path"], d["rule"]) for d in findings}


PAGE = "---\ntitle: Home\ndescription: The home page.\nms.date: 1/1/2020\n---\n# Home\n\n[gone](gone.md)\n"


# ------------------------------------------------------------------ JSON and YAML nested too deeply


@pytest.mark.parametrize(("name", "text", "where"), [
    ("docfx.json", DEEP, "docfx.json"),
    (".openpublishing.redirection.json", DEEP, ".openpublishing.redirection.json"),
    (".openpublishing.redirection.json", '{"redirections": [{"source_path": ' + "[" * 900 + "]" * 900
     + ', "redirect_url": "/x"}]}', None),
    ("docfx.json", '{"build": {"globalMetadata": {"title": ' + "[" * 200 + "]" * 200 + "}}}", "docfx.json"),
    ("docfx.json", '{"build": {"fileMetadata": {"title": {"**": ' + "[" * 200 + "]" * 200 + "}}}}", "docfx.json"),
    ("docfx.json", '{"build": {"globalMetadata": {"n": ' + "1" * 5000 + "}}}", "docfx.json"),
])
def test_deeply_nested_settings_file_is_a_finding_and_the_run_goes_on(tmp_path: Path, name: str, text: str,
                                                                        where: str | None):
    files = {"index.md": PAGE, name: text}
    files.setdefault("docfx.json", "{}")
    write_tree(tmp_path, files)
    code, findings, _err, _took = check(tmp_path)
    assert code == 1
    assert ("index.md", "link-broken") in found(findings)  # the run went on
    invalid = [d for d in findings if d["rule"] == "config-file-invalid"]
    if where is None:  # an entry without a string source is skipped, as DocFX skips it
        assert invalid == []
    else:
        assert [d["path"] for d in invalid] == [where]
        assert "nested" in invalid[0]["message"] or "not valid JSON" in invalid[0]["message"]


def test_deeply_nested_publish_config_is_a_finding(tmp_path: Path):
    write_tree(tmp_path, {".openpublishing.publish.config.json": DEEP, "index.md": PAGE})
    code, findings, _err, _took = check(tmp_path)
    assert code == 1
    assert {(".openpublishing.publish.config.json", "config-file-invalid"), ("index.md", "link-broken")} \
        <= found(findings)
    message = next(d["message"] for d in findings if d["rule"] == "config-file-invalid")
    assert "nested too deeply" in message


@pytest.mark.parametrize("depth", [150, 900, 5000])
def test_deeply_nested_yaml_in_toc_and_front_matter_is_a_finding(tmp_path: Path, depth: int):
    deep = "[" * depth + "]" * depth
    write_tree(tmp_path, {
        "docfx.json": "{}",
        "index.md": PAGE.replace("ms.date: 1/1/2020\n", f"ms.date: 1/1/2020\nx: {deep}\n"),
        "toc.yml": f"- name: Home\n  href: index.md\n  items: {deep}\n",
        "other.md": PAGE,
    })
    for cache in (False, True, True):  # cold and warm: nothing too deep reaches the cache either
        code, findings, _err, _took = check(tmp_path, cache=cache)
        assert code == 1
        assert {("index.md", "front-matter-invalid"), ("toc.yml", "toc-invalid"), ("other.md", "link-broken")} \
            <= found(findings)
        assert all("nested too deeply" in d["message"] for d in findings if d["rule"].endswith("-invalid"))


@pytest.mark.parametrize(("name", "text"), [
    (".playbooklint.toml", "x = " + "[" * 3000 + "]" * 3000 + "\n"),
    (".playbooklint.toml", "x = " + "1" * 5000 + "\n"),
    (".playbooklint.toml", 'schema = "schema.json"\n'),
])
def test_unreadable_config_is_exit_2_with_a_message(tmp_path: Path, name: str, text: str):
    write_tree(tmp_path, {name: text, "schema.json": '{"properties": ' + DEEP + "}", "index.md": PAGE})
    code, _findings, err, _took = check(tmp_path)
    assert code == 2
    assert err.startswith("playbooklint: ") and ("nested too deeply" in err or "not valid" in err), err


# ------------------------------------------------------------------ YAML tags


PWN = "!!python/object/apply:os.system ['echo owned > {marker}']"


def test_python_tags_in_yaml_are_findings_and_never_run(tmp_path: Path):
    marker = tmp_path / "owned"
    tag = PWN.format(marker=marker)
    write_tree(tmp_path, {
        "docfx.json": "{}",
        "toc.yml": f"- name: Home\n  href: {tag}\n",
        "sub/toc.yml": "items:\n- !!python/object:os.system\n  name: x\n  href: ../index.md\n",
        "index.md": f"---\ntitle: {tag}\ndescription: d\nms.date: 1/1/2020\nzone_pivot_groups: langs\n---\n# Home\n",
        "pivots.md": "---\ntitle: P\ndescription: d\nms.date: 1/1/2020\nzone_pivot_groups: langs\n---\n# P\n"
                     "::: zone pivot=\"python\"\n::: zone-end\n[home](index.md)\n",
        "zone-pivot-groups.yml": f"groups:\n- id: langs\n  pivots:\n  - id: {tag}\n",
    })
    code, findings, _err, _took = check(tmp_path)
    assert code == 1
    assert not marker.exists()
    invalid = {(d["path"], d["rule"]): d["message"] for d in findings if d["rule"].endswith("-invalid")}
    assert set(invalid) == {("toc.yml", "toc-invalid"), ("sub/toc.yml", "toc-invalid"),
                            ("index.md", "front-matter-invalid")}
    assert all("tag 'tag:yaml.org,2002:python/object" in message for message in invalid.values())
    # a zone pivot groups file that cannot be read checks nothing (as one that is missing)
    assert not [d for d in findings if d["rule"] == "zone-pivot-unknown"]


# ------------------------------------------------------------------ a million redirections


def test_big_redirection_file_is_parsed_once_and_cached(tmp_path: Path):
    count = 200_000
    entries = ",\n".join(f'{{"source_path":"old/p{i:06d}.md","redirect_url":"/new/p{i:06d}"}}' for i in range(count))
    write_tree(tmp_path, {
        ".openpublishing.redirection.json": '{"redirections":[\n' + entries + "\n]}\n",
        "docfx.json": "{}",
        "index.md": PAGE + "[moved](old/p000007.md) [moved too](old/p199999.md) [never](old/p200000.md)\n",
        ".playbooklint.toml": "[rules]\nlink-redirected = 'warning'\n",
    })
    cold = check(tmp_path, cache=True, timeout=120)
    cached = list((tmp_path / ".playbooklint_cache").glob("redirects-*.bin"))
    assert len(cached) == 1
    warm = check(tmp_path, cache=True, timeout=120)
    assert cold[0] == warm[0] == 1
    assert cold[1] == warm[1]
    broken = sorted(d["message"].split("'")[1] for d in cold[1] if d["rule"] == "link-broken")
    assert broken == ["gone.md", "old/p200000.md"]
    assert len([d for d in cold[1] if d["rule"] == "link-redirected"]) == 2
    # an edit of the file is seen: parsed again, and still one cache file for it
    path = tmp_path / ".openpublishing.redirection.json"
    path.write_text(path.read_text().replace("old/p000007.md", "old/q000007.md"))
    edited = check(tmp_path, cache=True, timeout=120)
    assert sorted(d["message"].split("'")[1] for d in edited[1] if d["rule"] == "link-broken") \
        == ["gone.md", "old/p000007.md", "old/p200000.md"]
    assert len(list((tmp_path / ".playbooklint_cache").glob("redirects-*.bin"))) == 1


def test_a_cached_redirection_file_from_the_repository_is_never_trusted(tmp_path: Path):
    write_tree(tmp_path, {
        ".openpublishing.redirection.json": '{"redirections":[{"source_path":"old.md","redirect_url":"/x"}]}',
        "docfx.json": "{}", "index.md": PAGE + "[old](old.md)\n",
    })
    check(tmp_path, cache=True)
    for cached in (tmp_path / ".playbooklint_cache").glob("redirects-*.bin"):
        blob = cached.read_bytes()
        cached.write_bytes(blob[:-8] + b"tampered")  # a forged file: its signature no longer verifies
    code, findings, _err, _took = check(tmp_path, cache=True)
    assert ("index.md", "link-broken") in found(findings)
    assert not any("old.md" in d["message"] for d in findings if d["rule"] == "link-broken")


# ------------------------------------------------------------------ user schemas


EVIL = "^(a+)+$"
"""Exponential for a backtracking engine on 'aaa...!'."""


EVIL_TEXT = "a" * 40 + "!"


@pytest.mark.parametrize(("schema", "title", "invalid"), [
    ({"properties": {"title": {"type": "string", "pattern": EVIL}}}, EVIL_TEXT, True),
    ({"properties": {"title": {"$ref": "defs.json#/$defs/t"}}}, EVIL_TEXT, True),
    ({"patternProperties": {EVIL: {"type": "integer"}}}, EVIL_TEXT, False),  # the key does not match
    ({"properties": {"title": {}, "description": {}, "ms.date": {}}, "patternProperties": {EVIL: {}},
      "additionalProperties": False}, EVIL_TEXT, True),  # the key is not allowed
    ({"properties": {"title": {"type": "object", "propertyNames": {"pattern": EVIL}}}},
     f"\n  {EVIL_TEXT}: 1", True),
])
def test_catastrophic_patterns_in_a_user_schema_finish(tmp_path: Path, schema: dict, title: str, invalid: bool):
    write_tree(tmp_path, {
        "schema.json": json.dumps({"type": "object", **schema}),
        "defs.json": json.dumps({"$defs": {"t": {"type": "string", "pattern": EVIL}}}),
        ".playbooklint.toml": 'schema = "schema.json"\n',
        "index.md": f"---\ntitle: {title}\ndescription: d\nms.date: 1/1/2020\n{EVIL_TEXT}: x\n---\n# Home\n",
    })
    code, findings, _err, took = check(tmp_path, timeout=60)  # Python's re: years for each
    assert (code, [d["rule"] for d in findings]) == ((1, ["metadata-invalid"]) if invalid else (0, []))
    assert took < 30


def test_page_values_checked_as_regex_are_compiled_in_bounded_time(tmp_path: Path):
    schema = {"type": "object", "properties": {"title": {"type": "string", "format": "regex"}}}
    write_tree(tmp_path, {
        "schema.json": json.dumps(schema), ".playbooklint.toml": 'schema = "schema.json"\n',
        "index.md": "---\ntitle: '" + "(" * 3000 + "a" + ")" * 3000 + "'\n---\n# Home\n[ok](ok.md) [bad](bad.md)\n",
        "ok.md": "---\ntitle: '^(a+)+$'\n---\n# OK\n",
        "bad.md": "---\ntitle: '(unclosed'\n---\n# Bad\n",
        "big.md": "---\ntitle: '" + "a{1000}" * 1000 + "'\n---\n# Big\n[home](index.md)\n",
    })
    code, findings, err, took = check(tmp_path)
    assert code == 1 and took < 30
    assert {(d["path"], d["rule"]) for d in findings if d["rule"] != "orphan-page"} \
        == {("bad.md", "metadata-invalid"), ("big.md", "metadata-invalid")}
    assert "re2" not in err.lower() and err == ""  # RE2 prints nothing of its own


@pytest.mark.parametrize(("schema", "message"), [
    ({"properties": {"title": {"pattern": "^a(?=b)"}}}, "pattern '^a(?=b)' cannot be used"),
    ({"properties": {"title": {"pattern": "(a)\\1"}}}, "RE2 has no lookaround or backreferences"),
    ({"patternProperties": {"^x": {}}, "unevaluatedProperties": False}, "unevaluatedProperties"),
    ({"properties": {"title": {"$ref": "missing.json"}}}, "$ref 'missing.json' cannot be resolved"),
    ({"properties": {"a": {"items": {"$ref": "#/$defs/nope"}}}}, "$ref '#/$defs/nope' cannot be resolved"),
    ({"properties": {"a": {"$ref": "deep.json"}}}, "$ref 'deep.json' cannot be resolved"),
    ({"properties": {"a": {"$ref": "../outside.json"}}}, "$ref '../outside.json' cannot be resolved"),
])
def test_unusable_user_schema_is_exit_2_naming_the_problem(tmp_path: Path, schema: dict, message: str):
    write_tree(tmp_path, {"outside.json": "{}"})
    write_tree(tmp_path / "docs", {
        "schema.json": json.dumps(schema), ".playbooklint.toml": 'schema = "schema.json"\n',
        "deep.json": DEEP, "index.md": "---\ntitle: T\n---\n# Home\n",
    })
    code, findings, err, _took = check(tmp_path / "docs")
    assert code == 2 and findings == []
    assert err.startswith("playbooklint: ") and message in err and "schema.json" in err, err


@pytest.mark.parametrize(("author", "valid"), [
    ("ab", True), ("a-b-c", True), ("a" * 39, True), ("A1-b2", True),
    ("a--b", False), ("-ab", False), ("ab-", False), ("a" * 40, False), ("a_b", False), ("", False),
])
def test_bundled_playbook_schema_still_checks_github_user_names(author: str, valid: bool):
    from playbooklint.schema import load_validator

    validator = load_validator("playbook")
    errors = [e for e in validator.iter_errors({"author": author}) if list(e.absolute_path) == ["author"]]
    assert (not errors) is valid


# ------------------------------------------------------------------ include bombs


def include_bomb(levels: int, fan_out: int = 10) -> dict[str, str]:
    """Includes that each include the next one ``fan_out`` times: ``fan_out ** levels`` copies of
    the last one on a page that includes the first (2 KB for eight levels)."""
    files = {f"includes/i{n}.md": f"## Level {n}\n\n" + f"[!INCLUDE [next](i{n + 1}.md)]\n\n" * fan_out
             for n in range(levels)}
    files[f"includes/i{levels}.md"] = "## Leaf\n\nText.\n"
    return files


@pytest.mark.parametrize("levels", [8, 9, 12])
def test_include_bombs_are_checked_in_time_linear_in_the_include_graph(tmp_path: Path, levels: int):
    last = 10 ** levels - 1
    files = include_bomb(levels)
    files["docfx.json"] = "{}"
    files["index.md"] = (
        "---\ntitle: Home\ndescription: d\nms.date: 1/1/2020\n---\n# Home\n\n[!INCLUDE [bomb](includes/i0.md)]\n\n"
        f"[missing](#no-such-anchor) [first](#level-0) [numbered](#level-3-999) [last leaf](#leaf-{last})\n"
        f"[one too many](#leaf-{last + 1}) [level 0 is there once](#level-0-1) [other](other.md)\n"
    )
    files["other.md"] = "---\ntitle: Other\ndescription: d\nms.date: 1/1/2020\n---\n# Other\n\n" \
                        "[!INCLUDE [bomb](includes/i1.md)]\n\n[there](index.md#leaf-7) [not](index.md#nope)\n"
    write_tree(tmp_path, files)
    code, findings, _err, took = check(tmp_path, timeout=60)
    assert took < 30
    assert code == 1
    anchors = {(d["path"], d["message"].split("'")[1]) for d in findings if d["rule"] == "link-anchor-missing"}
    assert anchors == {("index.md", "#level-0-1"), ("index.md", "#no-such-anchor"), ("other.md", "#nope"),
                       ("index.md", f"#leaf-{last + 1}")}
    assert {d["rule"] for d in findings} == {"link-anchor-missing"}, findings


def test_include_bomb_with_a_cycle_zones_and_an_unused_include(tmp_path: Path):
    files = include_bomb(8)
    files["includes/i8.md"] = "::: zone pivot=\"python\"\n## Leaf\n::: zone-end\n[!INCLUDE [back](i3.md)]\n"
    files["includes/unused.md"] = "## Unused\n"
    files["zone-pivot-groups.yml"] = "groups:\n- id: langs\n  pivots:\n  - id: csharp\n"
    files["docfx.json"] = "{}"
    files["index.md"] = ("---\ntitle: Home\ndescription: d\nms.date: 1/1/2020\nzone_pivot_groups: langs\n---\n"
                         "# Home\n\n[!INCLUDE [bomb](includes/i0.md)]\n\n[missing](#no-such-anchor)\n")
    write_tree(tmp_path, files)
    code, findings, _err, took = check(tmp_path, timeout=60)
    assert took < 30 and code == 1
    assert found(findings) == {("index.md", "link-anchor-missing"), ("includes/i8.md", "include-cycle"),
                               ("includes/unused.md", "include-unused"), ("includes/i8.md", "zone-pivot-unknown")}


def test_counted_anchors_are_the_anchors_the_expansion_gives(tmp_path: Path, monkeypatch):
    import playbooklint.docset as docset_module
    from playbooklint.config import Config
    from playbooklint.engine import build_docset

    files = include_bomb(3, fan_out=4)
    files["includes/i1.md"] += '<a name="explicit"></a>\n## !!!\n'  # an empty slug: "section"
    files["index.md"] = "# Home\n\n## Level 2\n\n[!INCLUDE [bomb](includes/i0.md)]\n\n## Leaf\n"
    write_tree(tmp_path, files)
    exact = build_docset(tmp_path, Config()).anchors_of("index.md")
    monkeypatch.setattr(docset_module, "MAX_EXPANSION", 10)
    counted = build_docset(tmp_path, Config()).anchors_of("index.md")
    assert isinstance(counted, docset_module.CountedAnchors) and exact is not None
    assert set(counted) == set(exact)
    # home, level-0, 4 x level-1, 16 + 1 x level-2, 64 + 1 x leaf, 4 x section, explicit, top
    assert len(exact) == 1 + 1 + 4 + 17 + 65 + 4 + 1 + 1
    assert all(anchor in counted for anchor in exact)
    for absent in ("leaf-65", "leaf-065", "leaf-0", "leaf-", "level-0-1", "leaf-" + "9" * 5000, "leaf-\u00b2", "x"):
        assert absent not in counted and absent not in exact


# ------------------------------------------------------------------ a docfx.json of megabytes


def test_docfx_json_of_many_globs_costs_time_linear_in_its_size(tmp_path: Path):
    pages = {f"articles/folder{n % 20}/page-{n:04d}.md": f"---\ntitle: Page {n}\nms.date: 1/1/2020\n"
             f"---\n# Page {n}\n\n[home](/index.md)\n" for n in range(400)}
    count = 60_000  # about 5 MB: every file matched against every glob would take minutes
    docfx = {"build": {
        "content": [{"files": ["**/*.md", *(f"articles/folder{n % 20}/page-{n:06d}.md" for n in range(count))],
                     "exclude": ["**/includes/**", "articles/folder3/**",
                                 *(f"articles/folder{n % 20}/old-{n:06d}.md" for n in range(count)),
                                 *(f"articles/gone{n}/**/*.md" for n in range(2_000))]}]
        + [{"files": [f"extra/page-{n}.md"]} for n in range(5_000)],  # one entry per file
        "globalMetadata": {"ms.topic": "article"},
        "fileMetadata": {
            "ms.custom": {**{f"articles/folder{n % 20}/page-{n:04d}.md": f"custom-{n}" for n in range(count)},
                          **{f"articles/folder{n}/**": f"folder-{n}" for n in range(20)}},
            "description": {"articles/**": "d", "articles/folder7/page-0007.md": " ", "articles/folder8/*.md": " "},
        },
    }}
    write_tree(tmp_path, {**pages, "docfx.json": json.dumps(docfx), "index.md": PAGE.replace("[gone](gone.md)", ""),
                          ".playbooklint.toml": "[rules]\norphan-page = 'off'\n"})
    assert (tmp_path / "docfx.json").stat().st_size > 4_000_000
    code, findings, _err, took = check(tmp_path, timeout=120)
    assert took < 60
    assert code == 1
    # fileMetadata applied per file and per folder (later wins): the empty descriptions are reported,
    # and folder 3 is not built
    invalid = sorted(d["path"] for d in findings if d["rule"] == "metadata-invalid")
    assert invalid == ["articles/folder7/page-0007.md"] + sorted(p for p in pages if "folder8/" in p)
    assert not [d for d in findings if "folder3/" in d["path"]]
    assert {d["rule"] for d in findings} == {"metadata-invalid"}


def test_docfx_json_setting_too_many_metadata_keys_is_a_finding(tmp_path: Path):
    docfx = {"build": {"globalMetadata": {f"key{n}": n for n in range(600)},
                       "fileMetadata": {f"other{n}": {"**/*.md": n} for n in range(600)}}}
    write_tree(tmp_path, {"docfx.json": json.dumps(docfx), "index.md": PAGE})
    code, findings, _err, _took = check(tmp_path)
    assert code == 1
    assert {("docfx.json", "config-file-invalid"), ("index.md", "link-broken")} <= found(findings)
    message = next(d["message"] for d in findings if d["rule"] == "config-file-invalid")
    assert "1,200 keys, more than 1,000" in message

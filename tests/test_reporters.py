"""CI reporters: golden output for a fixed result, structure, escaping, and Microsoft's SARIF validator."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from playbooklint import __version__
from playbooklint.config import Config
from playbooklint.engine import DocsetResult, RunResult, lint
from playbooklint.model import Diagnostic
from playbooklint.reporters import CI_FORMATS as FORMATS
from playbooklint.reporters import render_github, render_gitlab, render_junit, render_sarif
from playbooklint.rules import RULES

REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden"
EXAMPLE = REPO / "examples" / "fasttrack-playbook"
ROOT = Path("/work/docs")
CWD = Path("/work")
EXTENSIONS = {
    "json-lines": "jsonl",
    "sarif": "sarif",
    "github": "github.txt",
    "azure": "azure.txt",
    "junit": "junit.xml",
    "gitlab": "gitlab.json",
}
TRICKY = "target '50%,a:b;c]' does not exist; see 'Überblick'\nthen fix it"
GONE = "page 'gone.md' does not exist"


def fixed_result(root: Path = ROOT) -> RunResult:
    """Two files (one with a space, one with a non-ASCII name), errors and a warning."""
    diagnostics = [
        Diagnostic("includes/überblick.md", 3, 1, "PB303", "include-unused", "warning",
                   "include file that nothing includes"),
        Diagnostic("phase assess.md", 7, 1, "PB201", "link-broken", "error", GONE, 7, 17),
        Diagnostic("phase assess.md", 9, 4, "PB201", "link-broken", "error", GONE, 9, 20),
        Diagnostic("phase assess.md", 12, 5, "PB201", "link-broken", "error", TRICKY, 12, 27),
    ]
    return RunResult([DocsetResult(root, Config(), diagnostics, 2)])


def empty_result() -> RunResult:
    return RunResult([DocsetResult(ROOT, Config(), [], 3)])


def rendered_for_golden(name: str) -> str:
    """The fixed result in a format; in SARIF each rule descriptor is cut to id and name.

    Rule documentation changes with the rules; test_sarif_structure checks it against RULES.
    """
    rendered = FORMATS[name](fixed_result(), cwd=CWD)
    if name != "sarif":
        return rendered
    log = json.loads(rendered)
    for run in log["runs"]:
        driver = run["tool"]["driver"]
        driver["rules"] = [{"id": rule["id"], "name": rule["name"]} for rule in driver["rules"]]
        driver["version"] = driver["semanticVersion"] = "VERSION"
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_golden(name: str):
    """Set PLAYBOOKLINT_UPDATE_GOLDEN=1 to rewrite tests/golden (then read the diff)."""
    rendered = rendered_for_golden(name)
    golden = GOLDEN / f"report.{EXTENSIONS[name]}"
    if os.environ.get("PLAYBOOKLINT_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(rendered, encoding="utf-8", newline="")
    assert rendered == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_deterministic(name: str):
    assert FORMATS[name](fixed_result(), cwd=CWD) == FORMATS[name](fixed_result(), cwd=CWD)


def test_json_lines_round_trip():
    lines = FORMATS["json-lines"](fixed_result(), cwd=CWD).splitlines()
    assert len(lines) == 4
    items = [json.loads(line) for line in lines]
    assert items[3]["message"] == TRICKY
    assert items[3]["file"] == "docs/phase assess.md"
    assert set(items[0]) == set(fixed_result().diagnostics[0].as_dict()) | {"file", "docset"}
    assert {item["docset"] for item in items} == {"."}
    assert FORMATS["json-lines"](empty_result(), cwd=CWD) == ""


# --- GitHub / Azure escaping -----------------------------------------------------------------------

def test_github_escaping_exact():
    lines = render_github(fixed_result(), cwd=CWD).splitlines()
    assert len(lines) == 4
    assert lines[0] == ("::warning file=docs/includes/überblick.md,line=3,col=1,"
                        "title=PB303 include-unused::include file that nothing includes")
    assert lines[3] == ("::error file=docs/phase assess.md,line=12,col=5,endLine=12,endColumn=27,"
                        "title=PB201 link-broken::target '50%25,a:b;c]' does not exist; see 'Überblick'%0Athen fix it")


def test_github_escapes_properties():
    diagnostics = [Diagnostic("a,b:c%.md", 1, 1, "PB201", "link-broken", "error", "x\r\ny", None, None)]
    out = render_github(RunResult([DocsetResult(ROOT, Config(), diagnostics, 1)]), cwd=CWD)
    assert out == "::error file=docs/a%2Cb%3Ac%25.md,line=1,col=1,title=PB201 link-broken::x%0D%0Ay\n"


def test_github_end_only_for_single_line_spans():
    diagnostics = [Diagnostic("a.md", 3, 2, "PB201", "link-broken", "error", "m", 5, 4),
                   Diagnostic("a.md", 7, 2, "PB201", "link-broken", "error", "m", 7, 2)]
    lines = render_github(RunResult([DocsetResult(ROOT, Config(), diagnostics, 1)]), cwd=CWD).splitlines()
    assert lines == ["::error file=docs/a.md,line=3,col=2,title=PB201 link-broken::m",
                     "::error file=docs/a.md,line=7,col=2,title=PB201 link-broken::m"]


def test_azure_escaping_exact():
    lines = FORMATS["azure"](fixed_result(), cwd=CWD).splitlines()
    assert lines[0] == ("##vso[task.logissue type=warning;sourcepath=docs/includes/überblick.md;linenumber=3;"
                        "columnnumber=1;code=PB303]include file that nothing includes")
    assert lines[3] == ("##vso[task.logissue type=error;sourcepath=docs/phase assess.md;linenumber=12;"
                        "columnnumber=5;code=PB201]target '50%AZP25,a:b;c]' does not exist; see 'Überblick'%0Athen fix it")
    diagnostics = [Diagnostic("a;b]%.md", 1, 1, "PB201", "link-broken", "error", "x\r\ny", None, None)]
    out = FORMATS["azure"](RunResult([DocsetResult(ROOT, Config(), diagnostics, 1)]), cwd=CWD)
    assert "sourcepath=docs/a%3Bb%5D%AZP25.md;" in out
    assert out.endswith("]x%0D%0Ay\n")


@pytest.mark.parametrize("name", ["github", "azure"])
def test_one_line_per_diagnostic(name: str):
    assert len(FORMATS[name](fixed_result(), cwd=CWD).splitlines()) == len(fixed_result().diagnostics)
    assert FORMATS[name](empty_result(), cwd=CWD) == ""


# --- JUnit ---------------------------------------------------------------------------------------

def test_junit_counts():
    text = render_junit(fixed_result(), cwd=CWD)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    suites = ET.fromstring(text.encode("utf-8"))
    assert suites.tag == "testsuites"
    assert (suites.get("name"), suites.get("tests"), suites.get("failures")) == ("playbooklint", "4", "4")
    names = [suite.get("name") for suite in suites.iter("testsuite")]
    assert names == ["docs/includes/überblick.md", "docs/phase assess.md"]
    assert [len(suite.findall("testcase")) for suite in suites.iter("testsuite")] == [1, 3]
    failures = list(suites.iter("failure"))
    assert len(failures) == 4
    assert failures[3].get("message") == TRICKY
    assert failures[3].get("type") == "link-broken"
    # the attribute keeps the message exactly; the body is the one-line text report
    one_line = TRICKY.replace("\n", "\\n")
    assert failures[3].text == f"docs/phase assess.md:12:5: error {one_line} [link-broken]"
    case = next(iter(suites.iter("testcase")))
    assert (case.get("classname"), case.get("name")) == ("docs/includes/überblick.md", "include-unused 3:1")


def test_junit_without_findings_has_one_passing_case():
    suites = ET.fromstring(render_junit(empty_result(), cwd=CWD).encode("utf-8"))
    assert (suites.get("tests"), suites.get("failures")) == ("1", "0")
    cases = list(suites.iter("testcase"))
    assert len(cases) == 1 and not list(cases[0])


def test_junit_writes_characters_xml_cannot_hold_visibly():
    message = "bad \x00\x01\x1b byte\ttab \ud800 \udcff end"
    diagnostics = [Diagnostic("a\x02.md", 1, 1, "PB001", "file-unreadable", "error", message)]
    text = render_junit(RunResult([DocsetResult(ROOT, Config(), diagnostics, 1)]), cwd=CWD)
    suites = ET.fromstring(text.encode("utf-8"))
    failure = next(suites.iter("failure"))
    assert failure.get("message") == "bad \\x00\\x01\\x1b byte\ttab \\ud800 \\xff end"
    assert next(suites.iter("testsuite")).get("name") == "docs/a\\x02.md"


# --- GitLab --------------------------------------------------------------------------------------

def test_gitlab_fingerprints_unique_and_stable():
    first = json.loads(render_gitlab(fixed_result(), cwd=CWD))
    second = json.loads(render_gitlab(fixed_result(), cwd=CWD))
    prints = [issue["fingerprint"] for issue in first]
    assert len(set(prints)) == len(prints) == 4
    assert prints == [issue["fingerprint"] for issue in second]
    assert [issue["severity"] for issue in first] == ["minor", "major", "major", "major"]
    assert first[3]["location"] == {"path": "docs/phase assess.md", "lines": {"begin": 12}}
    assert first[3]["check_name"] == "link-broken"
    assert render_gitlab(empty_result(), cwd=CWD) == "[]\n"


def test_gitlab_fingerprints_survive_lines_moving():
    before = fixed_result()
    moved = [Diagnostic(d.path, d.line + 10, d.column, d.code, d.rule, d.severity, d.message)
             for d in before.diagnostics]
    after = RunResult([DocsetResult(ROOT, Config(), moved, 2)])
    assert ([i["fingerprint"] for i in json.loads(render_gitlab(before, cwd=CWD))]
            == [i["fingerprint"] for i in json.loads(render_gitlab(after, cwd=CWD))])


# --- SARIF ---------------------------------------------------------------------------------------

def test_sarif_structure():
    log = json.loads(render_sarif(fixed_result(), cwd=CWD))
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    (run,) = log["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///work/"}}
    assert run["invocations"] == [{"executionSuccessful": True}]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("playbooklint", __version__)
    assert [rule["id"] for rule in driver["rules"]] == [rule.code for rule in RULES]
    for descriptor, rule in zip(driver["rules"], RULES):
        assert descriptor["name"] == rule.name
        assert descriptor["help"]["text"] == rule.doc
        assert descriptor["fullDescription"]["text"]
        assert "What it checks" not in descriptor["fullDescription"]["text"]
        assert descriptor["defaultConfiguration"]["level"] == rule.severity
        assert descriptor["defaultConfiguration"].get("enabled", True) is rule.enabled
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["PB303", "PB201", "PB201", "PB201"]
    assert all(driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    assert [r["level"] for r in results] == ["warning", "error", "error", "error"]
    location = results[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "docs/includes/%C3%BCberblick.md", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 2}
    location = results[3]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "docs/phase%20assess.md"
    assert location["region"] == {"startLine": 12, "startColumn": 5, "endLine": 12, "endColumn": 27}
    assert results[3]["message"]["text"] == TRICKY
    prints = [r["partialFingerprints"]["playbooklint/v1"] for r in results]
    assert len(set(prints)) == len(prints)


def test_sarif_one_run_for_several_roots_with_paths_from_the_working_directory():
    two = RunResult(fixed_result().results + fixed_result(Path("/work/other docs")).results)
    (run,) = json.loads(render_sarif(two, cwd=CWD))["runs"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert "other%20docs/phase%20assess.md" in uris and "docs/phase%20assess.md" in uris
    outside = json.loads(render_sarif(fixed_result(), cwd=Path("/elsewhere")))["runs"][0]["results"][0]
    assert outside["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "file:///work/docs/includes/%C3%BCberblick.md"}


def find_validator() -> list[str] | None:
    """Microsoft's SARIF multitool, from the repository's node_modules/.bin first, then PATH.

    The npm command is a Node wrapper that hands its arguments to a shell (which would split
    ``Sarif;Gh`` at the ``;``), so the native executable beside it is preferred when present.
    """
    windows = os.name == "nt"
    local = REPO / "node_modules" / ".bin" / ("sarif-multitool.cmd" if windows else "sarif-multitool")
    found = str(local) if local.is_file() else shutil.which("sarif-multitool")
    if found is None:
        return None
    wrapper = Path(found).resolve()
    modules = wrapper.parents[2] if wrapper.name == "bin.js" else wrapper.parents[1]
    platform = {"win32": "win32", "darwin": "darwin"}.get(sys.platform, "linux")
    native = modules / "@microsoft" / f"sarif-multitool-{platform}" / ("Sarif.Multitool.exe" if windows else "Sarif.Multitool")
    return [str(native)] if native.is_file() else [found]


def validate(sarif: Path) -> list[str]:
    """Run ``sarif-multitool validate`` with the SARIF and GitHub rules; its error-level findings.

    The validator exits 0 whatever it finds, so its own SARIF output is read instead.
    """
    command = find_validator()
    if command is None:
        pytest.skip("sarif-multitool not found (npm install @microsoft/sarif-multitool)")
    out = sarif.with_name(sarif.stem + ".validation.sarif")
    args = ["validate", str(sarif), "--output", str(out), "--log", "ForceOverwrite", "--rule-kind", "Sarif;Gh"]
    if not command[0].endswith(("Sarif.Multitool", "Sarif.Multitool.exe")):  # the npm wrapper's shell
        args = [shlex.quote(a) if os.name != "nt" else f'"{a}"' for a in args]
    env = {"DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1", **os.environ}  # runs without libicu too
    proc = subprocess.run(command + args, capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0 and out.is_file(), proc.stdout + proc.stderr
    log = json.loads(out.read_text(encoding="utf-8-sig"))
    runs = log["runs"]
    assert all(i.get("executionSuccessful") for run in runs for i in run.get("invocations", [])), proc.stdout
    return [f"{r['ruleId']}: {r['message']}" for run in runs for r in run.get("results", [])
            if r.get("level", "warning") == "error"]


def test_sarif_validates_fixed_result(tmp_path: Path):
    path = tmp_path / "fixed.sarif"
    path.write_text(render_sarif(fixed_result(), cwd=CWD), encoding="utf-8")
    assert validate(path) == []


def test_sarif_validates_real_run(tmp_path: Path):
    if find_validator() is None:
        pytest.skip("sarif-multitool not found (npm install @microsoft/sarif-multitool)")
    docs = tmp_path / "docs"
    shutil.copytree(EXAMPLE, docs)
    page = docs / "phase-assess.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nSee [the next step](./phase-remediat.md).\n",
                    encoding="utf-8")
    result = lint([docs])
    assert any(d.rule == "link-broken" for d in result.diagnostics)
    path = tmp_path / "real.sarif"
    path.write_text(render_sarif(result, cwd=tmp_path), encoding="utf-8")
    assert validate(path) == []


def test_validator_catches_a_broken_log(tmp_path: Path):
    """The validation harness is not vacuous: a region that ends before it starts is an error."""
    log = json.loads(render_sarif(fixed_result(), cwd=CWD))
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["endColumn"] = 0
    del log["runs"][0]["results"][1]["locations"]
    path = tmp_path / "broken.sarif"
    path.write_text(json.dumps(log), encoding="utf-8")
    errors = validate(path)
    assert any(e.startswith("SARIF1007") for e in errors), errors
    assert any(e.startswith("GH") for e in errors), errors

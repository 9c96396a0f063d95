"""Hostile text in reports: page content and file names are untrusted, and reports are printed in
CI logs that the runners scan for commands and written as files that other tools parse.

* no output line is a GitHub workflow command (``::`` at the start of a line, after whitespace;
  ``##[`` anywhere) or an Azure Pipelines logging command (``##vso[`` anywhere) except the tool's
  own annotations, in every format, under ``GITHUB_ACTIONS=true`` and ``TF_BUILD=True``;
* no output holds a control, format or separator character (the tab and the line ends excepted),
  nor a byte that is not UTF-8; every document parses (JSON, JSON lines, SARIF, GitLab, JUnit XML);
* a file name that is not UTF-8 (``bad\\xff.md``) is written ``bad\\xff.md`` in every format, to a
  file and to stdout, whatever stdout's encoding; the GitLab and Azure recipes in ``docs/ci/`` work;
* a file named like an option (``-oREADME.md``) is a path to the pre-commit hook's entry.

Each run is the real command line in a subprocess, bounded by a timeout.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from conftest import write_tree
from playbooklint.reporters import FORMATS
from playbooklint.reporters.escape import json_text, shown, shown_keeping_breaks, shown_path, xml_text, xml_value

CHECKOUT = Path(__file__).resolve().parents[1]
POSIX = os.name == "posix" and sys.platform != "darwin"  # macOS file systems refuse names that are not UTF-8
CI_ENV = {"GITHUB_ACTIONS": "true", "TF_BUILD": "True", "CI": "true"}
TIMEOUT = 120
FRONT = "---\ntitle: T\ndescription: D\nms.date: 1/1/2020\n---\n"

PAGES: dict[str, str | bytes] = {
    "index.md": (
        '---\ntitle: T\ndescription: D\nms.date: "1/1/2020\\n::error file=README.md,line=1::INJECTED"\n---\n'
        "# Home\n\n## Phases\n\n1. [One](p1.md)\n2. [Two](p2.md)\n\n"
        "[e](#a%0A::error::X)\n\n"
        '<a href="x\n##vso[task.setvariable variable=X]1">z</a>\n\n'
        "[legacy](#x##[add-mask]secret) <a href=\"#x##vso[task.setvariable variable=Y]2\">v</a>\n"
        "[more](#b%0D::warning::CR%E2%80%A8::error::LS%C2%85::error::NEL)\n"
    ),
    "p1.md": (
        '---\ntitle: "One \\e[31m::error::T\\r::warning::R\\u202e"\ndescription: D\n'
        'ms.date: "\\e]0;t\\a\\x85::error::NEL\\u2028::error::LS\\u202e\\u200b#\\u00ad#vso[task.complete]x"\n---\n'
        "# One\n\n[next](p2.md)\n"
    ),
    "p2.md": FRONT.replace("title: T", "title: Zwei – Überblick") + "# Two\n\n[prev](p1.md) \x1b[1m\u202e [bad](gone.md) ##vso[task.setvariable variable=W]4 \u2028::error::LS\n",
    "toc.yml": "- name: Home\n  href: index.md\n- name: One\n  href: p1.md\n- name: Two\n  href: p2.md\n",
}
"""Injections through front matter, link targets and fragments, and (below) file names."""

HOSTILE_NAMES = [b"::warning::x.md", b" ::error::sp.md", b"a\n::error::nl.md", b"a\r::error::cr.md", b"bad\xff.md",
                 b"x##vso[task.setvariable variable=Z]3.md", b"\x1b[31m.md"]
"""File names a repository may hold (POSIX); each page has a broken link, so each is reported."""

DOCUMENTS = ("json", "json-lines", "sarif", "gitlab", "junit", "html")
"""Formats written as UTF-8 documents, to stdout too."""
ASCII_STDOUT = {"LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": "ascii"}

_GITHUB_OWN = re.compile(r"::(error|warning) file=(?P<file>[^,:]*),line=\d+,col=\d+(,endLine=\d+,endColumn=\d+)?,"
                         r"title=PB\d{3} [a-z-]+::(?P<data>.*)")
_AZURE_OWN = re.compile(r"##vso\[task\.logissue type=(error|warning);sourcepath=(?P<file>[^;\]]*);linenumber=\d+;"
                        r"columnnumber=\d+;code=PB\d{3}\](?P<data>.*)")


def hostile_docset(root: Path, names: bool = True) -> Path:
    write_tree(root, PAGES)
    if names and POSIX:
        for name in HOSTILE_NAMES:
            try:
                (root / os.fsdecode(name)).write_bytes(b"# Orphan\n\n[x](gone.md)\n")
            except OSError:  # a file system that refuses such a name
                pass
    return root


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[bytes]:
    environment = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "TF_BUILD", "NO_COLOR")}
    environment.update({"PLAYBOOKLINT_NO_CACHE": "1", **env})
    return subprocess.run([sys.executable, "-m", "playbooklint", *args], cwd=cwd, env=environment,
                          capture_output=True, timeout=TIMEOUT)


def runner_lines(data: bytes) -> list[str]:
    """Output as the runners read it: UTF-8 (strict), a line ended by LF, CR or CRLF."""
    return re.split(r"\r\n|\r|\n", data.decode("utf-8"))


def bad_characters(text: str) -> list[str]:
    """Control, format, separator and surrogate characters other than tab and the line ends."""
    return [c for c in text if c not in "\t\n" and unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp")]


def commands(data: bytes) -> tuple[list[re.Match[str] | str], list[re.Match[str] | str]]:
    """What each runner would act on: GitHub's ``::`` after leading whitespace and legacy ``##[``
    anywhere; Azure's ``##vso[`` anywhere. The tool's own annotations come back as matches, any
    other command as the line itself."""
    github: list[re.Match[str] | str] = []
    azure: list[re.Match[str] | str] = []
    for line in runner_lines(data):
        if line.lstrip().startswith("::") or "##[" in line:
            github.append(_GITHUB_OWN.fullmatch(line) or line)
        if "##vso[" in line:
            azure.append(_AZURE_OWN.fullmatch(line) or line)
    return github, azure


def assert_inert(data: bytes) -> str:
    """No command a runner would act on (the tool's own annotations apart), no hidden character,
    valid UTF-8; returns the text."""
    github, azure = commands(data)
    assert [c for c in github if isinstance(c, str)] == []
    assert [c for c in azure if isinstance(c, str)] == []
    for match in (*github, *azure):
        assert isinstance(match, re.Match)
        assert "##" not in match["data"] and "##" not in match["file"]
    text = data.decode("utf-8")
    assert bad_characters(text) == []
    return text


def assert_valid_document(name: str, data: bytes) -> object:
    """The document parses as its format says; returns what was parsed."""
    text = data.decode("utf-8")
    if name in ("json", "sarif", "gitlab"):
        parsed = json.loads(text)
        if name == "sarif":
            assert parsed["version"] == "2.1.0" and parsed["runs"][0]["results"]
        if name == "gitlab":
            for issue in parsed:
                assert {"description", "check_name", "fingerprint", "severity", "location"} <= issue.keys()
                assert isinstance(issue["location"]["path"], str) and issue["location"]["lines"]["begin"] >= 1
        return parsed
    if name == "json-lines":
        return [json.loads(line) for line in text.splitlines()]
    if name == "junit":
        return ET.fromstring(data)
    if name == "html":
        parser = HTMLParser()
        parser.feed(text)
        parser.close()
        assert text.startswith("<!DOCTYPE html>")
    return text


# --- the escaping functions ----------------------------------------------------------------------

def test_shown_writes_hidden_characters_visibly():
    assert shown("plain text, Überblick, 日本語\tand a tab") == "plain text, Überblick, 日本語\tand a tab"
    assert shown("a\nb\rc\r\nd") == "a\\nb\\rc\\r\\nd"
    assert shown("\x00\x1b[31m\x7f\x85\x9b") == "\\x00\\x1b[31m\\x7f\\x85\\x9b"
    assert shown("\u2028\u2029\u202e\u2066\u200b\u00ad\ufeff") == "\\u2028\\u2029\\u202e\\u2066\\u200b\\xad\\ufeff"
    assert shown("tag \U000e0041") == "tag \\U000e0041"
    assert shown("bad\udcff.md \ud800") == "bad\\xff.md \\ud800"  # a byte of a file name; a lone surrogate
    assert shown("x##vso[task.setvariable variable=X]1 ##[add-mask]s ###") == \
        "x#\\x23vso[task.setvariable variable=X]1 #\\x23[add-mask]s #\\x23#"
    assert shown("emoji \U0001f600 nbsp\u00a0") == "emoji \U0001f600 nbsp\u00a0"


def test_shown_path_is_safe_at_the_start_of_a_line():
    assert shown_path("::error::x.md") == "./::error::x.md"
    assert shown_path(" ::error::x.md") == "./ ::error::x.md"
    assert shown_path("\u3000::error::x.md") == "./\u3000::error::x.md"
    assert shown_path("docs/::error::x.md") == "docs/::error::x.md"
    assert shown_path("/abs/x.md") == "/abs/x.md"


def test_shown_keeping_breaks_keeps_only_lf_and_cr():
    assert shown_keeping_breaks("a\nb\r\nc\rd\u2028e\x1b##") == "a\nb\r\nc\rd\\u2028e\\x1b#\\x23"


def test_json_text_is_exact_and_inert():
    hostile = "a\nb\r\x1b\x7f\x85\u2028\u2029\u202e\u200b\u00ad\ufeff\U000e0041 ##vso[x]y ##[z] Ü 日本 \U0001f600"
    for serialized in (json.dumps({"k##": hostile}, ensure_ascii=False, indent=2),
                       json.dumps([hostile], ensure_ascii=False, separators=(",", ":"))):
        inert = json_text(serialized)
        assert json.loads(inert) == json.loads(serialized)
        assert bad_characters(inert) == [] and "##" not in inert
        assert "Ü 日本 \U0001f600" in inert  # ordinary text stays as it is
    # the one thing valid UTF-8 cannot hold: a byte of a file name that is not UTF-8
    assert json.loads(json_text(json.dumps("bad\udcff.md", ensure_ascii=False))) == "bad\\xff.md"


def test_xml_text_is_exact_and_inert():
    kept = "a\tb \x7f\x85\u2028\u202e\u200b ##vso[x]y Ü"
    element = ET.Element("e", message=xml_value(kept + "\n\r\x1b\x00\udcff"))
    element.text = xml_value(kept)
    inert = xml_text(ET.tostring(element, encoding="unicode"))
    assert bad_characters(inert) == [] and "##" not in inert
    parsed = ET.fromstring(inert.encode("utf-8"))
    assert parsed.text == kept
    assert parsed.get("message") == kept + "\n\r\\x1b\\x00\\xff"  # what XML 1.0 cannot hold, written visibly


@given(st.text())
def test_any_text_is_shown_inert(text: str):
    out = shown(text)
    assert bad_characters(out) == [] and "##" not in out and "\n" not in out
    out.encode("utf-8")
    path = shown_path(text)
    assert not path.lstrip().startswith("::") and bad_characters(path) == []
    kept = shown_keeping_breaks(text)
    assert bad_characters(kept.replace("\r", "")) == [] and "##" not in kept


@given(st.text(), st.text(st.characters(blacklist_categories=["Cs"])))
def test_any_text_stays_exact_and_inert_in_json_and_xml(text: str, exact: str):
    """Exact strings survive (lone surrogates, which no UTF-8 document holds, become text)."""
    for serialized in (json.dumps([text, exact], ensure_ascii=False),
                       json.dumps({exact: text}, indent=2, ensure_ascii=False)):
        inert = json_text(serialized)
        assert bad_characters(inert.replace("\n", "")) == [] and "##" not in inert
        parsed = json.loads(inert.encode("utf-8"))
        assert parsed[1] == exact if isinstance(parsed, list) else list(parsed) == [exact]
    element = ET.Element("e", message=xml_value(exact), other=xml_value(text))
    inert = xml_text(ET.tostring(element, encoding="unicode"))
    assert bad_characters(inert.replace("\n", "")) == [] and "##" not in inert
    parsed_xml = ET.fromstring(inert.encode("utf-8"))
    assert parsed_xml.get("message") == xml_value(exact) and parsed_xml.get("other") == xml_value(text)


# --- row: page content must never steer CI -------------------------------------------------------

@pytest.mark.parametrize("name", [None, *sorted(FORMATS)])
def test_every_format_printed_in_ci_is_inert(tmp_path: Path, name: str | None):
    """Under GITHUB_ACTIONS=true and TF_BUILD=True, each format printed to stdout: no runner command
    but the tool's own annotations, no hidden character; documents parse. stdout is ASCII (the
    hardest case): documents are UTF-8 all the same, text for people falls back to escapes."""
    root = hostile_docset(tmp_path / "site")
    args = ["check", "."] + ([] if name is None else ["--format", name])
    done = run(args, root, **CI_ENV, **ASCII_STDOUT)
    assert done.returncode == 1, done.stderr
    text = assert_inert(done.stdout)
    assert_inert(done.stderr)
    if name not in DOCUMENTS:
        done.stdout.decode("ascii")
    if POSIX:
        assert_bad_name_shown(name or "text", done.stdout, "")
    github, azure = commands(done.stdout)
    if name in (None, "github"):  # the default under GitHub Actions is the text report and annotations
        files = {match["file"].replace("%3A", ":").replace("%2C", ",").replace("%25", "%")
                 for match in github if isinstance(match, re.Match)}
        assert "index.md" in files and "p1.md" in files
        if POSIX:
            assert {"::warning::x.md", " ::error::sp.md", "a%0A::error::nl.md", "bad\\xff.md"} <= files
    else:
        assert github == []
    if name == "azure":
        files = {match["file"].replace("%5D", "]").replace("%3B", ";").replace("%AZP25", "%")
                 for match in azure if isinstance(match, re.Match)}
        assert "index.md" in files and (not POSIX or "x#\\x23vso[task.setvariable variable=Z]3.md" in files)
    else:
        assert azure == []
    if name in DOCUMENTS:
        assert_valid_document(name, done.stdout)
    if name in (None, "text", "concise", "full"):
        assert "'1/1/2020\\n::error file=README.md,line=1::INJECTED'" in text
        assert "'x\\n#\\x23vso[task.setvariable variable=X]1'" in text
        assert "\\x1b]0;t\\x07\\x85::error::NEL\\u2028::error::LS\\u202e\\u200b#\\xad#vso[" in text
        if name == "full":  # the source line as shown, the caret under the same characters
            before = "[prev](p1.md) \\x1b[1m\\u202e "
            excerpt = (f" 8 | {before}[bad](gone.md) #\\x23vso[task.setvariable variable=W]4 \\u2028::error::LS\n"
                       f"   | {' ' * len(before)}{'^' * len('[bad](gone.md)')}\n")
            assert excerpt in text
        if POSIX:
            assert "\n./::warning::x.md:1:1: " in text and "\n./ ::error::sp.md:1:1: " in text
            assert "\na\\n::error::nl.md:1:1: " in text and "\na\\r::error::cr.md:1:1: " in text
            assert "\n\\x1b[31m.md:1:1: " in text


def test_exact_data_in_json_and_sarif(tmp_path: Path):
    """The machine formats carry the messages exactly (JSON escapes), only the bytes are inert."""
    root = hostile_docset(tmp_path / "site", names=False)
    report = json.loads(assert_inert(run(["check", ".", "--format", "json"], root, **CI_ENV).stdout))
    messages = [d["message"] for d in report["diagnostics"]]
    assert "ms.date '1/1/2020\n::error file=README.md,line=1::INJECTED' is not a valid M/D/YYYY date " \
           "(for example 2/18/2019)" in messages
    assert "file 'x\n##vso[task.setvariable variable=X]1' does not exist" in messages
    sarif = json.loads(assert_inert(run(["check", ".", "--format", "sarif"], root, **CI_ENV).stdout))
    assert "no anchor '#x##[add-mask]secret' on this page" in [r["message"]["text"] for r in sarif["runs"][0]["results"]]


def test_reports_written_to_files_are_valid(tmp_path: Path):
    root = hostile_docset(tmp_path / "site")
    for name in sorted(FORMATS):
        out = tmp_path / f"report.{name}"
        done = run(["check", ".", "--format", name, "-o", str(out)], root, **CI_ENV)
        assert done.returncode == 1, (name, done.stderr)
        assert done.stdout == b""
        assert_inert(done.stderr)
        data = out.read_bytes()
        assert_valid_document(name, data)
        assert_inert(data)
        if POSIX:
            assert_bad_name_shown(name, data, "")


def test_statistics_and_lifecycle_are_inert(tmp_path: Path):
    root = hostile_docset(tmp_path / "site")
    for args in (["check", ".", "--statistics"], ["check", ".", "--format", "json", "--statistics"],
                 ["lifecycle", "."], ["lifecycle", ".", "--format", "json"]):
        done = run(args, root, **CI_ENV, **ASCII_STDOUT)
        assert done.returncode in (0, 1), (args, done.stderr)
        text = assert_inert(done.stdout)
        assert_inert(done.stderr)
        if args[-1] == "json":
            json.loads(text)
        else:
            done.stdout.decode("ascii")
    lifecycle = run(["lifecycle", "."], root, **CI_ENV).stdout.decode("utf-8")
    assert "One \\x1b[31m::error::T\\r::warning::R\\u202e" in lifecycle and "Zwei – Überblick" in lifecycle
    phases = json.loads(run(["lifecycle", ".", "--format", "json"], root, **CI_ENV, **ASCII_STDOUT).stdout)
    assert [p["title"] for p in phases["lifecycle"]["phases"]] == ["One \x1b[31m::error::T\r::warning::R\u202e",
                                                                   "Zwei – Überblick"]


def test_error_messages_that_echo_arguments_and_config_are_inert(tmp_path: Path):
    root = write_tree(tmp_path / "site", {"index.md": FRONT + "# Home\n"})
    hostile = "x\n::error::A\r##vso[task.setvariable variable=X]1\x1b[2J\u2028"
    cases = [
        ["check", "--format", hostile, "."],
        ["check", hostile],
        ["check", "--config", hostile + ".toml", "."],
        ["check", "--select", hostile, "."],
        ["explain", hostile],
        ["check", ".", "-o", str(tmp_path / "missing" / hostile)],
    ]
    (tmp_path / "bad.toml").write_text(f'[rules]\n"{json.dumps(hostile)[1:-1]}" = "off"\n', encoding="utf-8")
    cases.append(["check", "--config", str(tmp_path / "bad.toml"), "."])
    for args in cases:
        done = run(args, root, **CI_ENV)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        message = assert_inert(done.stdout + done.stderr)
        assert "::error::A" in message and "\\n" in message, (args, message)


# --- row: a file name that is not UTF-8 (also in the hostile docset above) -----------------------

needs_posix_names = pytest.mark.skipif(not POSIX, reason="file names that are not UTF-8 (POSIX, not macOS)")


def assert_bad_name_shown(name: str, data: bytes, folder: str) -> None:
    """``bad\\xff.md`` appears as that text (``bad%FF.md`` in a SARIF URI) in report ``name``."""
    path = f"{folder}bad\\xff.md"
    parsed = assert_valid_document(name, data)
    if name == "sarif":
        assert isinstance(parsed, dict)
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in parsed["runs"][0]["results"]}
        assert f"{folder}bad%FF.md" in uris
    elif name == "json":
        assert isinstance(parsed, dict)
        assert path in {d["file"] for d in parsed["diagnostics"]}
    elif name == "json-lines":
        assert isinstance(parsed, list)
        assert path in {d["file"] for d in parsed}
    elif name == "gitlab":
        assert isinstance(parsed, list)
        assert path in {d["location"]["path"] for d in parsed}
    elif name == "junit":
        assert isinstance(parsed, ET.Element)
        assert path in {suite.get("name") for suite in parsed.iter("testsuite")}
    else:
        assert path in data.decode("utf-8")


def bad_name_repo(tmp_path: Path) -> Path:
    repo = write_tree(tmp_path / "repo", {"docs/index.md": FRONT + "# Home\n\n[page](bad.md)\n"})
    try:
        (repo / "docs" / os.fsdecode(b"bad\xff.md")).write_bytes((FRONT + "# Bad\n\n[x](gone.md)\n").encode())
    except OSError:
        pytest.skip("the file system refuses a name that is not UTF-8")
    return repo


def ci_commands(recipe: Path) -> list[str]:
    """The ``playbooklint`` command lines of a CI recipe (GitLab ``script``, Azure ``script`` steps)."""
    data = yaml.safe_load(recipe.read_text(encoding="utf-8"))
    if "steps" in data:
        lines = [step["script"] for step in data["steps"] if "script" in step]
    else:
        lines = [line for job in data.values() if isinstance(job, dict) for line in job.get("script", [])]
    return [line for line in lines if line.startswith("playbooklint ")]


@needs_posix_names
def test_gitlab_recipe_on_a_name_that_is_not_utf8(tmp_path: Path):
    repo = bad_name_repo(tmp_path)
    lines = ci_commands(CHECKOUT / "docs" / "ci" / "gitlab-ci.yml")
    assert len(lines) == 3
    for line in lines:
        done = run(shlex.split(line)[1:], repo)
        assert done.returncode in (0, 1), (line, done.stderr)
        assert_inert(done.stdout)
    quality = (repo / "gl-code-quality-report.json").read_bytes()
    assert_bad_name_shown("gitlab", quality, "docs/")
    assert {issue["severity"] for issue in json.loads(quality)} <= {"info", "minor", "major", "critical", "blocker"}
    assert_bad_name_shown("junit", (repo / "playbooklint-junit.xml").read_bytes(), "docs/")


@needs_posix_names
def test_azure_recipe_on_a_name_that_is_not_utf8(tmp_path: Path):
    repo = bad_name_repo(tmp_path)
    staging = tmp_path / "staging"
    staging.mkdir()
    lines = ci_commands(CHECKOUT / "docs" / "ci" / "azure-pipelines.yml")
    assert len(lines) == 2
    for line in lines:
        done = run(shlex.split(line.replace("$(Build.ArtifactStagingDirectory)", str(staging)))[1:], repo,
                   TF_BUILD="True")
        assert done.returncode in (0, 1), (line, done.stderr)
        assert_inert(done.stdout)
        if "--format azure" in line:
            _github, azure = commands(done.stdout)
            files = {match["file"] for match in azure if isinstance(match, re.Match)}
            assert files == {"docs/index.md", "docs/bad\\xff.md"}
    assert_bad_name_shown("junit", (staging / "playbooklint.xml").read_bytes(), "docs/")


# --- row: a file named like an option ------------------------------------------------------------

def hooks() -> dict[str, dict[str, object]]:
    return {hook["id"]: hook for hook in yaml.safe_load((CHECKOUT / ".pre-commit-hooks.yaml").read_text())}


def test_hook_entry_ends_option_parsing(tmp_path: Path):
    """The hook's entry with file names appended, as pre-commit runs it: ``-oREADME.md`` is a path."""
    defined = hooks()
    entry = str(defined["playbooklint"]["entry"]).split()
    assert entry[-1] == "--"
    assert defined["playbooklint-docset"]["pass_filenames"] is False  # no file names, so its args may be options
    readme = "# The repository's README\n"
    repo = write_tree(tmp_path / "repo", {
        ".playbooklint.toml": "root = 'docs'\n", "README.md": readme,
        "-oREADME.md": "# named like an option\n", "--format=json.md": "# another\n", "-h": "",
        "docs/index.md": FRONT + "# Home\n\n[Gone](gone.md)\n", "docs/toc.yml": "- name: Home\n  href: index.md\n",
    })
    before = {p.name: p.read_bytes() for p in repo.iterdir() if p.is_file()}
    done = run([*entry[1:], "-h", "--format=json.md", "-oREADME.md", "README.md", "docs/index.md"], repo)
    assert done.returncode == 1, done.stderr
    assert b"docs/index.md:8:1: error page 'gone.md' does not exist [link-broken]" in done.stdout  # text, on stdout
    assert {p.name: p.read_bytes() for p in repo.iterdir() if p.is_file()} == before
    assert (repo / "README.md").read_text() == readme


def test_an_option_after_the_separator_is_reported_as_a_path(tmp_path: Path):
    root = write_tree(tmp_path / "site", {"index.md": FRONT + "# Home\n"})
    done = run(["check", "--", "--strict"], root)
    assert done.returncode == 2
    assert b"path does not exist: --strict; after '--' every argument is a path: put options before it" \
        in done.stderr
    assert run(["check", "--strict", "--", "index.md"], root).returncode == 0

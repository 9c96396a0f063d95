"""Machine-readable reporters for CI systems: JSON Lines, SARIF, GitHub, Azure, JUnit, GitLab.

Each ``render_X(result, cwd)`` takes the full run result and returns the whole report as text; none
prints or decides exit codes. ``FORMATS`` maps the format names to them.

Paths are shown as ``report.display_path`` shows them (relative to ``cwd`` when below it), always
with ``/`` separators; SARIF URIs are the same paths relative to ``%SRCROOT%`` (the working
directory, which is the repository root in CI). Lines and columns are 1-based and count Unicode code points.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import __version__
from .engine import RunResult
from .model import Diagnostic
from .report import display_path
from .rules import RULES, Rule

INFORMATION_URI = "https://github.com/playbooklint/playbooklint"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SECTIONS = ("What it checks", "Why", "Example", "Use instead", "Options")
"""The section headers of a rule's documentation, in order."""

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DOUBLE_BACKTICKS = re.compile(r"``([^`]+)``")


# --- shared helpers ------------------------------------------------------------------------------

def _findings(result: RunResult, cwd: Path | None) -> Iterator[tuple[str, Diagnostic]]:
    """Every diagnostic with its display path (POSIX), in report order."""
    for docset in result.results:
        for d in docset.diagnostics:
            yield display_path(docset.root, d.path, cwd).replace(os.sep, "/"), d


def _fingerprints(items: list[tuple[str, Diagnostic]]) -> list[str]:
    """A stable, unique id per finding: sha256 of rule, path, message and occurrence number.

    The line is left out so the id survives edits above the finding; identical findings in one
    file are told apart by their order.
    """
    seen: Counter[tuple[str, str, str]] = Counter()
    out = []
    for path, d in items:
        key = (d.code, path, d.message)
        seen[key] += 1
        text = "\0".join((*key, str(seen[key])))
        out.append(hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())
    return out


def _sections(doc: str) -> dict[str, str]:
    """A rule's documentation split into its sections (header -> text)."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in doc.splitlines():
        if line.strip() in SECTIONS:
            current = sections.setdefault(line.strip(), [])
        elif current is not None:
            current.append(line)
    return {name: "\n".join(lines).strip() for name, lines in sections.items()}


def _unwrap(text: str) -> str:
    """Hard-wrapped paragraphs joined into single lines (paragraphs stay apart)."""
    return "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip())


def _code_spans(text: str) -> str:
    """Double-backtick code spans (reStructuredText style) written with single backticks (Markdown)."""
    return _DOUBLE_BACKTICKS.sub(r"`\1`", text)


def _markdown(doc: str) -> str:
    """A rule's documentation as Markdown: section headers as headings, single-backtick code."""
    lines = [f"### {line.strip()}" if line.strip() in SECTIONS else line for line in doc.splitlines()]
    return _code_spans("\n".join(lines))


# --- JSON Lines ----------------------------------------------------------------------------------

def render_json_lines(result: RunResult, cwd: Path | None = None) -> str:
    """One compact JSON object per diagnostic per line (``Diagnostic.as_dict()`` plus ``file``)."""
    lines = []
    for file, d in _findings(result, cwd):
        item = d.as_dict()
        item["file"] = file
        lines.append(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
    return "".join(line + "\n" for line in lines)


# --- SARIF 2.1.0 ---------------------------------------------------------------------------------

def _sarif_rule(rule: Rule) -> dict[str, Any]:
    """A SARIF reportingDescriptor for one rule."""
    doc = rule.doc
    config: dict[str, Any] = {"level": rule.severity}
    if not rule.enabled:
        config["enabled"] = False
    topic = rule.check.__module__.rsplit(".", 1)[-1]
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _code_spans(_unwrap(_sections(doc).get("What it checks", rule.summary)))},
        "help": {"text": doc, "markdown": _markdown(doc)},
        "helpUri": f"{INFORMATION_URI}#rules",
        "defaultConfiguration": config,
        "properties": {"tags": ["documentation", topic]},
    }


def _sarif_uri(path: str) -> str:
    """A root-relative POSIX path as a relative URI reference (percent-encoded UTF-8)."""
    return quote(path, safe="/", errors="surrogatepass")


def _sarif_region(d: Diagnostic) -> dict[str, int]:
    """The SARIF region of a diagnostic; an unknown or empty end becomes one character."""
    end_line, end_column = d.end_line, d.end_column
    if end_line is None or end_column is None or (end_line, end_column) <= (d.line, d.column):
        end_line, end_column = d.line, d.column + 1
    return {"startLine": d.line, "startColumn": d.column, "endLine": end_line, "endColumn": end_column}


def _root_uri(root: Path) -> str:
    """A folder as an absolute ``file:`` URI ending with ``/``."""
    uri = root.as_uri() if root.is_absolute() else root.resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _artifact(file: str) -> dict[str, str]:
    """Where a finding is: relative to ``%SRCROOT%`` (the working directory, which is the
    repository root in CI, as code scanning expects), or an absolute URI outside it."""
    if os.path.isabs(file):
        return {"uri": Path(file).as_uri()}
    return {"uri": _sarif_uri(file), "uriBaseId": "%SRCROOT%"}


def render_sarif(result: RunResult, cwd: Path | None = None) -> str:
    """SARIF 2.1.0 for GitHub code scanning: one run, every rule described, URIs relative to the
    working directory (``%SRCROOT%``)."""
    index = {rule.code: i for i, rule in enumerate(RULES)}
    rules = [_sarif_rule(rule) for rule in RULES]
    items = list(_findings(result, cwd))
    results = []
    for (file, d), fingerprint in zip(items, _fingerprints(items)):
        item: dict[str, Any] = {"ruleId": d.code}
        if d.code in index:
            item["ruleIndex"] = index[d.code]
        item.update({
            "level": d.severity,
            "message": {"text": d.message},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(file), "region": _sarif_region(d)}}],
            "partialFingerprints": {"playbooklint/v1": fingerprint},
        })
        results.append(item)
    run = {
        "tool": {"driver": {
            "name": "playbooklint",
            "version": __version__,
            "semanticVersion": __version__,
            "informationUri": INFORMATION_URI,
            "rules": rules,
        }},
        "invocations": [{"executionSuccessful": True}],
        "originalUriBaseIds": {"%SRCROOT%": {"uri": _root_uri(cwd or Path.cwd())}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


# --- GitHub Actions workflow commands ------------------------------------------------------------

def _gh_data(value: str) -> str:
    """Escape a workflow-command message like @actions/core ``escapeData``."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(value: str) -> str:
    """Escape a workflow-command property like @actions/core ``escapeProperty``."""
    return _gh_data(value).replace(":", "%3A").replace(",", "%2C")


def render_github(result: RunResult, cwd: Path | None = None) -> str:
    """``::error file=..,line=..::message`` annotations, one line per diagnostic."""
    lines = []
    for file, d in _findings(result, cwd):
        props = [("file", file), ("line", str(d.line)), ("col", str(d.column))]
        if d.end_line == d.line and d.end_column is not None and d.end_column > d.column:
            # The runner drops columns of multi-line spans and rejects endColumn < col.
            props += [("endLine", str(d.end_line)), ("endColumn", str(d.end_column))]
        props.append(("title", f"{d.code} {d.rule}"))
        joined = ",".join(f"{key}={_gh_property(value)}" for key, value in props)
        lines.append(f"::{d.severity} {joined}::{_gh_data(d.message)}")
    return "".join(line + "\n" for line in lines)


# --- Azure Pipelines logging commands ------------------------------------------------------------

def _azure_data(value: str) -> str:
    """Escape a logging-command message like azure-pipelines-task-lib ``escapedata``."""
    return value.replace("%", "%AZP25").replace("\r", "%0D").replace("\n", "%0A")


def _azure_property(value: str) -> str:
    """Escape a logging-command property like azure-pipelines-task-lib ``escape``."""
    return _azure_data(value).replace("]", "%5D").replace(";", "%3B")


def render_azure(result: RunResult, cwd: Path | None = None) -> str:
    """``##vso[task.logissue type=error;sourcepath=..]message`` lines, one per diagnostic."""
    lines = []
    for file, d in _findings(result, cwd):
        props = [("type", d.severity), ("sourcepath", file), ("linenumber", str(d.line)),
                 ("columnnumber", str(d.column)), ("code", d.code)]
        joined = ";".join(f"{key}={_azure_property(value)}" for key, value in props)
        lines.append(f"##vso[task.logissue {joined}]{_azure_data(d.message)}")
    return "".join(line + "\n" for line in lines)


# --- JUnit XML -----------------------------------------------------------------------------------

def _xml(value: str) -> str:
    """Text without the characters XML 1.0 cannot hold (control characters, lone surrogates)."""
    return _XML_INVALID.sub("\ufffd", value)


def render_junit(result: RunResult, cwd: Path | None = None) -> str:
    """JUnit XML: a testsuite per file with findings, a failing testcase per diagnostic."""
    by_file: dict[str, list[Diagnostic]] = {}
    for file, d in _findings(result, cwd):
        by_file.setdefault(file, []).append(d)
    total = sum(len(found) for found in by_file.values())
    suites = ET.Element("testsuites", name="playbooklint", tests=str(max(total, 1)), failures=str(total), errors="0")
    for file, found in by_file.items():
        suite = ET.SubElement(suites, "testsuite", name=_xml(file), tests=str(len(found)),
                              failures=str(len(found)), errors="0")
        for d in found:
            case = ET.SubElement(suite, "testcase", classname=_xml(file), name=f"{d.rule} {d.line}:{d.column}")
            failure = ET.SubElement(case, "failure", message=_xml(d.message), type=d.rule)
            failure.text = _xml(f"{file}:{d.line}:{d.column}: {d.severity} {d.message} [{d.rule}]")
    if not by_file:
        suite = ET.SubElement(suites, "testsuite", name="playbooklint", tests="1", failures="0", errors="0")
        ET.SubElement(suite, "testcase", classname="playbooklint", name="no problems found")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


# --- GitLab Code Quality -------------------------------------------------------------------------

GITLAB_SEVERITY = {"error": "major", "warning": "minor"}


def render_gitlab(result: RunResult, cwd: Path | None = None) -> str:
    """GitLab Code Quality JSON: a list of issues with stable, unique fingerprints."""
    items = list(_findings(result, cwd))
    issues = [
        {
            "description": d.message,
            "check_name": d.rule,
            "fingerprint": fingerprint,
            "severity": GITLAB_SEVERITY[d.severity],
            "location": {"path": file, "lines": {"begin": d.line}},
        }
        for (file, d), fingerprint in zip(items, _fingerprints(items))
    ]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


FORMATS: dict[str, Callable[..., str]] = {
    "json-lines": render_json_lines,
    "sarif": render_sarif,
    "github": render_github,
    "azure": render_azure,
    "junit": render_junit,
    "gitlab": render_gitlab,
}
"""Format name -> renderer ``(result, cwd=None) -> str``."""

"""Reports for CI systems: GitHub Actions workflow commands, Azure Pipelines logging commands,
JUnit XML test reports and GitLab Code Quality. Paths are display paths with ``/`` separators.

Untrusted text (paths, messages) is escaped twice over: as ``escape`` says for every report (no
hidden character, no ``##``, a byte of a file name that is not UTF-8 as ``\\xNN``), then in the
format's own syntax (the runners' percent escapes, XML, JSON)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .common import findings, fingerprints, lines
from .escape import json_text, shown, shown_keeping_breaks, xml_text, xml_value

if TYPE_CHECKING:
    from ..model import Diagnostic
    from .common import RunResult


# --- GitHub Actions workflow commands, Azure Pipelines logging commands --------------------------
# Both runners turn a log line written in their command syntax into an annotation on a file and
# line: a command, key=value properties and a message, each escaped so the line stays one command.

@dataclass(frozen=True)
class _LogCommands:
    """How one CI runner's annotation commands are escaped and joined."""

    data: dict[int, str]
    """``str.translate`` table escaping a message."""
    property: dict[int, str]
    """``str.translate`` table escaping a property value: the message escapes and the delimiters."""
    separator: str
    """Between ``key=value`` properties."""

    def line(self, head: str, props: list[tuple[str, str]], tail: str, message: str) -> str:
        """One command; LF and CR in values travel as the runner's escapes, anything else hidden or
        a ``##`` is written as ``shown`` writes it."""
        joined = self.separator.join(f"{key}={shown_keeping_breaks(value).translate(self.property)}"
                                     for key, value in props)
        return f"{head}{joined}{tail}{shown_keeping_breaks(message).translate(self.data)}"


def _log_commands(percent: str, delimiters: dict[str, str], separator: str) -> _LogCommands:
    data = {"%": percent, "\r": "%0D", "\n": "%0A"}
    return _LogCommands(str.maketrans(data), str.maketrans({**data, **delimiters}), separator)


_GITHUB = _log_commands("%25", {":": "%3A", ",": "%2C"}, ",")
"""Escaped like @actions/core ``escapeData`` and ``escapeProperty``."""
_AZURE = _log_commands("%AZP25", {"]": "%5D", ";": "%3B"}, ";")
"""Escaped like azure-pipelines-task-lib ``escapedata`` and ``escape``."""


def render_github(result: RunResult, cwd: Path | None = None) -> str:
    """``::error file=..,line=..::message`` annotations, one line per diagnostic."""
    out = []
    for file, d in findings(result, cwd):
        props = [("file", file), ("line", str(d.line)), ("col", str(d.column))]
        if d.end_line == d.line and d.end_column is not None and d.end_column > d.column:
            # The runner drops columns of multi-line spans and rejects endColumn < col.
            props += [("endLine", str(d.end_line)), ("endColumn", str(d.end_column))]
        props.append(("title", f"{d.code} {d.rule}"))
        out.append(_GITHUB.line(f"::{d.severity} ", props, "::", d.message))
    return lines(out)


def render_azure(result: RunResult, cwd: Path | None = None) -> str:
    """``##vso[task.logissue type=error;sourcepath=..]message`` lines, one per diagnostic."""
    out = []
    for file, d in findings(result, cwd):
        props = [("type", d.severity), ("sourcepath", file), ("linenumber", str(d.line)),
                 ("columnnumber", str(d.column)), ("code", d.code)]
        out.append(_AZURE.line("##vso[task.logissue ", props, "]", d.message))
    return lines(out)


# --- JUnit XML -----------------------------------------------------------------------------------

def render_junit(result: RunResult, cwd: Path | None = None) -> str:
    """JUnit XML: a testsuite per file with findings, a failing testcase per diagnostic."""
    by_file: dict[str, list[Diagnostic]] = {}
    for file, d in findings(result, cwd):
        by_file.setdefault(file, []).append(d)
    total = sum(len(found) for found in by_file.values())
    suites = ET.Element("testsuites", name="playbooklint", tests=str(max(total, 1)), failures=str(total), errors="0")
    for file, found in by_file.items():
        suite = ET.SubElement(suites, "testsuite", name=xml_value(file), tests=str(len(found)),
                              failures=str(len(found)), errors="0")
        for d in found:
            case = ET.SubElement(suite, "testcase", classname=xml_value(file), name=f"{d.rule} {d.line}:{d.column}")
            # attributes keep the message exactly (XML escapes line breaks in them); the body is
            # the one-line text report of the finding
            failure = ET.SubElement(case, "failure", message=xml_value(d.message), type=d.rule)
            failure.text = f"{shown(file)}:{d.line}:{d.column}: {d.severity} {shown(d.message)} [{d.rule}]"
    if not by_file:
        suite = ET.SubElement(suites, "testsuite", name="playbooklint", tests="1", failures="0", errors="0")
        ET.SubElement(suite, "testcase", classname="playbooklint", name="no problems found")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + xml_text(ET.tostring(suites, encoding="unicode")) + "\n"


# --- GitLab Code Quality -------------------------------------------------------------------------

GITLAB_SEVERITY = {"error": "major", "warning": "minor"}


def render_gitlab(result: RunResult, cwd: Path | None = None) -> str:
    """GitLab Code Quality JSON: a list of issues with stable, unique fingerprints."""
    items = list(findings(result, cwd))
    issues = [
        {
            "description": d.message,
            "check_name": d.rule,
            "fingerprint": fingerprint,
            "severity": GITLAB_SEVERITY[d.severity],
            "location": {"path": file, "lines": {"begin": d.line}},
        }
        for (file, d), fingerprint in zip(items, fingerprints(items))
    ]
    return json_text(json.dumps(issues, indent=2, ensure_ascii=False)) + "\n"

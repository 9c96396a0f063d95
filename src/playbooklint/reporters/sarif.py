"""SARIF 2.1.0 for GitHub code scanning: one run, every rule described, URIs relative to the
working directory (``%SRCROOT%``, which is the repository root in CI). Lines and columns are
1-based and count Unicode code points."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .. import __version__
from .common import fingerprints, located
from .escape import json_text

if TYPE_CHECKING:
    from ..model import Diagnostic
    from ..rules import Rule
    from .common import RunResult

INFORMATION_URI = "https://github.com/playbooklint/playbooklint"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SECTIONS = ("What it checks", "Why", "Example", "Use instead", "Options")
"""The section headers of a rule's documentation, in order."""

_DOUBLE_BACKTICKS = re.compile(r"``([^`]+)``")


# --- rule documentation --------------------------------------------------------------------------

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


def _sarif_rule(rule: Rule) -> dict[str, Any]:
    """A SARIF reportingDescriptor for one rule."""
    from ..rules.docs import url as rule_url

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
        "helpUri": rule_url(rule),
        "defaultConfiguration": config,
        "properties": {"tags": ["documentation", topic]},
    }


# --- locations -----------------------------------------------------------------------------------

def _sarif_uri(path: str) -> str:
    """A root-relative POSIX path as a relative URI reference: percent-encoded UTF-8, and a byte of
    the file name that is not UTF-8 percent-encoded as itself (``bad%FF.md``)."""
    try:
        data = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate no byte stands for (a Windows name)
        data = path.encode("utf-8", "surrogatepass")
    return quote(data, safe="/")


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


# --- the log -------------------------------------------------------------------------------------

def render_sarif(result: RunResult, cwd: Path | None = None) -> str:
    """SARIF 2.1.0 for GitHub code scanning: one run, every rule described, URIs relative to the
    working directory (``%SRCROOT%``)."""
    from ..rules import RULES  # only this report needs the rules (keeps the CLI's start-up light)

    index = {rule.code: i for i, rule in enumerate(RULES)}
    rules = [_sarif_rule(rule) for rule in RULES]
    where = list(located(result, cwd))
    items = [(file, d) for file, d, _docset in where]
    results = []
    for (file, d, docset), fingerprint in zip(where, fingerprints(items)):
        item: dict[str, Any] = {"ruleId": d.code}
        if d.code in index:
            item["ruleIndex"] = index[d.code]
        item.update({
            "level": d.severity,
            "message": {"text": d.message},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(file), "region": _sarif_region(d)}}],
            "partialFingerprints": {"playbooklint/v1": fingerprint},
            "properties": {"docset": docset},
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
    return json_text(json.dumps(log, indent=2, ensure_ascii=False)) + "\n"

"""JSON reports: ``json`` (one document with the roots, the findings and the counts) and
``json-lines`` (one compact object per finding). Named so as not to shadow the standard ``json``.

Strings are exact (JSON escapes), except a byte of a file name that is not UTF-8, written ``\\xNN``
(see ``escape.json_text``): the output is always valid UTF-8."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from .common import counts, lines, located, statistics
from .escape import json_text

if TYPE_CHECKING:
    from .common import RunResult


def render_json(result: RunResult, cwd: Path | None = None, *, with_statistics: bool = False) -> str:
    """The roots, the findings, the counts (and with ``--statistics`` a ``statistics`` list: per
    rule ``count``, ``code``, ``name``, ``fixable``, most frequent first)."""
    diagnostics = []
    for file, d, docset in located(result, cwd):
        item = d.as_dict()
        item["file"] = file
        item["docset"] = docset
        diagnostics.append(item)
    payload = {
        "version": 1,
        "roots": [str(r.root) for r in result.results],
        "diagnostics": diagnostics,
        "summary": counts(result),
    }
    if with_statistics:
        payload["statistics"] = statistics(result)
    fixes = getattr(result, "fixes", None)
    if fixes is not None:  # --fix: what was fixed, what was not and why
        payload["fixes"] = fixes.as_dict(cwd)
    return json_text(json.dumps(payload, indent=2, ensure_ascii=False)) + "\n"


def render_json_lines(result: RunResult, cwd: Path | None = None) -> str:
    """One compact JSON object per diagnostic per line (``Diagnostic.as_dict()`` plus ``file`` and
    ``docset``)."""
    out = []
    for file, d, docset in located(result, cwd):
        item = d.as_dict()
        item["file"] = file
        item["docset"] = docset
        out.append(json_text(json.dumps(item, ensure_ascii=False, separators=(",", ":"))))
    return lines(out)

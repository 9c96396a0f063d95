"""Reporters: the full, sorted run result in, the whole report as text out. None prints or
decides exit codes.

``FORMATS`` is the registry of ``--format`` names, in the order ``--help`` lists them; ``render``
looks a format up. One module per family:

* ``common``: display paths, counts and the summary line, findings and fingerprints
* ``text``: ``text``, ``concise``, ``full`` and the ``--statistics`` table, for people
* ``jsonfmt``: ``json`` and ``json-lines``
* ``sarif``: SARIF 2.1.0 for code scanning
* ``ci``: ``github``, ``azure``, ``junit`` and ``gitlab``, for CI systems
* ``html``: one self-contained HTML page for a docs lead (template in ``templates/``)
* ``lifecycle``: the ``lifecycle`` command's report, as text or JSON

Paths are shown as ``display_path`` shows them (relative to ``cwd`` when below it); the
machine-readable formats always use ``/`` separators.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .ci import render_azure, render_github, render_gitlab, render_junit
from .common import counts, display_path, summary_line
from .html import render_html
from .jsonfmt import render_json, render_json_lines
from .sarif import render_sarif
from .text import render_concise, render_full, render_statistics, render_text

if TYPE_CHECKING:
    from .common import RunResult


class Reporter(Protocol):
    """Renders a whole run result as one report."""

    def __call__(self, result: RunResult, cwd: Path | None = None) -> str: ...


FORMATS: dict[str, Reporter] = {
    "text": render_text,
    "concise": render_concise,
    "full": render_full,
    "json": render_json,
    "json-lines": render_json_lines,
    "sarif": render_sarif,
    "github": render_github,
    "azure": render_azure,
    "junit": render_junit,
    "gitlab": render_gitlab,
    "html": render_html,
}
"""Format name -> renderer ``(result, cwd=None) -> str``."""

CI_FORMATS: dict[str, Reporter] = {
    name: FORMATS[name] for name in ("json-lines", "sarif", "github", "azure", "junit", "gitlab")
}
"""The formats made for CI systems and code-scanning tools (golden outputs in tests/golden/)."""


STATISTICS_FORMATS = ("text", "concise", "full", "json")
"""The formats ``--statistics`` applies to: the table for the text ones, a ``statistics`` list in JSON."""


def render(name: str, result: RunResult, *, cwd: Path | None = None, color: bool = False,
           with_statistics: bool = False) -> str:
    """The report in format ``name`` (a key of ``FORMATS``); only the text report has colour.
    ``with_statistics``: the findings per rule instead of the findings (a list beside them in JSON)."""
    if with_statistics:
        if name == "json":
            return render_json(result, cwd, with_statistics=True)
        return render_statistics(result, cwd)
    if name == "text":
        return render_text(result, cwd, color=color)
    return FORMATS[name](result, cwd)


__all__ = [
    "CI_FORMATS", "FORMATS", "Reporter", "counts", "display_path", "render", "render_azure", "render_concise",
    "render_github", "render_gitlab", "render_html", "render_json", "render_json_lines", "render_junit", "render_sarif",
    "render_full", "render_statistics", "render_text", "summary_line", "STATISTICS_FORMATS",
]

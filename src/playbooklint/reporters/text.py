"""Reports for people: ``text`` (grouped by file, optionally coloured) and ``concise`` (one line
per finding). Both end with the summary line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .common import counts, display_path, summary_line

if TYPE_CHECKING:
    from ..model import Diagnostic
    from .common import RunResult


def text_line(root: Path, d: Diagnostic, cwd: Path | None = None) -> str:
    return f"{display_path(root, d.path, cwd)}:{d.line}:{d.column}: {d.severity} {d.message} [{d.rule}]"


def render_concise(result: RunResult, cwd: Path | None = None) -> str:
    """One line per finding (``path:line:col: severity message [rule]``), then the summary."""
    lines = [text_line(r.root, d, cwd) for r in result.results for d in r.diagnostics]
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def render_text(result: RunResult, cwd: Path | None = None, color: bool = False) -> str:
    """Findings grouped by file (a blank line between files), each line still clickable;
    coloured when asked (severity, path, rule)."""
    import click

    def style(text: str, **kwargs: object) -> str:
        return click.style(text, **kwargs) if color else text  # type: ignore[arg-type]

    out: list[str] = []
    previous = None
    for r in result.results:
        for d in r.diagnostics:
            path = display_path(r.root, d.path, cwd)
            if previous is not None and (r.root, d.path) != previous:
                out.append("")
            previous = (r.root, d.path)
            severity = style(d.severity, fg="red" if d.severity == "error" else "yellow", bold=True)
            out.append(f"{style(path, bold=True)}:{d.line}:{d.column}: {severity} {d.message} "
                       f"{style('[' + d.rule + ']', dim=True)}")
    c = counts(result)
    summary = summary_line(result)
    if color:
        summary = style(summary, fg="red" if c["errors"] else ("yellow" if c["warnings"] else "green"), bold=True)
    if out:
        out.append("")
    out.append(summary)
    return "\n".join(out) + "\n"

"""Reports for people: ``text`` (grouped by file, optionally coloured), ``concise`` (one line
per finding), ``full`` (each finding with its source line and a caret under the column) and the
``--statistics`` table (findings per rule). All end with the summary line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .common import SourceLines, counts, display_path, statistics, summary_line
from .escape import shown, shown_path

if TYPE_CHECKING:
    from ..model import Diagnostic
    from .common import RunResult


def text_line(root: Path, d: Diagnostic, cwd: Path | None = None) -> str:
    """``path:line:col: severity message [rule]``, path and message as ``shown`` (one inert line)."""
    path = shown_path(display_path(root, d.path, cwd))
    return f"{path}:{d.line}:{d.column}: {d.severity} {shown(d.message)} [{d.rule}]"


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
            path = shown_path(display_path(r.root, d.path, cwd))
            if previous is not None and (r.root, d.path) != previous:
                out.append("")
            previous = (r.root, d.path)
            severity = style(d.severity, fg="red" if d.severity == "error" else "yellow", bold=True)
            out.append(f"{style(path, bold=True)}:{d.line}:{d.column}: {severity} {shown(d.message)} "
                       f"{style('[' + d.rule + ']', dim=True)}")
    c = counts(result)
    summary = summary_line(result)
    if color:
        summary = style(summary, fg="red" if c["errors"] else ("yellow" if c["warnings"] else "green"), bold=True)
    if out:
        out.append("")
    out.append(summary)
    return "\n".join(out) + "\n"


def render_full(result: RunResult, cwd: Path | None = None) -> str:
    """Each finding (``path:line:col: severity message [rule]``), then its source line and a caret
    under the column, spanning to ``end_column`` when the span ends on the same line; a blank line
    between findings, then the summary. A file that cannot be read shows no source line."""
    sources = SourceLines()
    out: list[str] = []
    for r in result.results:
        for d in r.diagnostics:
            out.append(text_line(r.root, d, cwd))
            source = sources.line(r.root, d.path, d.line)
            if source is not None:
                out.extend(_excerpt(source, d))
            out.append("")
    out.append(summary_line(result))
    return "\n".join(out) + "\n"


def _excerpt(source: str, d: Diagnostic) -> list[str]:
    """The source line under a gutter with the line number, and the caret line below it; the line
    as ``shown`` (a stray CR or an escape sequence in it is written visibly), the caret under the
    same characters."""
    number = str(d.line)
    gutter = " " * len(number)
    start = min(max(d.column, 1), len(source) + 1)
    width = 1
    if d.end_column is not None and d.end_line in (None, d.line) and d.end_column > start:
        width = min(d.end_column, len(source) + 1) - start
    before = shown(source[:start - 1])
    width = len(shown(source[:start - 1 + max(width, 1)])) - len(before)
    # keep tabs in the caret line so the caret sits under the same character
    pad = "".join(c if c == "\t" else " " for c in before)
    return [f" {number} | {shown(source)}".rstrip(), f" {gutter} | {pad}{'^' * max(width, 1)}"]


def render_statistics(result: RunResult, cwd: Path | None = None) -> str:
    """``--statistics``: one line per rule, most frequent first (ruff's layout: count, code, name,
    and how many a fix can resolve), then the summary line."""
    rows = statistics(result)
    out: list[str] = []
    if rows:
        count_width = max(len(str(row["count"])) for row in rows)
        name_width = max(len(str(row["name"])) for row in rows)
        for row in rows:
            fixable = f"[*] {row['fixable']} fixable" if row["fixable"] else ""
            out.append(f"{row['count']:>{count_width}}  {row['code']}  {row['name']:<{name_width}}  {fixable}".rstrip())
        out.append("")
    out.append(summary_line(result))
    return "\n".join(out) + "\n"

"""Reporters: the full sorted list of findings in, text out. They never decide exit codes."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .engine import RunResult
from .model import Diagnostic


def display_path(root: Path, rel: str, cwd: Path | None = None) -> str:
    """The path a user can click: relative to the working directory when below it."""
    absolute = root / rel if rel not in ("", ".") else root
    cwd = cwd or Path.cwd()
    try:
        shown = os.path.relpath(absolute, cwd)
    except ValueError:  # another drive on Windows
        return str(absolute)
    if shown.startswith(".." + os.sep) or shown == "..":
        return str(absolute)
    return shown


def counts(result: RunResult) -> dict[str, int]:
    diagnostics = result.diagnostics
    errors = sum(1 for d in diagnostics if d.severity == "error")
    return {
        "errors": errors,
        "warnings": len(diagnostics) - errors,
        "files_with_findings": len({(str(r.root), d.path) for r in result.results for d in r.diagnostics}),
        "files_checked": sum(r.files for r in result.results),
    }


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary_line(result: RunResult) -> str:
    c = counts(result)
    if not c["errors"] and not c["warnings"]:
        return f"No problems found in {_plural(c['files_checked'], 'file')}."
    return (f"Found {_plural(c['errors'], 'error')} and {_plural(c['warnings'], 'warning')} "
            f"in {_plural(c['files_with_findings'], 'file')} ({c['files_checked']} checked).")


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


def render_json(result: RunResult, cwd: Path | None = None) -> str:
    diagnostics = []
    for r in result.results:
        for d in r.diagnostics:
            item = d.as_dict()
            item["file"] = display_path(r.root, d.path, cwd).replace(os.sep, "/")
            diagnostics.append(item)
    payload = {
        "version": 1,
        "roots": [str(r.root) for r in result.results],
        "diagnostics": diagnostics,
        "summary": counts(result),
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"

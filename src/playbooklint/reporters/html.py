"""``--format html``: one self-contained page a docs lead reads (no network, no CDN), rendered
from ``templates/report.html.j2`` with autoescaping everywhere, every string written as
``escape.shown`` writes it (control and format characters visible, valid UTF-8 whatever the file
names).

Sections: the summary (pages, docsets, errors, warnings, findings per rule as bars); findings by
page with the source line and the line before it, filterable by rule and severity (a small inline
script; without it everything shows); each docset's lifecycle as an inline SVG; freshness (a
histogram of ``ms.date`` age and the twenty oldest pages); the most-linked missing targets.

The lifecycle and freshness read the docset (``DocsetResult.docset``); a result without one
(findings reused from the cache) skips them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import SourceLines, counts, display_path, docset_name, statistics, summary_line
from .escape import shown

if TYPE_CHECKING:
    from .common import RunResult

AGE_BUCKETS = (
    ("under 3 months", 91), ("3–6 months", 182), ("6–12 months", 365), ("1–2 years", 730),
    ("2–3 years", 1095), ("over 3 years", None),
)
"""Histogram buckets of ``ms.date`` age: label and upper bound in days (exclusive)."""
OLDEST = 20
MISSING_TARGETS = 20
_QUOTED = re.compile(r"'([^']+)'")
_DATE = re.compile(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
_ISO = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_ms_date(value: object) -> dt.date | None:
    """``ms.date`` as Learn writes it (M/D/YYYY; YAML dates and ISO too), or None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    found = _DATE.match(value)
    try:
        if found:
            return dt.date(int(found[3]), int(found[1]), int(found[2]))
        found = _ISO.match(value)
        if found:
            return dt.date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None
    return None


def _pages(result: RunResult, cwd: Path | None) -> list[dict[str, Any]]:
    sources = SourceLines()
    pages: list[dict[str, Any]] = []
    for r in result.results:
        current: dict[str, Any] | None = None
        for d in r.diagnostics:
            if current is None or current["rel"] != d.path:
                current = {"rel": d.path, "file": display_path(r.root, d.path, cwd).replace("\\", "/"),
                           "docset": docset_name(r), "findings": []}
                pages.append(current)
            line = sources.line(r.root, d.path, d.line)
            before = sources.line(r.root, d.path, d.line - 1) if d.line > 1 else None
            current["findings"].append({
                "line": d.line, "column": d.column, "severity": d.severity, "rule": d.rule, "code": d.code,
                "message": d.message, "source": line, "before": before, "fixable": d.fix is not None,
            })
    return pages


def _lifecycles(result: RunResult) -> list[dict[str, Any]]:
    """Each docset's phases in order, with box positions for the SVG (six to a row)."""
    out = []
    for r in result.results:
        docset = getattr(r, "docset", None)
        lifecycle = getattr(docset, "lifecycle", None) if docset is not None else None
        if lifecycle is None or not lifecycle.phases:
            continue
        per_row, width, height, gap_x, gap_y = 6, 160, 56, 30, 36
        boxes = []
        for i, phase in enumerate(lifecycle.phases):
            row, col = divmod(i, per_row)
            boxes.append({"number": i + 1, "title": phase.title, "path": phase.path,
                          "x": 10 + col * (width + gap_x), "y": 10 + row * (height + gap_y),
                          "last_in_row": col == per_row - 1})
        rows = (len(boxes) + per_row - 1) // per_row
        out.append({
            "docset": docset_name(r), "source": lifecycle.describe_source(), "phases": boxes,
            "box_width": width, "box_height": height, "gap_x": gap_x,
            "width": 20 + min(len(boxes), per_row) * (width + gap_x) - gap_x,
            "height": 20 + rows * (height + gap_y) - gap_y,
        })
    return out


def _freshness(result: RunResult, today: dt.date, cwd: Path | None) -> dict[str, Any] | None:
    """Age of ``ms.date`` over the Markdown pages of the docsets reported on."""
    dated: list[tuple[int, str, str]] = []
    undated = 0
    seen = False
    for r in result.results:
        docset = getattr(r, "docset", None)
        if docset is None:
            continue
        seen = True
        for rel in sorted(docset.pages):
            if not rel.lower().endswith(".md"):
                continue
            raw = docset.metadata(rel).get("ms.date")
            when = parse_ms_date(raw)
            if when is None:
                undated += 1
                continue
            file = display_path(r.root, rel, cwd).replace("\\", "/")
            dated.append(((today - when).days, file, str(raw).strip()))
    if not seen:
        return None
    buckets: list[dict[str, Any]] = []
    lower = -10**9
    for label, upper in AGE_BUCKETS:
        n = sum(1 for age, _f, _d in dated if age >= lower and (upper is None or age < upper))
        buckets.append({"label": label, "count": n})
        lower = upper if upper is not None else lower
    buckets.append({"label": "no valid ms.date", "count": undated})
    top = max((b["count"] for b in buckets), default=0) or 1
    for b in buckets:
        b["percent"] = round(100 * b["count"] / top, 1)
    oldest = sorted(dated, key=lambda item: (-item[0], item[1]))[:OLDEST]
    return {"buckets": buckets, "dated": len(dated), "undated": undated,
            "oldest": [{"file": f, "date": d, "age": age} for age, f, d in oldest]}


def _missing_targets(result: RunResult) -> list[dict[str, Any]]:
    """Missing link targets by how many ``link-broken`` findings name them (the first quoted name
    in the message, as the rule writes it)."""
    found: Counter[str] = Counter()
    pages: dict[str, set[str]] = {}
    for d in result.diagnostics:
        if d.rule != "link-broken":
            continue
        quoted = _QUOTED.search(d.message)
        if quoted is None:
            continue
        target = quoted[1]
        found[target] += 1
        pages.setdefault(target, set()).add(d.path)
    ordered = sorted(found.items(), key=lambda item: (-item[1], item[0]))[:MISSING_TARGETS]
    return [{"target": t, "count": n, "pages": len(pages[t])} for t, n in ordered]


def render_html(result: RunResult, cwd: Path | None = None, *, today: dt.date | None = None) -> str:
    """The whole report as one HTML document (no external resources)."""
    import jinja2

    from .. import __version__

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("playbooklint.reporters", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        finalize=lambda value: shown(value) if isinstance(value, str) else value,
    )
    rules = statistics(result)
    top = max((int(str(row["count"])) for row in rules), default=0) or 1
    for row in rules:
        row["percent"] = round(100 * int(str(row["count"])) / top, 1)
    today = today or dt.date.today()
    c = counts(result)
    context = {
        "version": __version__,
        "today": today.isoformat(),
        "roots": [str(r.root) for r in result.results],
        "counts": c,
        "summary": summary_line(result),
        "rules": rules,
        "pages": _pages(result, cwd),
        "lifecycles": _lifecycles(result),
        "freshness": _freshness(result, today, cwd),
        "missing": _missing_targets(result),
    }
    return environment.get_template("report.html.j2").render(context)

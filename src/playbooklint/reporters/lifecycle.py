"""The ``lifecycle`` command's report: the phases in order, their titles, and which pages and TOC
sections list which phases, as text or as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import display_path, lines
from .escape import json_text, shown, shown_path

if TYPE_CHECKING:
    from ..config import Config
    from ..lifecycle import Lifecycle


def render_lifecycle_json(root: Path, found: Lifecycle | None) -> str:
    payload: dict[str, Any] = {"root": str(root), "lifecycle": None}
    if found is not None:
        payload["lifecycle"] = {
            "source": found.source,
            "describe": found.describe_source(),
            "phases": [{"number": p.number, "title": p.title, "path": p.path} for p in found.phases],
            "listings": [
                {"path": li.path, "kind": li.kind, "line": li.line,
                 "phases": [found.phases[item.position].path for item in li.items]}
                for li in found.listings
            ],
        }
    return json_text(json.dumps(payload, indent=2, ensure_ascii=False)) + "\n"


def render_lifecycle_text(root: Path, config: Config, found: Lifecycle | None, cwd: Path | None = None) -> str:
    """The lifecycle for people; when there is none, where it was looked for."""
    if found is None:
        heading = config.lifecycle_heading
        return (f"No lifecycle in {shown(display_path(root, '.', cwd))}: no lifecycle.phases configured and no "
                f"ordered list of page links under a heading containing '{shown(heading)}' in {shown(config.index)}.\n")
    source = shown(found.describe_source())
    out = [f"Lifecycle of {shown(display_path(root, '.', cwd))}: {len(found.phases)} phases, from {source}"]
    titles = [shown(p.title) for p in found.phases]
    width = max(map(len, titles)) if titles else 0
    for phase, title in zip(found.phases, titles):
        out.append(f"  {phase.number:>3}. {title:<{width}}  {shown(phase.path)}")
    out.append("")
    out.append("Listed in:")
    for listing in found.listings:
        positions = [item.position for item in listing.items]
        flag = "" if positions == sorted(positions) else "  (out of order)"
        what = "TOC section" if listing.kind == "toc" else ("ordered list" if listing.ordered else "list")
        out.append(f"  {shown_path(listing.path)}:{listing.line}  {what}: phases {_ranges([p + 1 for p in positions])}{flag}")
    if not found.listings:
        out.append("  (nothing lists two or more phases)")
    return lines(out)


def _ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 5]`` -> ``1-3, 5`` (in the order given)."""
    parts: list[str] = []
    start: int | None = None
    prev: int | None = None
    for n in [*numbers, None]:
        if start is not None and n is not None and prev is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = n
    return ", ".join(parts)

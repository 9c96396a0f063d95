"""Page structure and DocFX extensions (Learn validation pack): the H1, merge conflicts, alerts,
block extensions, zone pivots and code snippet regions."""

from __future__ import annotations

import posixpath
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from itertools import product
from typing import TYPE_CHECKING, NamedTuple

from ..fuzzy import closest, did_you_mean
from ..model import Directive, Include, Page, Problem
from .base import Rule
from .frontmatter import _is_checked_page

if TYPE_CHECKING:
    from ..docset import Docset

MAX_INCLUDE_DEPTH = 16
MAX_EVENTS = 10_000
"""Beyond this many events of a page with its includes expanded (includes that each include the
next ten times, eight levels deep, would make a hundred million), further includes are not
expanded: they count as includes whose text is not known here, which hides nothing and reports
nothing wrongly."""
MAX_SCENARIOS = 64
"""Beyond this many pivot and target choices on one page, only a page without any H1 is reported."""

# ---------------------------------------------------------------------------------- zones


class _Zone(NamedTuple):
    """A zone as DocFX opens it: the lines it covers and what shows it."""

    start: int
    end: int
    kind: str
    """``pivot`` or ``target``."""
    values: frozenset[str]


_PIVOT = re.compile(r"(?i:pivot)\s*=\s*\"([^\"]*)\"")
_TARGET = re.compile(r"(?i:target)\s*=\s*\"([^\"]*)\"")


def _pivots(directive: Directive) -> list[str]:
    """The pivot ids a ``::: zone pivot="a,b"`` names (empty for a target-only zone)."""
    match = _PIVOT.search(directive.args)
    return [p.strip() for p in match.group(1).split(",") if p.strip()] if match else []


def _zones(page: Page) -> list[_Zone]:
    """The page's zones as DocFX reads them: a zone opened inside another is not a zone, an
    unclosed one runs to the end of the file, a zone without pivot or target is not one."""
    zones: list[_Zone] = []
    open_zone: Directive | None = None
    for directive in page.directives:
        if directive.name == "zone" and open_zone is None:
            open_zone = directive
        elif directive.name == "zone-end" and open_zone is not None:
            zones.append(_zone(open_zone, directive.line))
            open_zone = None
    if open_zone is not None:
        zones.append(_zone(open_zone, page.lines + 1))
    return [zone for zone in zones if zone.values]


def _zone(directive: Directive, end: int) -> _Zone:
    pivots = _pivots(directive)
    if pivots:
        return _Zone(directive.line, end, "pivot", frozenset(pivots))
    target = _TARGET.search(directive.args)
    return _Zone(directive.line, end, "target", frozenset({target.group(1).strip()} if target else ()))


def _zone_at(zones: list[_Zone], starts: list[int], line: int) -> _Zone | None:
    """The zone around a line (zones never overlap; ``starts`` are their start lines, in order)."""
    index = bisect_right(starts, line - 1) - 1
    return zones[index] if index >= 0 and zones[index].start < line < zones[index].end else None


# ---------------------------------------------------------------------------------- heading-h1


class _Event(NamedTuple):
    """Something of a page in rendering order, includes expanded."""

    kind: str
    """``h1``, ``content``, or ``unknown`` (an include whose text cannot be read here)."""
    line: int
    """Where it is on the page (an include's own line for what it brings)."""
    column: int
    zones: tuple[_Zone, ...]
    """The zones it is inside (its own file's, and those around the includes that bring it)."""
    via: Include | None
    """The include of the page that brings it (None: the page's own)."""
    text: str
    """An H1's text."""


def _events(docset: Docset, rel: str, via: Include | None, zones: tuple[_Zone, ...],
            stack: list[str], budget: list[int] | None = None) -> list[_Event]:
    """The page's events in rendering order, includes expanded (at most ``MAX_EVENTS`` in all,
    counted down in ``budget``)."""
    budget = [MAX_EVENTS] if budget is None else budget
    page = docset.pages.get(rel)
    if page is None or page.kind != "markdown" or not page.readable or page.conflicts:
        # unreadable, or both sides of a merge conflict in it: what it shows is not known
        return [_Event("unknown", via.line, via.column, zones, via, "")] if via is not None else []
    own_zones = _zones(page)
    starts = [zone.start for zone in own_zones]
    titles = {(h.line, h.column): h.text for h in page.headings if h.level == 1}
    items: list[tuple[int, int, int, str, str | None, Include | None]] = []
    items += [(line, col, 0, "h1", None, None) for line, col in page.outline.h1]
    items += [(line, col, 1, "content", None, None) for line, col in page.outline.content]
    edges = {(inc.line, inc.column): target for inc, target in docset.include_edges.get(rel, [])}
    for include in page.includes:
        target = edges.get((include.line, include.column))
        if target is None:
            resolved = docset.resolve_include(rel, include)
            broken = resolved.status in ("missing", "empty", "self", "outside")
            if broken and not docset.is_external_include(resolved):
                continue  # include-missing says so; DocFX shows nothing there
        items.append((include.line, include.column, -1, "include", target, include))
    events: list[_Event] = []
    for line, col, _order, kind, target, directive in sorted(items, key=lambda i: i[:3]):
        zone = _zone_at(own_zones, starts, line)
        here = zones + (zone,) if zone is not None else zones
        if kind != "include":
            budget[0] -= 1
            events.append(_Event(kind, via.line if via else line, via.column if via else col, here, via,
                                 titles.get((line, col), "")))
            continue
        at = via or directive
        assert at is not None
        budget[0] -= 1  # each event and each expansion counts
        if target is None or budget[0] <= 0:
            events.append(_Event("unknown", at.line, at.column, here, at, ""))
        elif target not in stack and len(stack) <= MAX_INCLUDE_DEPTH:
            stack.append(target)
            events += _events(docset, target, at, here, stack, budget)
            stack.pop()
    return events


def _scenarios(events: list[_Event]) -> list[tuple[str | None, str | None]]:
    """Each (pivot, target) a reader can choose, among those the events' zones name."""
    pivots = sorted({v for e in events for z in e.zones if z.kind == "pivot" for v in z.values})
    targets = sorted({v for e in events for z in e.zones if z.kind == "target" for v in z.values})
    pivot_choices: list[str | None] = [*pivots] or [None]
    target_choices: list[str | None] = [*targets] or [None]
    return list(product(pivot_choices, target_choices))


def _visible(event: _Event, pivot: str | None, target: str | None) -> bool:
    return all((pivot if zone.kind == "pivot" else target) in zone.values for zone in event.zones)


def _shown(event: _Event) -> str:
    return f"'{event.text}'" if event.text else "an HTML <h1>"


def _where(event: _Event) -> str:
    return f"line {event.line}" if event.via is None else f"include '{event.via.target}', line {event.line}"


def _reader(pivot: str | None, target: str | None) -> str:
    """Who sees a scenario: "readers of pivot 'x'" and/or "of target 'y'"."""
    parts = ([f"pivot '{pivot}'"] if pivot else []) + ([f"target '{target}'"] if target else [])
    return " and ".join(parts)


def _h1_problems(events: list[_Event], pivot: str | None, target: str | None) -> Iterator[tuple[str, Problem]]:
    """(kind, problem) for a second H1 and content before the H1, as a reader of this pivot and
    target sees the page (one with no H1 at all is ``_missing``'s)."""
    shown = [e for e in events if _visible(e, pivot, target)]
    h1s = [e for e in shown if e.kind == "h1"]
    when = f" for readers of {_reader(pivot, target)}" if pivot or target else ""
    if not h1s:
        return
    first = h1s[0]
    for extra in h1s[1:]:
        where = f"the first is {_shown(first)} at {_where(first)}"
        if extra.via is None:
            message = f"a second H1 {_shown(extra)}{when} ({where}): a page has one H1; make this one an H2"
        else:
            message = (f"include '{extra.via.target}' adds a second H1 {_shown(extra)}{when} ({where}): a page "
                       "has one H1; make it an H2 in the include file")
        yield "second", Problem(extra.line, extra.column, message)
    lead = shown[0]
    if lead.kind == "content":
        if lead.via is None:
            message = f"content before the H1 {_shown(first)}{when}: Learn expects the page to start with its H1"
        else:
            message = (f"include '{lead.via.target}' puts content before the H1 {_shown(first)}{when}: Learn "
                       "expects the page to start with its H1")
        yield "before", Problem(lead.line, lead.column, message + f"; move it below the H1 at {_where(first)}")


def heading_h1(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    A published Markdown page has exactly one H1, and nothing visible before it: not a
    paragraph, list, table, image, alert or lower heading. Includes are expanded where they
    stand: an include before the H1 that brings the H1 is fine, one that brings text puts content
    before it, and an include that brings a second H1 makes two. The front matter ``title`` is not
    an H1. HTML comments, blank lines, DocFX block markers (``::: zone``) and includes that bring
    nothing are not content. DocFX tab titles (``# [Linux](#tab/linux)``) are tabs, not H1s. In a
    page with zone pivots each pivot is judged as a reader sees it: one H1 per pivot is right, and
    an H1 inside some zones only is not reported.

    Why
    The H1 is the title readers see on a Learn page; the front matter ``title`` only names the
    browser tab and search result. Without an H1 the page has no visible title, a second H1 breaks
    its outline, and text above the H1 is shown before the title.

    Example
    ::

        [!INCLUDE [feedback](includes/feedback.md)]
        # FastTrack Introduction
        ...
        # FastTrack Models and Lifecycle

    Use instead
    One ``# Title`` first; the other top sections as ``##``; banners and notes below the H1.

    Options
    Include files, TOCs (``toc.yml`` and ``toc.md``), YAML pages (``index.yml`` landing pages)
    and pages the docset does not publish are not checked. Includes that cannot be read here
    (from another repository) are assumed to be fine, and so are pages and includes with merge
    conflicts (``merge-conflict`` reports those; ``=======`` makes setext H1s of their lines).
    """
    if not _is_checked_page(page, docset) or posixpath.basename(page.path).lower() == "toc.md" \
            or page.conflicts:
        return  # a page in the middle of a merge conflict is merge-conflict's
    events = _events(docset, page.path, None, (), [page.path])
    scenarios = _scenarios(events)
    if len(scenarios) > MAX_SCENARIOS:
        if not any(e.kind in ("h1", "unknown") for e in events):
            yield Problem(1, 1, "page has no H1; start it with '# Title' (the front matter title does not make one)")
        return
    yield from _missing(events, scenarios)
    seen: set[tuple[int, int, str]] = set()
    for pivot, target in scenarios:
        for kind, problem in _h1_problems(events, pivot, target):
            if (problem.line, problem.column, kind) not in seen:  # once per place, whatever the pivot
                seen.add((problem.line, problem.column, kind))
                yield problem


def _missing(events: list[_Event], scenarios: list[tuple[str | None, str | None]]) -> Iterator[Problem]:
    """No H1 at all (an H1 inside some zones counts)."""
    blind = [(pivot, target) for pivot, target in scenarios
             if not any(e.kind in ("h1", "unknown") and _visible(e, pivot, target) for e in events)]
    if not blind:
        return
    # an H1 written only inside some zones is not reported: the page has one in its source, which
    # is what the build checks, and whether other pivots need their own is the writer's call
    if not any(e.kind == "h1" for e in events):
        yield Problem(1, 1, "page has no H1; start it with '# Title' (the front matter title does not make one)")


# ---------------------------------------------------------------------------------- merge-conflict


def merge_conflict(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    Git conflict markers left in a Markdown file (a page or an include file): a line starting
    ``<<<<<<<``, then a line that is exactly ``=======``, then a line starting ``>>>>>>>``. The
    three must come in that order and the first must be outside fenced code, so a setext H1
    (``Title`` over ``=======``), a table, or a conflict shown as an example in a code fence is
    not one. Reported once per conflict, at its ``<<<<<<<`` line.

    Why
    The markers are published as text (``=======`` even turns the line above into a heading),
    and both versions of the conflicting lines appear on the page.

    Example
    ::

        <<<<<<< HEAD
        Run the assessment in week 2.
        =======
        Run the assessment in week 3.
        >>>>>>> update-schedule

    Use instead
    Keep the right version and delete the three marker lines.

    Options
    None.
    """
    if page.kind != "markdown":
        return
    for conflict in page.conflicts:
        yield Problem(conflict.line, 1,
                      f"unresolved git merge conflict ('<<<<<<<' here, '=======' at line {conflict.middle}, "
                      f"'>>>>>>>' at line {conflict.end}); keep one version and delete the markers",
                      end_line=conflict.end)


# ---------------------------------------------------------------------------------- alert-invalid

ALERT_TYPES = ("NOTE", "TIP", "IMPORTANT", "CAUTION", "WARNING")
_OTHER_SYNTAX = ("div", "video", "include", "notebook")


def alert_invalid(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    A blockquote whose paragraph starts with ``[!WORD]`` alone on its line (``> [!NOTES]``,
    ``> [!Warn]``) where WORD is not an alert type DocFX knows: ``NOTE``, ``TIP``, ``IMPORTANT``,
    ``CAUTION``, ``WARNING`` (in any case: ``[!note]`` works), or one the docset adds in
    ``docfx.json`` (``build.markdownEngineProperties.alerts``). Other DocFX syntax in quotes is
    left alone: ``> [!div class="..."]``, ``> [!VIDEO url]``, ``> [!INCLUDE ...]``.

    Why
    DocFX renders an unknown alert as a plain quote that shows ``[!NOTES]`` as text, without the
    alert's colour, icon and title.

    Example
    ::

        > [!NOTES]
        > It is possible that a customer may engage in multiple models.

    Use instead
    ``> [!NOTE]`` (the message suggests the closest type).

    Options
    None; custom alert types come from docfx.json.
    """
    if page.kind != "markdown" or not page.alerts:
        return
    types = [*ALERT_TYPES, *(name.upper() for name in docset.docfx.alerts if name.upper() not in ALERT_TYPES)]
    known = set(types)
    for alert in page.alerts:
        name = alert.name
        lower = name.lower()
        if name.upper() in known or lower in _OTHER_SYNTAX or lower.startswith("code-"):
            continue
        upper = name.upper()
        guess = next((t for t in sorted(known) if t.startswith(upper) or upper.startswith(t)), None) \
            or closest(upper, sorted(known), 0.6)
        message = (f"'[!{name}]' is not an alert type DocFX knows ({', '.join(types)}): the quote is "
                   f"shown as plain text starting '[!{name}]'")
        yield Problem(alert.line, alert.column, did_you_mean(message, f"[!{guess}]" if guess else None),
                      end_line=alert.line, end_column=alert.column + len(name) + 3)


# ---------------------------------------------------------------------------------- extension-unclosed

_SHOWN = {
    "zone": ("::: zone", "::: zone-end"),
    "moniker": ("::: moniker", "::: moniker-end"),
    "row": (":::row:::", ":::row-end:::"),
    "column": (":::column:::", ":::column-end:::"),
    "image": (':::image type="complex":::', ":::image-end:::"),
}


def extension_unclosed(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    DocFX's block extensions are closed, in order, in each file (a page or an include file, which
    DocFX parses on its own): ``::: zone`` with ``::: zone-end``, ``::: moniker range=...`` with
    ``::: moniker-end``, ``:::row:::`` with ``:::row-end:::``, ``:::column:::`` with
    ``:::column-end:::``, ``:::image type="complex" ...:::`` with ``:::image-end:::``; and no end
    marker without its start. Blocks may nest (columns in a row, a moniker in a zone), but a
    zone cannot be opened inside another zone. Markers in fenced code are text.

    Why
    An unclosed block runs to the end of the file: a zone hides the rest of the page from every
    other pivot, a complex image's hidden description swallows the page. A second ``::: zone``
    before the first is closed is not a zone at all: DocFX shows its marker as text and its
    content under the first zone's pivot. A stray end marker is published as text.

    Example
    ::

        ::: zone pivot="programming-language-python"
        ...
        ::: zone pivot="programming-language-csharp"
        ...
        ::: zone-end

    Use instead
    ``::: zone-end`` before the next ``::: zone``; each ``:::row:::`` ends with
    ``:::row-end:::`` after its last ``:::column-end:::``.

    Options
    None.
    """
    if page.kind != "markdown" or not page.directives:
        return
    stack: list[Directive] = []
    for directive in page.directives:
        name = directive.name
        if not name.endswith("-end"):
            if name == "zone":
                outer = next((d for d in stack if d.name == "zone"), None)
                if outer is not None:
                    yield Problem(outer.line, outer.column,
                                  f"'::: zone' is not closed before the next '::: zone' at line {directive.line}, "
                                  "and zones cannot be nested; add '::: zone-end' before it")
                    stack.remove(outer)
            stack.append(directive)
            continue
        kind = name[: -len("-end")]
        opener, closer = _SHOWN[kind]
        index = next((i for i in range(len(stack) - 1, -1, -1) if stack[i].name == kind), None)
        if index is None:
            yield Problem(directive.line, directive.column,
                          f"'{closer}' closes nothing: no '{opener}' is open here; remove it or add its '{opener}'")
            continue
        for inner in stack[index + 1:]:
            inner_opener, inner_closer = _SHOWN[inner.name]
            yield Problem(inner.line, inner.column,
                          f"'{inner_opener}' is not closed before '{closer}' at line {directive.line}; add "
                          f"'{inner_closer}' where it ends")
        del stack[index:]
    for directive in stack:
        opener, closer = _SHOWN[directive.name]
        yield Problem(directive.line, directive.column,
                      f"'{opener}' is never closed, so it runs to the end of the file; add '{closer}' where it ends")


# ---------------------------------------------------------------------------------- zone-pivot-unknown

DEFAULT_PIVOT_FILE = "zone-pivot-groups.yml"


def _groups_declared(value: object) -> list[str]:
    """Group ids of a ``zone_pivot_groups`` value: comma-separated (or a YAML list)."""
    items = value if isinstance(value, list) else [value]
    return [g.strip() for item in items if isinstance(item, str) for g in item.split(",") if g.strip()]


def zone_pivot_unknown(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    Each ``::: zone pivot="a,b"`` names pivots of the zone pivot groups its page declares in
    ``zone_pivot_groups`` (front matter or docfx.json metadata; group ids, comma-separated), as
    the docset's ``zone-pivot-groups.yml`` defines them (``groups: - id: ... pivots: - id: ...``;
    another file when the metadata ``zone_pivot_group_filename`` names one, relative to the docset
    root). Also: a page that uses pivots without declaring ``zone_pivot_groups``, and a declared
    group the file does not define (at the front matter key). Zones in an include file are judged
    against each page that includes it.

    Why
    The pivot selector offers the pivots of the page's groups only: content in a zone with any
    other pivot is never shown, and a page that declares no groups gets no selector at all.

    Example
    ``::: zone pivot="programming-language-phyton"`` when the group defines
    ``programming-language-python``.

    Use instead
    A pivot id of the page's groups (the message suggests the closest), or add the pivot to the
    group in ``zone-pivot-groups.yml``.

    Options
    None. When the groups file is missing or unreadable nothing is checked against it.
    """
    if page.kind != "markdown":
        return
    zones = [d for d in page.directives if d.name == "zone" and _pivots(d)]
    in_include = docset.is_include(page.path)
    if not in_include and page.front_matter and "zone_pivot_groups" in page.front_matter:
        yield from _unknown_groups(page, docset)
    if not zones:
        return
    hosts = docset.rendering_pages(page.path) if in_include else [page.path]
    seen: set[tuple[int, int, str]] = set()
    for host in hosts:
        for problem in _pivot_problems(page, docset, host, zones):
            key = (problem.line, problem.column, problem.message)
            if key not in seen:
                seen.add(key)
                yield problem


def _pivot_file(docset: Docset, rel: str) -> str:
    name = docset.metadata(rel).get("zone_pivot_group_filename")
    return name.strip() if isinstance(name, str) and name.strip() else DEFAULT_PIVOT_FILE


def _unknown_groups(page: Page, docset: Docset) -> Iterator[Problem]:
    file = _pivot_file(docset, page.path)
    declared = docset.zone_pivots(file)
    if declared is None:
        return
    key = next((k for k in page.meta_keys if k.name == "zone_pivot_groups"), None)
    line, column = (key.line, key.column) if key else (1, 1)
    for group in _groups_declared(docset.metadata(page.path).get("zone_pivot_groups")):
        if group not in declared:
            message = f"zone pivot group '{group}' is not defined in '{file}'"
            yield Problem(line, column, did_you_mean(message, closest(group, sorted(declared), 0.6)))


def _pivot_problems(page: Page, docset: Docset, host: str, zones: list[Directive]) -> Iterator[Problem]:
    whose = "this page" if host == page.path else f"'{host}', which includes this file,"
    groups = _groups_declared(docset.metadata(host).get("zone_pivot_groups"))
    if not groups:
        first = zones[0]
        yield Problem(first.line, first.column,
                      f"zone pivots are used but {whose} declares no 'zone_pivot_groups'; add the group its "
                      "pivots come from to the front matter")
        return
    declared = docset.zone_pivots(_pivot_file(docset, host))
    if declared is None or any(group not in declared for group in groups):
        return  # no file to judge by, or a group it lacks (reported at the page's front matter)
    allowed = sorted({pivot for group in groups for pivot in declared[group]})
    for zone in zones:
        for pivot in _pivots(zone):
            if pivot in allowed:
                continue
            if host == page.path:
                message = (f"pivot '{pivot}' is not in this page's zone pivot groups ({', '.join(groups)}): this "
                           "zone is never shown")
            else:
                message = (f"pivot '{pivot}' is not in the zone pivot groups ({', '.join(groups)}) of '{host}', "
                           "which includes this file: this zone is never shown there")
            yield Problem(zone.line, zone.column, did_you_mean(message, closest(pivot, allowed, 0.6)))


# ---------------------------------------------------------------------------------- code-snippet-region


def _bounds(part: str) -> tuple[int, int | None]:
    start, _, end = part.partition("-")
    first = int(start) if start else 0
    if not _:
        return first, first
    return first, int(end) if end else None


def code_snippet_region(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    A code snippet that shows part of a file asks for a part the file has: the region of
    ``:::code source="f" id="x":::``, ``[!code-cs[](f#x)]`` and ``[!code-cs[](f?name=x)]``, found
    as DocFX finds it (``// <x>`` ... ``// </x>``, ``# <x>``, ``<!-- <x> -->``, ``' <x>``,
    ``-- <x>``, ``#region x`` ... ``#endregion``; any case, nested, with or without a ``snippet``
    prefix: ``#1`` finds ``<Snippet1>``), and closed; and the lines of ``range="3-5"``,
    ``?range=3-5,10``, ``?start=3&end=5`` and ``#L3-L5``, which must exist in the file.

    Why
    DocFX shows an empty code block (or a "sample not found" warning) for a region it cannot
    find, and silently cuts a range short: the reader gets no code, or the wrong lines. Regions go
    missing when the sample file is edited without the articles that use it.

    Example
    ``:::code language="csharp" source="snippets/Program.cs" id="Setup":::`` when the file has
    ``// <setup_client>`` ... ``// </setup_client>``.

    Use instead
    The region's real name (the message suggests the closest), or add the region tags to the
    file.

    Options
    Snippet files are read from the repository only (never outside it), up to ``max-file-size``;
    a file that is missing is ``link-broken``'s, and an empty one, or one from a dependent
    repository that is not checked out here, is skipped. A region found in any comment style
    counts, whatever the snippet's language (DocFX picks the styles by language).
    """
    if page.kind != "markdown" or not page.snippets:
        return
    for snippet in page.snippets:
        resolved = docset.resolve(page.path, snippet.target)
        found = docset.snippet_file(resolved)
        if found is None:
            continue
        if snippet.region:
            region = found.region(snippet.region)
            if region is None:
                names = sorted(found.regions)
                wanted = snippet.region.strip().lower()
                suggestion = closest(wanted, names, 0.6) or next(
                    (n for n in names if n.startswith(wanted) or wanted.startswith(n)), None)
                listed = f"its regions: {', '.join(names[:8])}{', ...' if len(names) > 8 else ''}" if names \
                    else "it has no regions"
                message = (f"code snippet '{snippet.target}' names region '{snippet.region}', which the file "
                           f"does not have ({listed})")
                yield Problem(snippet.line, snippet.column, did_you_mean(message, suggestion))
            elif not region.closed:
                yield Problem(snippet.line, snippet.column,
                              f"region '{snippet.region}' of '{snippet.target}' (line {region.line} of the file) is "
                              "never closed, so DocFX shows nothing; add its end tag in the file")
            continue
        for part in snippet.ranges.split(","):
            start, end = _bounds(part)
            last = end if end is not None else start
            if start > found.lines or last > found.lines:
                shown = "none of them is shown" if start > found.lines else f"only lines {start}-{found.lines} are shown"
                yield Problem(snippet.line, snippet.column,
                              f"code snippet '{snippet.target}' asks for lines {part}, but the file has "
                              f"{found.lines} lines, so {shown}")
                break


RULES = (
    Rule("PB501", "heading-h1", "error", "page", heading_h1,
         "A page has no H1, more than one, or content before it.", learn=True),
    Rule("PB502", "merge-conflict", "error", "page", merge_conflict,
         "Git merge conflict markers left in a Markdown file.", learn=True),
    Rule("PB503", "alert-invalid", "error", "page", alert_invalid,
         "A > [!TYPE] alert DocFX does not know renders as plain text.", learn=True),
    Rule("PB504", "extension-unclosed", "error", "page", extension_unclosed,
         "A zone, moniker, row, column or complex image is not closed, or an end closes nothing.", learn=True),
    Rule("PB505", "zone-pivot-unknown", "error", "page", zone_pivot_unknown,
         "A zone pivot (or pivot group) the page's zone pivot groups do not define.", learn=True),
    Rule("PB506", "code-snippet-region", "error", "page", code_snippet_region,
         "A code snippet names a region or lines its file does not have.", learn=True),
)

"""DocFX include files: missing, cyclic, unused, and linked as if they were pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..fuzzy import did_you_mean
from ..model import Page, Problem
from .base import Rule

if TYPE_CHECKING:
    from ..docset import Docset


def include_missing(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    Every ``[!INCLUDE [title](path)]`` — block or inline (in tables, "applies to" lines), in pages
    and in include files — resolves to a file inside the docset. Paths resolve from the folder of
    the file holding the include; ``~/`` is the docset root.

    Why
    DocFX fails the build (or renders an error box) when an include is missing; an include that
    leaves the docset cannot be published from this repository.

    Example
    ``[!INCLUDE [Feedback](./includes/questions-feedbak.md)]``

    Use instead
    ``[!INCLUDE [Feedback](./includes/questions-feedback.md)]`` (the message suggests near matches).

    Options
    ``external-includes`` (globs relative to the root, ``~/`` allowed, e.g.
    ``~/../reusable-content/**``) marks includes another repository supplies at build time: they
    are skipped. ``allow-outside`` also permits targets outside the root.
    """
    if page.kind != "markdown":
        return
    for include in page.includes:
        resolved = docset.resolve_include(page.path, include)
        if docset.is_external_include(resolved) or resolved.status in ("ok", "case", "allowed", "external",
                                                                            "dependent", "repo", "cross"):
            continue
        if resolved.status == "outside":
            message = (f"include '{include.target}' leaves the docset root; list it in external-includes if "
                       "another repository provides it at build time")
        elif resolved.status == "empty" or resolved.status == "self":
            message = "include has no file path"
        else:
            detail = f" ({resolved.detail})" if resolved.detail and resolved.status == "missing" else ""
            suggestion = docset.suggest(page.path, resolved.path) if resolved.path and not resolved.docset else None
            message = did_you_mean(f"include '{include.target}' does not exist{detail}", suggestion)
        yield Problem(include.line, include.column, message)


def include_cycle(docset: Docset) -> Iterable[Problem]:
    """What it checks
    Include files that include each other in a loop (``a.md -> b.md -> a.md``, or a file that
    includes itself). Reported once per cycle, at the include that closes it, with the chain.

    Why
    DocFX stops with an error on a circular include; the page cannot be built.

    Example
    ``includes/a.md`` includes ``b.md``, which includes ``a.md``.

    Use instead
    Remove one include of the chain, or move the shared text into a third file both include.

    Options
    None.
    """
    edges = docset.include_edges
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    seen_cycles: set[frozenset[str]] = set()
    for start in sorted(edges):
        if state.get(start):
            continue
        path: list[str] = [start]
        iterators = [iter(sorted(edges.get(start, []), key=lambda e: (e[0].line, e[0].column)))]
        state[start] = 1
        while iterators:
            current = path[-1]
            step = next(iterators[-1], None)
            if step is None:
                state[current] = 2
                path.pop()
                iterators.pop()
                continue
            include, target = step
            mark = state.get(target)
            if mark == 1:
                cycle = path[path.index(target):] + [target]
                key = frozenset(cycle)
                if key not in seen_cycles:
                    seen_cycles.add(key)
                    chain = " -> ".join(cycle)
                    yield Problem(include.line, include.column,
                                  f"include cycle: {chain}; remove one of these includes", path=current)
            elif mark is None:
                state[target] = 1
                path.append(target)
                iterators.append(iter(sorted(edges.get(target, []), key=lambda e: (e[0].line, e[0].column))))


def include_unused(docset: Docset) -> Iterable[Problem]:
    """What it checks
    A Markdown file in an include folder (``includes/``, or config ``includes`` globs) that no page
    or include file includes.

    Why
    Unused includes drift out of date and confuse writers looking for the text that is really
    published. They are often left behind when a page is deleted.

    Example
    ``includes/old-banner.md`` after the last page using it was removed.

    Use instead
    Delete the file, or include it where it was meant to appear.

    Options
    Default severity is warning.
    """
    includers = docset.includers
    for rel in sorted(docset.pages):
        page = docset.pages[rel]
        if page.kind == "markdown" and docset.is_include(rel) and not includers.get(rel) \
                and rel not in docset.linked_from_other_docsets:
            yield Problem(1, 1, "include file is not included by any page; delete it or include it", path=rel)


def link_to_include(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    A link (not an include) from a page to a Markdown file in an include folder.

    Why
    Include files are not published as pages (DocFX excludes ``**/includes/**``), so the link
    404s on the site even though the file exists in the repository.

    Example
    ``See [the partner note](./includes/partner-note.md).``

    Use instead
    Include it (``[!INCLUDE [Partner note](./includes/partner-note.md)]``) or link to a page that
    includes it.

    Options
    Default severity is warning.
    """
    if page.kind != "markdown":
        return
    for link, resolved in docset.links_of(page):
        if link.kind in ("code", "image", "html-image", "directive"):
            continue
        if resolved.status in ("ok", "case") and resolved.path and resolved.path.lower().endswith(".md") \
                and docset.is_include(resolved.path):
            yield Problem(link.line, link.column,
                          f"'{link.target}' is an include file, which is not published as a page; "
                          "include it or link to a page that includes it",
                          end_line=link.end_line, end_column=link.end_column)


RULES = (
    Rule("PB301", "include-missing", "error", "page", include_missing,
         "An [!INCLUDE] target does not exist or leaves the docset."),
    Rule("PB302", "include-cycle", "error", "docset", include_cycle,
         "Include files include each other in a loop."),
    Rule("PB303", "include-unused", "warning", "docset", include_unused,
         "A file in an includes folder that nothing includes."),
    Rule("PB304", "link-to-include", "warning", "page", link_to_include,
         "A page links to an include file, which is not published."),
)

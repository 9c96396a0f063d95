"""The playbook lifecycle: phases in order, numbered right, none missing, navigation agreeing.

All four rules compare link targets and list numbers, never words, and do nothing on a docset
without a lifecycle (no ``lifecycle.phases`` configured and no phase list on the index page).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..lifecycle import Lifecycle, item_pages
from ..model import Page, Problem
from .base import Rule
from .fixers import numbering_fix

if TYPE_CHECKING:
    from ..docset import Docset


def _name(lifecycle: Lifecycle, position: int) -> str:
    return f"'{lifecycle.phases[position].title}'"


def phase_order(docset: Docset) -> Iterable[Problem]:
    """What it checks
    Every list (ordered or bulleted, on any page, include files too) and every TOC section whose
    items link to two or more phase pages keeps the canonical phase order. A subset is fine
    (engagement models use only some phases); a different order is not. Reported at the first item
    out of order, naming the phase expected there.

    Why
    The index page, the engagement-model pages and the TOC each list the phases; as writers edit
    one and not the others, they drift apart and readers get contradicting lifecycles.

    Example
    A model page listing ``Assess``, ``Initiate``, ``Remediate`` when the index says Initiate comes
    before Assess.

    Use instead
    ``Initiate``, ``Assess``, ``Remediate``.

    Options
    The canonical order is ``lifecycle.phases`` (page paths relative to the root) when configured;
    otherwise the ordered list under the index page's first heading containing ``lifecycle.heading``
    (default ``Phases``, any case). ``playbooklint lifecycle`` shows what was found.
    """
    lifecycle = docset.lifecycle
    if lifecycle is None:
        return
    for listing in lifecycle.listings:
        order = [item.position for item in listing.items]
        expected = sorted(order)
        for (line, column, _number, position), want in zip(listing.items, expected):
            if position != want:
                where = "TOC section" if listing.kind == "toc" else "list"
                yield Problem(
                    line, column,
                    f"phase {_name(lifecycle, position)} is out of order in this {where}: expected "
                    f"{_name(lifecycle, want)} here (order from {lifecycle.describe_source()})",
                    path=listing.path,
                )
                break


def phase_missing(docset: Docset) -> Iterable[Problem]:
    """What it checks
    With ``lifecycle.phases`` configured: each configured phase page exists, and the index page's
    phase list (the list under its phase heading) links to every phase. Each missing phase is
    named.

    Why
    The index page is where readers find the lifecycle; a phase absent from it is a phase readers
    never see, and a configured page that does not exist is a renamed or deleted phase.

    Example
    ``lifecycle.phases`` lists ``phase-enable.md`` but the index's list jumps from Remediate to
    Migrate.

    Use instead
    Add ``1. [Enable](./phase-enable.md)`` to the index list, or update ``lifecycle.phases``.

    Options
    ``lifecycle.phases``, ``lifecycle.heading``, ``index``. Without ``lifecycle.phases`` the index
    list *is* the lifecycle, so nothing can be missing from it. When the config's ``[lifecycle]``
    sets ``heading`` (or ``phases``) and the index page has no phase list under that heading, one
    finding on the index page says so: the phase rules would otherwise silently check nothing.
    """
    lifecycle = docset.lifecycle
    if lifecycle is None and docset.config.lifecycle_expected and docset.config.index in docset.pages:
        heading = docset.config.lifecycle_heading
        yield Problem(1, 1, f"no lifecycle found: the config sets [lifecycle] but the index page has no ordered "
                      f"list of two or more phase pages under a heading containing '{heading}', so the phase "
                      "rules check nothing; fix lifecycle.heading or add the list", path=docset.config.index)
        return
    if lifecycle is None or lifecycle.source != "config":
        return
    index_path = lifecycle.index_path
    for phase in lifecycle.phases:
        if not docset.exists(phase.path):
            yield Problem(1, 1, f"lifecycle.phases lists '{phase.path}', which does not exist; "
                          "fix the path in the config", path=index_path)
    index = docset.pages.get(index_path)
    if index is None:
        return
    if lifecycle.index_list is None:
        heading = docset.config.lifecycle_heading
        yield Problem(1, 1, f"the index page has no list of phases under a heading containing '{heading}'; "
                      "add one linking to each phase", path=index_path)
        return
    block = lifecycle.index_list
    listed = {lifecycle.positions.get(path) for _item, path, _text in item_pages(docset, index, block)}
    for position, phase in enumerate(lifecycle.phases):
        if position not in listed and docset.exists(phase.path):
            yield Problem(block.line, block.column,
                          f"phase '{phase.title}' ({phase.path}) is missing from the index page's phase list",
                          path=index_path)


def _numbering_problem(numbers: list[int | None], allowed_starts: set[int]) -> tuple[int, int, int] | None:
    """(item index, expected, found) of the first wrong number, or None."""
    values = [n for n in numbers if n is not None]
    if len(values) != len(numbers) or len(set(values)) == 1:
        return None
    start = values[0]
    if start not in allowed_starts:
        return 0, 1, start
    for index, value in enumerate(values):
        if value != start + index:
            return index, start + index, value
    return None


def phase_numbering(docset: Docset) -> Iterable[Problem]:
    """What it checks
    The source numbers of an ordered list of phases are either all the same (lazy ``1.`` ``1.``
    ``1.``) or consecutive from where they start: from 0 or 1, or from the first listed phase's own
    number in the lifecycle (a model page may list phases 3 to 10 as ``3.`` ... ``10.``).
    ``1. 2. 3. 5.`` is wrong, and the message says which number was expected.

    Why
    Markdown renders the list by its first number, so a skipped or repeated number shows one
    thing in the source and another on the page; writers editing the source get it wrong next.

    Example
    ``1. Presales`` ``2. Validation`` ``3. Engagement`` ``5. Assignment``.

    Use instead
    ``4. Assignment``, or number every item ``1.``. ``--fix`` renumbers the list (a lazy list stays
    lazy).

    Options
    None.
    """
    lifecycle = docset.lifecycle
    if lifecycle is None:
        return
    for listing in lifecycle.listings:
        if listing.kind != "list" or not listing.ordered or listing.block is None:
            continue
        first_phase = lifecycle.phases[listing.items[0].position]
        offset = 0
        for item in listing.block.items:  # items before the first phase shift its expected number
            if item.line == listing.items[0].line:
                break
            offset += 1
        allowed = {0, 1, first_phase.number - offset}
        found = _numbering_problem(list(listing.numbers), allowed)
        if found is None:
            continue
        index, expected, actual = found
        item = listing.block.items[index]
        yield Problem(item.line, item.column,
                      f"phase list numbering: expected {expected}, found {actual} (number the items "
                      "consecutively, or all the same)", path=listing.path,
                      fix=numbering_fix(listing.path, listing.block, allowed))


_LEADING = re.compile(r"^[\W_]+", re.UNICODE)


def _starts_with(text: str, words: tuple[str, ...]) -> bool:
    text = _LEADING.sub("", text).lower()
    for word in words:
        word = word.lower()
        if text.startswith(word) and (len(text) == len(word) or not text[len(word)].isalnum()):
            return True
    return False


def phase_navigation(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    On a phase page, a link whose text starts with "Previous" or "Next" points to the canonical
    neighbour phase; the first phase has no "Previous" link and the last no "Next".

    Why
    Phase pages are read in sequence. After a phase is added, removed or reordered, the
    Previous/Next links are the first thing to go stale, and readers skip a phase.

    Example
    On ``phase-assess.md``: ``[Next: Migrate](./phase-migrate.md)`` when Remediate comes next.

    Use instead
    ``[Next: Remediate](./phase-remediate.md)``.

    Options
    ``lifecycle.previous`` and ``lifecycle.next``: the words that start such links (defaults
    ``["Previous"]`` and ``["Next"]``; e.g. ``["Back"]``, ``["Weiter"]``).
    """
    lifecycle = docset.lifecycle
    if lifecycle is None or page.kind != "markdown" or page.path not in lifecycle.positions:
        return
    position = lifecycle.positions[page.path]
    phases = lifecycle.phases
    config = docset.config
    for link in page.links:
        if link.kind not in ("link", "reference", "html"):
            continue
        if _starts_with(link.text, config.previous_words):
            direction, neighbour = "previous", position - 1
        elif _starts_with(link.text, config.next_words):
            direction, neighbour = "next", position + 1
        else:
            continue
        if neighbour < 0 or neighbour >= len(phases):
            edge = "first" if neighbour < 0 else "last"
            yield Problem(link.line, link.column,
                          f"'{phases[position].title}' is the {edge} phase: it has no {direction} phase; "
                          "remove this link", end_line=link.end_line, end_column=link.end_column)
            continue
        resolved = docset.resolve(page.path, link.target)
        if resolved.status not in ("ok", "case") or resolved.docset is not None:
            continue  # a broken target is link-broken's finding; another docset's page is no phase
        if resolved.path != phases[neighbour].path:
            want = phases[neighbour]
            yield Problem(link.line, link.column,
                          f"'{link.text}' should point to the {direction} phase '{want.title}' "
                          f"({docset.relative(page.path, want.path)}), not '{link.target}'",
                          end_line=link.end_line, end_column=link.end_column)


RULES = (
    Rule("PB401", "phase-order", "error", "docset", phase_order,
         "A list or TOC section lists phases out of the canonical order."),
    Rule("PB402", "phase-missing", "error", "docset", phase_missing,
         "A configured phase is missing from the index list, or does not exist."),
    Rule("PB403", "phase-numbering", "error", "docset", phase_numbering,
         "An ordered phase list skips or repeats a number."),
    Rule("PB404", "phase-navigation", "error", "page", phase_navigation,
         "A Previous/Next link does not point to the neighbouring phase.", incremental=False),
)

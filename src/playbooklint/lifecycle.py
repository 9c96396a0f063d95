"""The playbook lifecycle: the canonical phase order, and every list or TOC section that lists
phases. The lifecycle rules and ``playbooklint lifecycle`` both read it from here."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, NamedTuple

from .model import Heading, ListBlock, Page

if TYPE_CHECKING:
    from .docset import Docset

@dataclass(frozen=True)
class Phase:
    path: str
    """Root-relative path of the phase page."""
    title: str
    """The page's title, else the link text that names it."""
    number: int
    """Its number in the canonical order: the index list's source number, else its 1-based position."""


class ListingItem(NamedTuple):
    """An item of a listing that names a phase."""

    line: int
    """1-based line of the item (list marker or TOC value)."""
    column: int
    """1-based column."""
    number: int | None
    """The number written in the source (ordered lists), else None."""
    position: int
    """0-based position of the phase it names in the canonical order."""


@dataclass(frozen=True)
class Listing:
    """A list or TOC section that links to two or more phases."""

    path: str
    """File holding it."""
    kind: Literal["list", "toc"]
    ordered: bool
    """Ordered Markdown list (``1.``)."""
    line: int
    column: int
    items: tuple[ListingItem, ...]
    """Each item that names a phase, in order."""
    numbers: tuple[int | None, ...] = ()
    """Source numbers of every item of an ordered list (phase or not)."""
    block: ListBlock | None = None


@dataclass
class Lifecycle:
    phases: list[Phase]
    source: Literal["config", "index"]
    """Where the order comes from."""
    index_path: str
    heading: Heading | None = None
    """The index page heading above the canonical list (when read from the index)."""
    index_list: ListBlock | None = None
    """The canonical list on the index page (None if the index has no phase list)."""
    listings: list[Listing] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)
    """Phase path -> 0-based position."""

    def describe_source(self) -> str:
        if self.source == "config":
            return "lifecycle.phases in the config"
        where = f"{self.index_path}:{self.heading.line}" if self.heading else self.index_path
        return f"the list under '{self.heading.text if self.heading else ''}' ({where})"


def _phase_heading(index: Page, wanted: str) -> tuple[int, Heading] | None:
    wanted = wanted.lower()
    for number, heading in enumerate(index.headings):
        if wanted in heading.text.lower():
            return number, heading
    return None


def _section_lists(index: Page, heading_number: int) -> list[ListBlock]:
    """Top-level lists between the heading and the next heading of the same or higher level."""
    heading = index.headings[heading_number]
    end_line = None
    for later in index.headings[heading_number + 1:]:
        if later.level <= heading.level:
            end_line = later.line
            break
    result = [
        block for block in index.lists
        if block.line > heading.line and (end_line is None or block.line < end_line)
    ]
    return result


def item_pages(docset: Docset, page: Page, block: ListBlock) -> list[tuple[int, str, str]]:
    """(item index, linked page, link text) for the first page link of each item."""
    result = []
    for number, item in enumerate(block.items):
        for link_index in item.links:
            link = page.links[link_index]
            resolved = docset.resolve(page.path, link.target)
            if resolved.status in ("ok", "case") and resolved.path and resolved.path.lower().endswith(".md") \
                    and resolved.docset is None:
                result.append((number, resolved.path, link.text))
                break
    return result


def build_lifecycle(docset: Docset) -> Lifecycle | None:
    """The lifecycle, or None when the docset has none (nothing configured, no phase list)."""
    config = docset.config
    index_path = config.index
    index = docset.pages.get(index_path)
    if config.lifecycle_phases:
        phases = []
        for number, raw in enumerate(config.lifecycle_phases, start=1):
            path = posixpath.normpath(raw.replace("\\", "/").removeprefix("~/").lstrip("/"))
            page = docset.pages.get(path)
            title = (page.title if page else None) or posixpath.splitext(posixpath.basename(path))[0]
            phases.append(Phase(path, title, number))
        lifecycle = Lifecycle(phases, "config", index_path)
        if index is not None:
            found = _phase_heading(index, config.lifecycle_heading)
            if found:
                lifecycle.heading = found[1]
                lists = [b for b in _section_lists(index, found[0]) if item_pages(docset, index, b)]
                lifecycle.index_list = next((b for b in lists if b.ordered), lists[0] if lists else None)
    else:
        if index is None:
            return None
        found = _phase_heading(index, config.lifecycle_heading)
        if found is None:
            return None
        number, heading = found
        lists = _section_lists(index, number)
        block = next((b for b in lists if b.ordered and len(item_pages(docset, index, b)) >= 2), None)
        if block is None:
            return None
        phases = []
        seen: set[str] = set()
        for item_index, path, text in item_pages(docset, index, block):
            if path in seen:
                continue
            seen.add(path)
            page = docset.pages.get(path)
            source_number = block.items[item_index].number
            phases.append(Phase(path, (page.title if page else None) or text or path,
                                source_number if source_number is not None else len(phases) + 1))
        lifecycle = Lifecycle(phases, "index", index_path, heading, block)
    lifecycle.positions = {phase.path: position for position, phase in enumerate(lifecycle.phases)}
    lifecycle.listings = _listings(docset, lifecycle)
    return lifecycle


def _listings(docset: Docset, lifecycle: Lifecycle) -> list[Listing]:
    positions = lifecycle.positions
    listings: list[Listing] = []
    from .docset import could_name

    might = could_name(positions)  # only lists whose links could lead to phases are resolved
    for rel in sorted(docset.pages):
        if not docset.is_selected(rel):
            continue  # findings are reported for the selected files only
        page = docset.pages[rel]
        if page.kind == "markdown":
            for block in page.lists:
                if sum(1 for item in block.items if any(might(page.links[i].target) for i in item.links)) < 2:
                    continue
                items = []
                for item_index, path, _text in item_pages(docset, page, block):
                    if path in positions:
                        item = block.items[item_index]
                        items.append(ListingItem(item.line, item.column, item.number, positions[path]))
                if len(items) >= 2:
                    listings.append(Listing(rel, "list", block.ordered, block.line, block.column, tuple(items),
                                            tuple(i.number for i in block.items), block))
        elif page.kind == "toc":
            for section in page.toc:
                items = []
                for entry in section.entries:
                    if entry.key == "tocHref" or not might(entry.href):
                        continue
                    resolved = docset.toc_target(rel, entry)
                    if resolved.status in ("ok", "case") and resolved.path in positions and resolved.docset is None:
                        items.append(ListingItem(entry.line, entry.column, None, positions[resolved.path]))
                if len(items) >= 2:
                    listings.append(Listing(rel, "toc", False, section.line, 1, tuple(items)))
    return listings

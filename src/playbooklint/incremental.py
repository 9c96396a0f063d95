"""Incremental runs: reuse a page's findings while nothing they depend on changed.

While the page rules check one page, the Docset notes every file its answers came from (a
``Recorder``): by name, the files its links, images, includes and TOC entries resolve to and the
pages an include file is rendered on (where a link leads depends on which files exist, not on
what they hold); by content, the include closures whose headings made the anchors it was checked
against, the metadata it read, the code snippet and zone pivot files. An answer that depends on the listing as a
whole (a missing or mis-cased target, a redirect, a site URL, a "did you mean" suggestion, a file
outside the docset) marks the page as depending on the listing.

A run then compares the repository with the last run's (``State``): files whose content key
changed, files added, files deleted. A page's findings are reused when the settings and everything
not tracked per page (the ``global_key``: config, rule settings, schema, docfx.json, redirects, site
URLs, symbolic links, the docset's include graph, the date) are the same, its own bytes are the same,
none of the files it noted by content changed, none it noted at all was added or deleted (compared
without case, and by "stem": adding ``x.md`` rechecks a page whose link found ``x/index.md``), and, when it depends on the listing, no
file was added or deleted. When in doubt it is rechecked: a file whose key is not known counts as
changed. Deleting or renaming a page rechecks the pages that pointed at it (and those with a broken
link, which the new name may fix).

Docset rules (orphans, the lifecycle, duplicate titles, unused includes) always run; the pages'
outbound links they need are kept per page with the findings, so they do not resolve every link of
every page again.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from .model import Diagnostic

STAT_PREFIX = "stat:"
"""``reads`` entries for files outside the repository that were only looked at (``allow-outside``):
``stat:`` + the repository-relative path -> ``b"1"`` (it exists) or ``b"0"``."""

UNKNOWN = b"?"
"""The content key of a file whose bytes were not read: it always counts as changed."""


class Recorder:
    """What one page's checks asked the docsets."""

    __slots__ = ("paths", "names", "listing")

    def __init__(self) -> None:
        self.paths: set[str] = set()
        """Repository-relative paths (lower case) whose content an answer came from (anchors,
        metadata, snippets)."""
        self.names: set[str] = set()
        """Repository-relative paths (lower case) whose existence an answer came from (where a link
        leads depends on which files exist, never on what they hold)."""
        self.listing = False
        """True when an answer depended on the listing as a whole."""


_active: list[Recorder] = []


def active() -> Recorder | None:
    """The recorder of the page being checked, if any."""
    return _active[-1] if _active else None


def note(paths: Iterable[str] = (), names: Iterable[str] = (), listing: bool = False) -> None:
    """Tell the page being checked, if any, what an answer came from: files by content (``paths``)
    or by name (``names``), repository-relative and lower case; or the listing as a whole."""
    if _active:
        recorder = _active[-1]
        recorder.paths.update(paths)
        recorder.names.update(names)
        recorder.listing = recorder.listing or listing


@contextmanager
def recording() -> Iterator[Recorder]:
    """Note what the Docset is asked while the block runs."""
    recorder = Recorder()
    _active.append(recorder)
    try:
        yield recorder
    finally:
        _active.pop()


@contextmanager
def paused() -> Iterator[None]:
    """Answers computed for everyone (the include graph, the inbound links) are nobody's dependency."""
    saved = _active[:]
    _active.clear()
    try:
        yield
    finally:
        _active[:] = saved


def stem(path: str) -> str:
    """A path without case, extension and trailing ``index``/``toc``: the names a link may reach it by
    (``x``, ``x.md``, ``x/``, ``x/index.md``, ``x/toc.yml``)."""
    path = path.lower().rstrip("/")
    base, ext = posixpath.splitext(path)
    if ext and "/" not in ext:
        path = base
    if path.endswith("/index") or path.endswith("/toc"):
        path = path.rsplit("/", 1)[0]
    elif path in ("index", "toc"):
        path = ""
    return path


@dataclass(frozen=True, slots=True)
class PageRecord:
    """A page's findings by the incremental page rules, and what they depend on."""

    key: bytes
    """The content key of the page's bytes."""
    findings: tuple[Diagnostic, ...]
    """Findings of the page rules, before suppression and selection."""
    paths: frozenset[str]
    """Repository-relative paths (lower case) whose content the answers came from."""
    names: frozenset[str]
    """Repository-relative paths (lower case) whose existence the answers came from."""
    listing: bool
    """True when an answer depended on the listing as a whole."""
    outbound: tuple[str, ...]
    """Files of the docset the page's links, includes or TOC entries reach (for the inbound links)."""


@dataclass
class State:
    """What the last run of a docset saw, and each page's record."""

    global_key: bytes
    keys: dict[str, bytes]
    """Repository-relative path -> content key (``b""``: only its existence matters)."""
    dirs: frozenset[str]
    pages: dict[str, PageRecord] = field(default_factory=dict)
    reads: dict[str, bytes] = field(default_factory=dict)
    """Files read for the rules (snippets, zone pivots) -> content key when read."""
    url_bases: dict[str, tuple[tuple[str, ...], bool]] = field(default_factory=dict)
    """The site URLs of the docsets that were needed (docset folder -> what ``Site`` found)."""


@dataclass(frozen=True)
class Changes:
    """How the repository differs from the last run's."""

    paths: frozenset[str]
    """Changed, added and deleted paths (lower case)."""
    moved: frozenset[str]
    """Added and deleted paths (lower case)."""
    stems: frozenset[str]
    """Stems of the added and deleted paths."""
    listing: bool
    """True when a file or folder was added or deleted."""


def changes(old: State, keys: Mapping[str, bytes], dirs: Iterable[str], reads: Mapping[str, bytes]) -> Changes:
    """The paths that differ between the last run's state and now (``reads``: the current content
    keys of the files the last run read for its rules)."""
    changed: set[str] = set()
    moved: set[str] = set()
    for path, key in keys.items():
        before = old.keys.get(path)
        if before is None:
            moved.add(path)
        elif before != key or key == UNKNOWN:
            changed.add(path)
    moved.update(path for path in old.keys if path not in keys)
    dirs = frozenset(dirs)
    moved.update(dirs ^ old.dirs)
    for path, key in old.reads.items():
        if reads.get(path) != key:  # a file looked at outside the repository came or went; or a read changed
            (moved if path.startswith(STAT_PREFIX) else changed).add(path.removeprefix(STAT_PREFIX))
    return Changes(frozenset(p.lower() for p in changed | moved), frozenset(p.lower() for p in moved),
                   frozenset(stem(p) for p in moved), bool(moved))


def still_valid(record: PageRecord, key: bytes | None, delta: Changes) -> bool:
    """True when a page's record holds now: its bytes are the same and nothing it noted changed."""
    if key is None or key == UNKNOWN or key != record.key:
        return False
    if delta.listing and record.listing:
        return False
    if not record.paths.isdisjoint(delta.paths) or not record.names.isdisjoint(delta.moved):
        return False
    return not delta.stems or all(stem(path) not in delta.stems for path in record.names | record.paths)

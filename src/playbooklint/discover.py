"""Find the docset root and list what is in it: one walk, nothing read outside the root."""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config
from .globs import Globs

SKIP_DIRS = frozenset({".git", "node_modules", ".playbooklint_cache"})
ROOT_MARKERS = ("index.md", "toc.yml", "TOC.yml")


def find_root(path: Path, config: Config, cwd: Path | None = None) -> Path:
    """The docset root for a checked path.

    ``root`` from config; else the nearest ancestor holding ``docfx.json``; else the directory
    given. For a single file outside any docfx docset: the highest folder above it (within the
    working directory) that holds an ``index.md`` or ``toc.yml``, else its own folder.
    """
    if config.root is not None:
        return config.root
    path = path.resolve()
    start = path if path.is_dir() else path.parent
    for folder in (start, *start.parents):
        if (folder / "docfx.json").is_file():
            return folder
    if path.is_dir():
        return path
    cwd = (cwd or Path.cwd()).resolve()
    chain = [start, *start.parents]
    if start == cwd or cwd in start.parents:
        chain = chain[: chain.index(cwd) + 1]
    else:
        chain = chain[:1] + [f for f in chain[1:] if any((f / m).is_file() for m in ROOT_MARKERS)][:1]
    marked = [f for f in chain if any((f / m).is_file() for m in ROOT_MARKERS)]
    return marked[-1] if marked else start


def is_within(path: str) -> bool:
    """True for a normalised relative POSIX path that stays inside the root."""
    return path != ".." and not path.startswith("../") and not path.startswith("/")


@dataclass
class FileIndex:
    """Every file and folder under the root, by exact root-relative POSIX path.

    Built from directory listings, so case is compared with what is really on disk on every OS.
    Symlinks are never followed out of the root: a link whose target leaves it is recorded as an
    escape, and its target is neither opened nor stat'ed.
    """

    root: str
    files: set[str] = field(default_factory=set)
    dirs: set[str] = field(default_factory=lambda: {""})
    escapes: dict[str, str] = field(default_factory=dict)
    """Symlink path -> where it points (outside the root)."""
    aliases: dict[str, str] = field(default_factory=dict)
    """Symlinked folder inside the root -> its target folder (root-relative)."""
    _lower: dict[str, list[str]] | None = None
    _by_name: dict[str, list[str]] | None = None
    _children: dict[str, list[str]] | None = None

    @property
    def lower(self) -> dict[str, list[str]]:
        if self._lower is None:
            lower: dict[str, list[str]] = {}
            for path in self.files | self.dirs:
                lower.setdefault(path.lower(), []).append(path)
            self._lower = lower
        return self._lower

    @property
    def by_name(self) -> dict[str, list[str]]:
        """Lower-case file name -> files with that name."""
        if self._by_name is None:
            by_name: dict[str, list[str]] = {}
            for path in sorted(self.files):
                by_name.setdefault(posixpath.basename(path).lower(), []).append(path)
            self._by_name = by_name
        return self._by_name

    def children(self, folder: str) -> list[str]:
        """Names of the files and folders directly in a folder."""
        if self._children is None:
            children: dict[str, list[str]] = {}
            for path in self.files | self.dirs:
                if path:
                    children.setdefault(posixpath.dirname(path), []).append(posixpath.basename(path))
            self._children = children
        return self._children.get(folder, [])

    def subindex(self, prefix: str, skip: tuple[str, ...] = ()) -> FileIndex:
        """The files under the folder ``prefix`` (root-relative), relative to it; folders in
        ``skip`` (root-relative, below ``prefix``) are left out. A symlink that leads out of the
        folder counts as an escape."""
        if not prefix:
            if not skip:
                return self
            start = ""
        else:
            start = prefix + "/"
        cut = len(start)
        skipped = tuple(s + "/" for s in skip)

        def keep(path: str) -> bool:
            return path.startswith(start) and not any(path.startswith(s) or path + "/" == s for s in skipped)

        sub = FileIndex(posixpath.join(self.root, prefix) if prefix else self.root)
        sub.files = {p[cut:] for p in self.files if keep(p)}
        sub.dirs = {""} | {p[cut:] for p in self.dirs if p and keep(p)}
        for link, target in self.aliases.items():
            if keep(link):
                if keep(target) or target == prefix:
                    sub.aliases[link[cut:]] = target[cut:]
                else:
                    sub.dirs.discard(link[cut:])
                    sub.escapes[link[cut:]] = posixpath.relpath(target, prefix or ".")
                    sub.files.add(link[cut:])
        for link, target in self.escapes.items():
            if keep(link):
                sub.escapes[link[cut:]] = posixpath.relpath(target, prefix or ".") if prefix else target
        return sub

    def canonical(self, path: str) -> str:
        """Follow symlinked folders inside the root (bounded; loops end as-is)."""
        for _ in range(40):
            for alias, target in self.aliases.items():
                if path == alias or path.startswith(alias + "/"):
                    path = posixpath.normpath(target + path[len(alias):]) if target else path[len(alias) + 1:]
                    break
            else:
                return path
        return path


def _symlink_target(root: str, rel: str) -> str:
    """Where a symlink points, root-relative and normalised, read with readlink only."""
    target = os.readlink(os.path.join(root, rel))
    if os.path.isabs(target):
        try:
            rel_target = os.path.relpath(target, root)
        except ValueError:  # another drive on Windows
            return "../" + target
    else:
        rel_target = os.path.join(posixpath.dirname(rel), target)
    return posixpath.normpath(rel_target.replace(os.sep, "/"))


def scan(root: Path) -> FileIndex:
    """Walk the root once (not following symlinks), skipping ``.git`` and ``node_modules``."""
    root_str = str(root)
    index = FileIndex(root_str)
    links: list[str] = []
    stack = [(root_str, "")]
    while stack:
        folder, rel_folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            rel = f"{rel_folder}/{name}" if rel_folder else name
            try:
                if entry.is_symlink():
                    links.append(rel)  # DirEntry knows without another system call
                elif entry.is_dir(follow_symlinks=False):
                    if name not in SKIP_DIRS:
                        index.dirs.add(rel)
                        stack.append((entry.path, rel))
                else:
                    index.files.add(rel)
            except OSError:
                continue
    # resolve symlinks by reading links only: a target outside the root is never touched
    pending = list(links)
    for _ in range(40):
        unresolved = []
        for rel in pending:
            try:
                target = _symlink_target(root_str, rel)
            except OSError:
                continue
            if not is_within(target):
                index.escapes[rel] = target
                index.files.add(rel)
                continue
            target = index.canonical(target)
            if target in index.files:
                index.files.add(rel)
            elif target in index.dirs:
                index.aliases[rel] = target
                index.dirs.add(rel)
            elif target in index.escapes:
                index.escapes[rel] = index.escapes[target]
                index.files.add(rel)
            else:
                unresolved.append(rel)
        if len(unresolved) == len(pending):
            break
        pending = unresolved
    return index


@dataclass(frozen=True)
class Discovery:
    """What one docset run covers."""

    root: Path
    index: FileIndex
    sources: tuple[str, ...]
    """Files to parse (Markdown pages, include files and TOCs), root-relative, sorted."""
    selected: frozenset[str] | None
    """Files whose findings are reported; None means all."""


def is_source(rel: str) -> bool:
    lower = rel.lower()
    return lower.endswith(".md") or posixpath.basename(lower) == "toc.yml"


def discover(root: Path, index: FileIndex, config: Config, targets: list[Path] | None) -> Discovery:
    """Sources under the root (excludes applied), and which of them the user asked about."""
    exclude = Globs(config.exclude)
    sources = []
    for rel in sorted(index.files):
        if not is_source(rel):
            continue
        parts = rel.split("/")
        if any(part.startswith(".") for part in parts[:-1]):
            continue
        if exclude.match_or_parent(rel):
            continue
        sources.append(rel)
    selected: set[str] | None = None
    if targets:
        selected = set()
        source_set = set(sources)
        for target in targets:
            rel = os.path.relpath(target.resolve(), root).replace(os.sep, "/")
            if rel == ".":
                selected = None
                break
            if rel in source_set:
                selected.add(rel)
            else:
                prefix = rel + "/"
                selected.update(s for s in sources if s.startswith(prefix))
    return Discovery(root, index, tuple(sources), frozenset(selected) if selected is not None else None)

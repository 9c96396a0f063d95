"""The repository: which docsets it publishes, from where, and what the build provides beside it.

Read the way the Learn build reads it: ``.openpublishing.publish.config.json`` (at the folder
checked or above) lists the docsets (``docsets_to_publish[].build_source_folder``), the dependent
repositories checked out beside the content at build time (``dependent_repositories[].path_to_root``)
and the redirection files. Without it, every ``docfx.json`` at or below the folder checked makes a
docset; without any, the folder is one docset.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from .discover import is_within
from .docfx import load_json
from .model import Problem

PUBLISH_CONFIG = ".openpublishing.publish.config.json"
SKIP_DIRS = frozenset({"node_modules", "obj", "_site", "_themes", "_themes.pdf"})
"""Folders never searched for docsets (besides hidden ones): build output and build templates."""
MAX_DOCSETS = 500


@dataclass(frozen=True)
class Repository:
    """A content repository and the docsets it publishes."""

    root: Path
    """The repository root (the publish config's folder, else the folder checked)."""
    docsets: tuple[str, ...]
    """Docset roots, repository-relative POSIX paths ("" for the root), sorted."""
    dependent: tuple[str, ...] = ()
    """Folders the build checks out dependent repositories into, repository-relative."""
    redirection_files: tuple[str, ...] = ()
    """Redirection files the publish config names, repository-relative."""
    publish_config: str | None = None
    """The publish config's repository-relative path, when there is one."""
    problems: tuple[Problem, ...] = ()
    """Problems reading the publish config (path relative to the repository root)."""

    @cached_property
    def redirect_candidates(self) -> tuple[str, ...]:
        """Every ``.openpublishing.redirection*.json`` in the repository root and the docset folders."""
        found: list[str] = []
        for folder in sorted({"", *self.docsets}):
            for path in sorted((self.root / folder).glob(".openpublishing.redirection*.json")):
                rel = _rel(path, self.root)
                if rel not in found:
                    found.append(rel)
        return tuple(found)

    def docset_of(self, rel: str) -> str | None:
        """The innermost docset whose folder holds the repository-relative path ``rel``."""
        best: str | None = None
        for docset in self.docsets:
            if docset == "" or rel == docset or rel.startswith(docset + "/"):
                if best is None or len(docset) > len(best):
                    best = docset
        return best

    def dependent_of(self, rel: str) -> str | None:
        """The dependent-repository folder that holds ``rel``, if any."""
        for folder in self.dependent:
            if rel == folder or rel.startswith(folder + "/"):
                return folder
        return None

    def nested_in(self, docset: str) -> tuple[str, ...]:
        """Docsets inside ``docset``'s folder (not itself)."""
        prefix = docset + "/" if docset else ""
        return tuple(d for d in self.docsets if d != docset and d.startswith(prefix))


def _rel(path: Path, root: Path) -> str:
    rel = os.path.relpath(path, root).replace(os.sep, "/")
    return "" if rel == "." else rel


def _clean(value: Any) -> str | None:
    """A repository-relative folder from the publish config; None if unusable or outside."""
    if not isinstance(value, str):
        return None
    path = posixpath.normpath(value.replace("\\", "/").strip().strip("/") or ".")
    if path == ".":
        return ""
    return path if is_within(path) else None


def _inside(root: Path, folder: Path) -> bool:
    """A real folder of the repository (not a symbolic link leading elsewhere)."""
    try:
        return folder.is_dir() and (folder.resolve() == root.resolve() or root.resolve() in folder.resolve().parents)
    except OSError:
        return False


def find_publish_config(start: Path) -> Path | None:
    """The publish config at ``start`` or the nearest folder above it (stopping at a git root)."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        config = candidate / PUBLISH_CONFIG
        if config.is_file():
            return config
        if (candidate / ".git").exists():
            return None
    return None


def _from_publish_config(config: Path) -> Repository:
    root = config.parent
    data, error = load_json(config)
    if error is not None or not isinstance(data, dict):
        problem = Problem(1, 1, f"{error or 'not a JSON object'}; its docsets are not known, so the folder "
                          "is checked as one docset", path=PUBLISH_CONFIG, rule="config-file-invalid")
        return Repository(root, ("",), publish_config=PUBLISH_CONFIG, problems=(problem,))
    docsets: list[str] = []
    redirection_files: list[str] = []
    entries = data.get("docsets_to_publish")
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        folder = _clean(entry.get("build_source_folder", "."))
        if folder is not None and _inside(root, root / folder) and folder not in docsets:
            docsets.append(folder)
        for name in entry.get("redirection_files", []) if isinstance(entry.get("redirection_files"), list) else []:
            found = _clean(name)
            if found is not None and found not in redirection_files:
                redirection_files.append(found)
    for name in data.get("redirection_files", []) if isinstance(data.get("redirection_files"), list) else []:
        found = _clean(name)
        if found is not None and found not in redirection_files:
            redirection_files.append(found)
    dependent: list[str] = []
    repos = data.get("dependent_repositories")
    for entry in repos if isinstance(repos, list) else []:
        if isinstance(entry, dict):
            folder = _clean(entry.get("path_to_root"))
            if folder:
                dependent.append(folder)
    return Repository(root, tuple(sorted(docsets)) or ("",), tuple(dependent), tuple(redirection_files),
                      PUBLISH_CONFIG)


def docfx_folders(folder: Path) -> list[Path]:
    """Folders at or below ``folder`` that hold a ``docfx.json`` (hidden folders, build output and
    ``node_modules`` skipped), in path order."""
    found: list[Path] = []
    stack = [folder]
    while stack and len(found) < MAX_DOCSETS:
        current = stack.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.name == "docfx.json" and entry.is_file(follow_symlinks=False):
                    found.append(current)
                elif (entry.is_dir(follow_symlinks=False) and not entry.name.startswith(".")
                      and entry.name not in SKIP_DIRS):
                    stack.append(Path(entry.path))
            except OSError:
                continue
    return sorted(found)


def _docfx_folders(folder: Path, walked: dict[Path, list[Path]] | None) -> list[Path]:
    if walked is None:
        return docfx_folders(folder)
    if folder not in walked:
        walked[folder] = docfx_folders(folder)
    return walked[folder]


def _git_root(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def find_repository(path: Path, walked: dict[Path, list[Path]] | None = None) -> Repository:
    """The repository a checked path belongs to, and its docsets: the same whatever path inside
    it is named (a folder, a file, a nested docset)."""
    path = path.resolve()
    config = find_publish_config(path)
    if config is not None:
        return _from_publish_config(config)
    folder = path if path.is_dir() else path.parent
    git = _git_root(folder)
    if git is not None:
        found = [_rel(f, git) for f in _docfx_folders(git, walked)]
        rel = _rel(path, git)
        if any(d == "" or rel == d or rel.startswith(d + "/") or d.startswith(rel + "/") or rel == ""
               for d in found):
            return Repository(git, tuple(found))
    for candidate in (folder, *folder.parents):
        if (candidate / "docfx.json").is_file():
            return Repository(candidate, ("",))
        if (candidate / ".git").exists():
            break
    if not path.is_dir():
        from .config import Config
        from .discover import find_root

        return Repository(find_root(path, Config()), ("",))
    found_below = _docfx_folders(folder, walked)
    if found_below:
        return Repository(folder, tuple(_rel(f, folder) for f in found_below))
    return Repository(folder, ("",))

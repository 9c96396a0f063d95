"""The Docset: every cross-file question, answered once.

Which file a link resolves to (DocFX's rules), which anchors a page has (with its includes), who
includes whom, which pages something points at. Answers are cached: each distinct
(folder, target) is resolved once and each page's anchor set is computed once.
"""

from __future__ import annotations

import difflib
import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote

from .config import Config
from .discover import FileIndex, Globs, is_within
from .docfx import DocfxInfo
from .model import Include, Link, Page, Problem
from .slug import unique_slugs

Status = Literal["ok", "missing", "case", "outside", "allowed", "external", "empty", "self", "redirected"]

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
MAX_INCLUDE_DEPTH = 16


@dataclass(frozen=True, slots=True)
class Resolved:
    """Where a link or include target leads."""

    status: Status
    """ok, missing, case (exists with other case), outside, allowed (outside but allowed),
    external (a URL), empty, self (``#fragment`` on the same page), redirected."""
    path: str | None = None
    """Root-relative path: the file reached (ok, case: the real path), or the one wanted."""
    fragment: str | None = None
    """Percent-decoded fragment, None when there is none."""
    detail: str = ""
    """Redirect URL, escaped symlink target, or why a folder does not resolve."""
    wanted: str | None = None
    """For case mismatches: the path as written (normalised)."""


MAX_SUGGESTION_OPTIONS = 2000
"""Beyond this many candidates, no fuzzy suggestion: hostile input must not cost quadratic time."""


def _closest(name: str, options: list[str], cutoff: float) -> str | None:
    """The option most like ``name``; ties go to the longest common prefix
    (``topic-011-v2.md`` means ``topic-011.md``, not ``topic-112.md``)."""
    if len(options) > MAX_SUGGESTION_OPTIONS or len(name) > 500:
        return None
    scored = []
    matcher = difflib.SequenceMatcher(b=name)
    for option in options:
        matcher.set_seq1(option)
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
            ratio = matcher.ratio()
            if ratio >= cutoff:
                prefix = len(posixpath.commonprefix([option, name]))
                scored.append((round(ratio, 2), prefix, option))
    return max(scored)[2] if scored else None



class Docset:
    """All parsed pages of one docset root, with the cross-file answers rules need."""

    def __init__(
        self,
        root: Path,
        pages: dict[str, Page],
        files: FileIndex,
        config: Config,
        docfx: DocfxInfo | None = None,
        redirects: dict[str, str] | None = None,
        problems: list[Problem] | None = None,
        validator: Any = None,
    ) -> None:
        self.root = root
        self.pages = pages
        self.files = files
        self.config = config
        self.docfx = docfx or DocfxInfo()
        self.redirects = redirects or {}
        self.problems = problems or []
        """Problems found while loading the docset's own files (docfx.json, redirections)."""
        self.validator = validator
        """The page metadata schema validator."""
        self.memo: dict[tuple[str, str], Any] = {}
        """Per-page results that more than one rule reads (computed once)."""
        self.selected: frozenset[str] | None = None
        """The files findings are reported for (None: all); docset rules may skip the rest."""
        self._include_globs = Globs(config.includes)
        self._allow_outside = Globs(config.allow_outside)
        self._external_includes = Globs(config.external_includes)
        self._resolved: dict[tuple[str, str, bool], Resolved] = {}
        self._folders: dict[str, str] = {}
        self._anchors: dict[str, frozenset[str] | None] = {}

    # ------------------------------------------------------------------ what a file is

    def is_include(self, rel: str) -> bool:
        """Include files: anything in an ``includes`` folder, or matching config ``includes``."""
        parts = rel.lower().split("/")[:-1]
        return "includes" in parts or self._include_globs.match(rel)

    def is_index(self, rel: str) -> bool:
        return rel == self.config.index

    def markdown_pages(self) -> Iterator[Page]:
        """Parsed Markdown files that are pages (not include files), in path order."""
        for rel in sorted(self.pages):
            page = self.pages[rel]
            if page.kind == "markdown" and not self.is_include(rel):
                yield page

    # ------------------------------------------------------------------ resolution

    def resolve(self, source: str, target: str, *, toc: bool = False) -> Resolved:
        """Resolve a link target written in ``source`` (root-relative) with DocFX's rules.

        The path part is resolved once per (folder, path); the fragment is attached per call.
        """
        folder = self._folders.get(source)
        if folder is None:
            folder = self._folders[source] = posixpath.dirname(source)
        path_part, hash_mark, fragment_raw = target.partition("#")
        key = (folder, path_part, toc)
        base = self._resolved.get(key)
        if base is None:
            base = self._resolve(folder, path_part, toc)
            self._resolved[key] = base
        if not hash_mark or base.status == "external":
            return base
        status = "self" if base.status == "empty" else base.status  # "#x" is this page
        return Resolved(status, base.path, unquote(fragment_raw), base.detail, base.wanted)  # type: ignore[arg-type]

    def _resolve(self, folder: str, target: str, toc: bool) -> Resolved:
        """Resolve a target without its ``#fragment``."""
        raw = target.strip()
        if raw.startswith("<") and raw.endswith(">"):
            raw = raw[1:-1].strip()
        if not raw:
            return Resolved("empty")
        if _DRIVE.match(raw):
            return Resolved("outside", raw.replace("\\", "/"))
        if _SCHEME.match(raw) or raw.startswith("//") or raw.startswith("\\\\"):
            return Resolved("external")
        path = raw.split("?", 1)[0].replace("\\", "/")
        path = unquote(path)
        if not path:
            return Resolved("self")  # "?tabs=x": this page
        candidates_from_url = False
        if path.startswith("~/") or path == "~":
            base, path = "", path[2:]
        elif path.startswith("/"):
            for url_base in self.config.url_base:
                if path.startswith(url_base) or path + "/" == url_base:
                    base, path = "", path[len(url_base):]
                    candidates_from_url = True
                    break
            else:
                return Resolved("external")
        else:
            base = folder
        joined = posixpath.normpath(posixpath.join(base, path)) if path else (base or ".")
        if joined == ".":
            joined = ""
        if not is_within(joined):
            if self._allow_outside.match(joined):
                # an allowed sibling folder: looked at (stat only), never parsed
                if os.path.exists(os.path.join(self.root, joined)):
                    return Resolved("allowed", joined)
                return Resolved("missing", joined, None, "in an allow-outside folder")
            return Resolved("outside", joined)
        escaped = self._escape_of(joined)
        if escaped is not None:
            return Resolved("outside", joined, None, f"symbolic link to {escaped}")
        canonical = self.files.canonical(joined)
        candidates = [canonical]
        if candidates_from_url:
            stem = canonical.rstrip("/")
            candidates += [f"{stem}.md", f"{stem}/index.md", f"{stem}.yml", f"{stem}/index.yml"]
        for candidate in candidates:
            found = self._existing(candidate, toc)
            if found is not None:
                return Resolved("ok", found)
        if canonical in self.files.dirs:
            what = "toc.yml or index.md" if toc else "index.md or index.yml"
            return Resolved("missing", canonical, None, f"folder without {what}")
        for candidate in candidates:
            real = self._case_variant(candidate, toc)
            if real is not None:
                return Resolved("case", real, wanted=candidate)
        for candidate in candidates:
            if candidate in self.redirects:
                return Resolved("redirected", candidate, None, self.redirects[candidate])
        return Resolved("missing", canonical)

    def _escape_of(self, path: str) -> str | None:
        escapes = self.files.escapes
        if not escapes:
            return None
        probe = path
        while probe:
            if probe in escapes:
                return escapes[probe]
            probe = posixpath.dirname(probe)
        return None

    def _existing(self, path: str, toc: bool) -> str | None:
        if path in self.files.files:
            return path
        if path in self.files.dirs:
            names = ("toc.yml", "index.md", "index.yml") if toc else ("index.md", "index.yml")
            children = {name.lower(): name for name in self.files.children(path)}
            for name in names:
                if name in children:
                    return f"{path}/{children[name]}" if path else children[name]
        return None

    def _case_variant(self, path: str, toc: bool) -> str | None:
        for real in self.files.lower.get(path.lower(), ()):
            found = self._existing(real, toc)
            if found is not None:
                return found
        return None

    def suggest(self, source: str, wanted: str) -> str | None:
        """A near match for a missing file: one edit away in its folder, else the same file name
        elsewhere (only when the name is distinctive: at most three files carry it)."""
        key = ("suggest", wanted)
        if key not in self.memo:
            self.memo[key] = self._suggest(wanted)
        found = self.memo[key]
        return self.relative(source, found) if found else None

    def _suggest(self, wanted: str) -> str | None:
        folder, name = posixpath.split(wanted)
        siblings = self.files.children(folder) if folder in self.files.dirs else []
        close = _closest(name, siblings, cutoff=0.8)
        if close:
            return posixpath.join(folder, close)
        same = self.files.by_name.get(name.lower(), [])
        if 0 < len(same) <= 3:
            wanted_parts = wanted.split("/")

            def shared(path: str) -> int:
                count = 0
                for a, b in zip(path.split("/"), wanted_parts):
                    if a != b:
                        break
                    count += 1
                return count

            return max(same, key=lambda p: (shared(p), -len(p)))
        return None

    @staticmethod
    def relative(source: str, path: str) -> str:
        """``path`` written as a link from ``source`` (both root-relative)."""
        rel = posixpath.relpath(path, posixpath.dirname(source) or ".")
        return rel

    # ------------------------------------------------------------------ includes

    def resolve_include(self, source: str, include: Include) -> Resolved:
        return self.resolve(source, include.target)

    def is_external_include(self, resolved: Resolved) -> bool:
        return resolved.path is not None and self._external_includes.match(resolved.path)

    @cached_property
    def include_edges(self) -> dict[str, list[tuple[Include, str]]]:
        """File -> [(include directive, included file)] for includes that resolve."""
        edges: dict[str, list[tuple[Include, str]]] = {}
        for rel, page in self.pages.items():
            for include in page.includes:
                resolved = self.resolve_include(rel, include)
                if resolved.status in ("ok", "case") and resolved.path is not None:
                    edges.setdefault(rel, []).append((include, resolved.path))
        return edges

    @cached_property
    def includers(self) -> dict[str, set[str]]:
        """Included file -> files that include it directly."""
        result: dict[str, set[str]] = {}
        for rel, edges in self.include_edges.items():
            for _include, target in edges:
                result.setdefault(target, set()).add(rel)
        return result

    def rendering_pages(self, rel: str) -> list[str]:
        """The pages an include file appears on (following nested includes up), sorted."""
        seen: set[str] = set()
        pages: set[str] = set()
        stack = [rel]
        while stack:
            current = stack.pop()
            for parent in self.includers.get(current, ()):
                if parent in seen:
                    continue
                seen.add(parent)
                if self.is_include(parent):
                    stack.append(parent)
                else:
                    pages.add(parent)
        return sorted(pages)

    # ------------------------------------------------------------------ anchors

    def anchors(self, rel: str) -> frozenset[str] | None:
        """Every anchor a rendered page has: heading slugs (includes expanded, duplicates
        numbered across the whole page), explicit anchors, ``top``. None when unknown."""
        if rel in self._anchors:
            return self._anchors[rel]
        page = self.pages.get(rel)
        if page is None or page.kind != "markdown" or any(
            p.rule in ("file-unreadable", "file-too-large", "internal-error") for p in page.problems
        ):
            self._anchors[rel] = None
            return None
        slugs: list[str] = []
        explicit: set[str] = {"top"}
        self._collect_anchors(rel, slugs, explicit, [rel])
        result = frozenset(unique_slugs(slugs)) | explicit
        self._anchors[rel] = result
        return result

    def _collect_anchors(self, rel: str, slugs: list[str], explicit: set[str], stack: list[str]) -> None:
        page = self.pages.get(rel)
        if page is None:
            return
        explicit.update(anchor.name for anchor in page.anchors)
        events: list[tuple[int, int, Any]] = [(h.line, h.column, h) for h in page.headings]
        edges = self.include_edges.get(rel, [])
        events += [(inc.line, inc.column, target) for inc, target in edges]
        events.sort(key=lambda e: (e[0], e[1]))
        for _line, _col, item in events:
            if isinstance(item, str):
                if item in stack or len(stack) > MAX_INCLUDE_DEPTH:
                    continue
                stack.append(item)
                self._collect_anchors(item, slugs, explicit, stack)
                stack.pop()
            else:
                slugs.append(item.slug)

    # ------------------------------------------------------------------ references

    def links_of(self, page: Page) -> list[tuple[Link, Resolved]]:
        """Each link of a Markdown page with where it leads (computed once per page)."""
        key = ("links", page.path)
        found = self.memo.get(key)
        if found is None:
            resolve = self.resolve
            found = [(link, resolve(page.path, link.target)) for link in page.links]
            self.memo[key] = found
        return found

    @cached_property
    def inbound(self) -> dict[str, set[str]]:
        """File -> files whose links, includes or TOC entries reach it (self-links excluded)."""
        result: dict[str, set[str]] = {}
        for rel, page in self.pages.items():
            targets: list[Resolved] = []
            if page.kind == "toc":
                targets = [self.resolve(rel, e.href, toc=e.key == "tocHref") for s in page.toc for e in s.entries]
            else:
                targets = [resolved for _link, resolved in self.links_of(page)]
                targets += [self.resolve_include(rel, inc) for inc in page.includes]
            for resolved in targets:
                if resolved.status in ("ok", "case") and resolved.path and resolved.path != rel:
                    result.setdefault(resolved.path, set()).add(rel)
        return result

    def inbound_to(self, paths: list[str]) -> dict[str, set[str]]:
        """Like ``inbound``, for a few files only: a target is resolved only when its text could
        name one of them (its file name, or its folder's for an index page)."""
        if self.selected is None or len(paths) > 64:
            return {p: self.inbound.get(p, set()) for p in paths}
        wanted = set(paths)
        names: set[str] = set()
        for path in paths:
            stem = posixpath.splitext(posixpath.basename(path))[0].lower()
            names.add(stem)
            if stem == "index":
                names.add(posixpath.basename(posixpath.dirname(path)).lower() or "~")
        result: dict[str, set[str]] = {p: set() for p in paths}
        pattern = re.compile("|".join(re.escape(name) for name in sorted(names)), re.IGNORECASE)
        search = pattern.search

        def might(target: str) -> bool:
            if "%" in target:
                target = unquote(target)
            return search(target) is not None or target.strip() in ("", "./", "/", "~/")

        for rel, page in self.pages.items():
            if page.kind == "toc":
                hits = [self.resolve(rel, e.href, toc=e.key == "tocHref")
                        for s in page.toc for e in s.entries if might(e.href)]
            else:
                hits = [self.resolve(rel, link.target) for link in page.links if might(link.target)]
                hits += [self.resolve_include(rel, inc) for inc in page.includes if might(inc.target)]
            for resolved in hits:
                if resolved.path in wanted and resolved.status in ("ok", "case") and resolved.path != rel:
                    result[resolved.path].add(rel)
        return result

    def metadata(self, rel: str) -> dict[str, Any]:
        """Metadata DocFX applies to a page: docfx.json's, then the page's own (page wins)."""
        page = self.pages.get(rel)
        merged = self.docfx.metadata_for(rel)
        if page is not None and page.front_matter:
            merged.update(page.front_matter)
        return merged

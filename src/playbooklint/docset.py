"""The Docset: every cross-file question, answered once.

Which file a link resolves to (DocFX's rules), which anchors a page has (with its includes), who
includes whom, which pages something points at. Answers are cached: each distinct
(folder, target) is resolved once and each page's anchor set is computed once.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote

from . import incremental
from .config import Config
from .discover import FileIndex, is_within
from .docfx import DocfxInfo
from .fuzzy import closest, closest_anchor
from .globs import Globs
from .incremental import STAT_PREFIX
from .lifecycle import Lifecycle, build_lifecycle
from .model import Include, Link, Page, Problem, TocEntry
from .parse.decode import decode
from .site import URL_EXTENSIONS, learn_site_path
from .slug import unique_slugs
from .snippets import SnippetFile, read_snippet
from .source import read_source
from .yamlsafe import YamlProblem, compose, construct

if TYPE_CHECKING:
    from .external import ExternalResult
    from .schema import PageValidator
    from .site import Site

Status = Literal["ok", "missing", "case", "outside", "allowed", "external", "empty", "self", "redirected",
                 "cross", "dependent", "repo"]

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
MAX_INCLUDE_DEPTH = 16
MAX_EXPANSION = 10_000
"""Headings and includes visited to number a page's heading slugs exactly, includes expanded. A
page that expands to more (includes that each include the next ten times, eight levels deep, make
a hundred million) gets its anchors from counts of each slug instead (see ``_counted_anchors``)."""
MAX_COUNTED_ANCHORS = 100_000
"""At most this many numbered anchors (``x-1``, ``x-2``...) are listed for such a page."""


class _TooLarge(Exception):
    """A page's expansion ran over MAX_EXPANSION."""


class CountedAnchors(frozenset[str]):
    """The anchors of a page too large to expand: a frozenset of the anchors listed (for
    suggestions), whose ``in`` also knows every numbered copy ``x-N`` the slug counts give."""

    counts: dict[str, int]

    def __new__(cls, listed: set[str], counts: dict[str, int]) -> CountedAnchors:
        self = super().__new__(cls, listed)
        self.counts = counts
        return self

    def __contains__(self, item: object) -> bool:
        if frozenset.__contains__(self, item):
            return True
        if not isinstance(item, str):
            return False
        base, dash, number = item.rpartition("-")
        return (bool(dash) and 0 < len(number) <= 20 and number.isascii() and number.isdigit()
                and number[0] != "0" and int(number) < self.counts.get(base, 0))


@dataclass(frozen=True, slots=True)
class Resolved:
    """Where a link or include target leads."""

    status: Status
    """ok, missing, case (exists with other case), outside, allowed (outside but allowed),
    external (a URL), empty, self (``#fragment`` on the same page), redirected, cross (a file of
    another docset of the repository, by a relative path), dependent (in a repository the build
    checks out beside this one), repo (a file of the repository that no docset publishes)."""
    path: str | None = None
    """Root-relative path: the file reached (ok, case: the real path), or the one wanted."""
    fragment: str | None = None
    """Percent-decoded fragment, None when there is none."""
    detail: str = ""
    """Redirect URL, escaped symlink target, or why a folder does not resolve."""
    wanted: str | None = None
    """For case mismatches: the path as written (normalised)."""
    docset: str | None = None
    """The other docset (repository-relative folder) that holds ``path``, when it is not this one."""
    url: bool = False
    """True when reached through a site URL (``/azure/...``): case does not matter there."""
    absolute: bool = False
    """True for an absolute Microsoft Learn URL (``https://learn.microsoft.com/en-us/azure/x``)
    that a docset of the repository serves: resolved as its site-relative path (``/azure/x``)."""


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
        validator: PageValidator | None = None,
        selected: frozenset[str] | None = None,
        site: Site | None = None,
        prefix: str = "",
        external: Mapping[str, ExternalResult] | None = None,
    ) -> None:
        self.root = root
        """The docset root folder."""
        self.pages: Mapping[str, Page] = MappingProxyType(pages)
        """Every parsed file (pages, include files, TOCs) by root-relative path."""
        self.config = config
        """The run's settings (frozen)."""
        self.docfx = docfx or DocfxInfo()
        """What docfx.json says: content globs and metadata."""
        self.problems: tuple[Problem, ...] = tuple(problems or ())
        """Problems found while loading the docset's own files (docfx.json, redirections)."""
        self.selected = selected
        """The files findings are reported for (None: all); docset rules may skip the rest."""
        self.prefix = prefix
        """This docset's folder, relative to the repository root ("" for the root)."""
        self._site = site
        self._external = external
        self._files = files
        self._redirects = redirects or {}
        self._validator = validator
        self._include_globs = Globs(config.includes)
        self._allow_outside = Globs(config.allow_outside)
        self._external_includes = Globs(config.external_includes)
        # private caches of answers that depend only on the inputs above: whichever rule asks
        # first, every rule gets the same answer
        self._resolved: dict[tuple[str, str, bool], Resolved] = {}
        self._folders: dict[str, str] = {}
        self._anchors: dict[str, frozenset[str] | None] = {}
        self._expansions: dict[str, tuple[dict[str, int], frozenset[str]]] = {}
        self._links: dict[str, list[tuple[Link, Resolved]]] = {}
        self._built: dict[str, bool] = {}
        self._metadata: dict[str, dict[str, Any]] = {}
        self._suggestions: dict[str, str | None] = {}
        self._anchor_guesses: dict[tuple[str, str], str | None] = {}
        self._reads: dict[str, bytes] = {}
        self._snippet_files: dict[str, SnippetFile | None] = {}
        self._pivot_files: dict[str, dict[str, frozenset[str]] | None] = {}
        self._closures: dict[str, frozenset[str]] = {}
        self._outbound: dict[str, tuple[str, ...]] = {}

    # ------------------------------------------------------------------ what a file is

    def is_include(self, rel: str) -> bool:
        """Include files: anything in an ``includes`` folder, or matching config ``includes``."""
        parts = rel.lower().split("/")[:-1]
        return "includes" in parts or self._include_globs.match(rel)

    def is_index(self, rel: str) -> bool:
        return rel == self.config.index

    def is_selected(self, rel: str) -> bool:
        """True when findings are reported for this file: it was asked about, and the docset builds
        it (a page or TOC its docfx.json content builds, or an include file); a README or template
        that no docset builds is never reported on."""
        return (self.selected is None or rel in self.selected) and self.is_built(rel)

    def is_built(self, rel: str) -> bool:
        """True unless ``rel`` is a parsed file that the docset neither publishes nor includes."""
        known = self._built.get(rel)
        if known is None:
            known = self._built[rel] = (rel not in self.pages or self.docfx.is_content(rel)
                                        or self.is_include(rel) or rel in self.includers)
        return known

    def exists(self, rel: str) -> bool:
        """True when a file with exactly this root-relative path exists."""
        self._note(rel, content=False)
        return rel in self._files.files

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
        if incremental._active:
            self._note_resolved(base, path_part)
        if not hash_mark or base.status == "external":
            return base
        status: Status = "self" if base.status == "empty" else base.status  # "#x" is this page
        return replace(base, status=status, fragment=unquote(fragment_raw))

    def _note(self, rel: str, content: bool = True) -> None:
        """Tell the page being checked (incremental runs) that an answer came from this file: from
        what it holds, or only from whether it exists."""
        if incremental._active:
            path = self._repo_path(rel).lower()
            incremental.note(paths=(path,) if content else (), names=() if content else (path,))

    def _note_resolved(self, resolved: Resolved, target: str) -> None:
        """Tell the page being checked where a link led, and whether the answer depends on the
        listing as a whole (anything but a plain hit or a URL of another site)."""
        recorder = incremental.active()
        if recorder is None:
            return
        if resolved.path is not None:
            owner = resolved.docset if resolved.docset is not None else self.prefix
            path = posixpath.normpath(posixpath.join(owner, resolved.path)) if owner else resolved.path
            recorder.names.add(path.lower())
        status = resolved.status
        if status == "external":
            raw = target.strip().lstrip("<")
            if (raw.startswith("/") and not raw.startswith("//")) or learn_site_path(raw) is not None:
                recorder.listing = True  # a site URL that no docset serves today
        elif status not in ("ok", "self", "empty") or resolved.url or resolved.docset is not None:
            recorder.listing = True

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
            site_path = None if toc else learn_site_path(raw)
            return Resolved("external") if site_path is None else self._resolve_learn(folder, site_path)
        path = raw.split("?", 1)[0].replace("\\", "/")
        path = unquote(path)
        if not path:
            return Resolved("self")  # "?tabs=x": this page
        candidates_from_url = False
        if path.startswith("~/") or path == "~":
            base, path = "", path[2:]
        elif path.startswith("/"):
            if self._site is not None:
                return self._resolve_url(path, toc)
            for url_base in self.config.url_base:
                if path.startswith(url_base) or path + "/" == url_base:
                    base, path = "", path[len(url_base):]
                    candidates_from_url = True
                    break
            else:
                return self._resolve_url(path, toc)
        else:
            base = folder
        joined = posixpath.normpath(posixpath.join(base, path)) if path else (base or ".")
        if joined == ".":
            joined = ""
        if not is_within(joined):
            if self._allow_outside.match(joined):
                # an allowed sibling folder: looked at (stat only), never parsed; what was seen is
                # kept with the cached findings (``reads``), and looked at again before they are reused
                exists = os.path.exists(os.path.join(self.root, joined))
                self._reads[STAT_PREFIX + self._repo_path(joined)] = b"1" if exists else b"0"
                if exists:
                    return Resolved("allowed", joined)
                return Resolved("missing", joined, None, "in an allow-outside folder")
            if self._site is not None:
                return self._leaving(joined, toc)
            return Resolved("outside", joined)
        escaped = self._escape_of(joined)
        if escaped is not None:
            return Resolved("outside", joined, None, f"symbolic link to {escaped}")
        if self._site is not None and self._site.repository.dependent:
            dependent = self._dependent(joined)
            if dependent is not None:
                return dependent
        canonical = self._files.canonical(joined)
        candidates = [canonical]
        if candidates_from_url:
            stem = canonical.rstrip("/")
            candidates += [f"{stem}.md", f"{stem}/index.md", f"{stem}.yml", f"{stem}/index.yml"]
        if self._site is not None and self._site.repository.nested_in(self.prefix):
            nested = self._nested(canonical, toc)
            if nested is not None:
                return nested
        return self.lookup(candidates, toc)

    def _resolve_learn(self, folder: str, site_path: str) -> Resolved:
        """An absolute Microsoft Learn URL, resolved as the site-relative path it names when a
        docset of the repository serves that path (case does not matter on the site); external
        (unchecked) when none does."""
        found = self._resolve(folder, site_path, False)
        if found.status == "case":
            found = replace(found, status="ok", wanted=None)
        if found.status not in ("ok", "missing", "redirected"):
            return Resolved("external")
        return replace(found, url=True, absolute=True)

    def lookup(self, candidates: list[str], toc: bool = False, url: bool = False) -> Resolved:
        """The first candidate (docset-relative, normalised) that exists, else a case variant, else
        a redirect (any case for a site URL), else missing (the first candidate)."""
        canonical = candidates[0]
        for candidate in candidates:
            found = self._existing(candidate, toc)
            if found is not None:
                return Resolved("ok", found)
        if canonical in self._files.dirs:
            what = "toc.yml or index.md" if toc else "index.md or index.yml"
            return Resolved("missing", canonical, None, f"folder without {what}")
        for candidate in candidates:
            real = self._case_variant(candidate, toc)
            if real is not None:
                return Resolved("case", real, wanted=candidate)
        for candidate in candidates:
            if candidate in self._redirects:
                return Resolved("redirected", candidate, None, self._redirects[candidate])
            if url and candidate.lower() in self._redirects_by_lower:
                source = self._redirects_by_lower[candidate.lower()]
                return Resolved("redirected", source, None, self._redirects[source])
        return Resolved("missing", canonical)

    def owns(self, rel: str) -> bool:
        """True when the first folder (or file) of a docset-relative path is one of this docset's,
        or the start of a redirect source: a site URL there that no file serves is broken, while
        elsewhere under the docset's URL base other repositories may publish (``/dotnet/api/``)."""
        head = rel.strip("/").split("/", 1)[0].lower()
        if not head:
            return True
        stem = posixpath.splitext(head)[0]
        if head in self._files.lower or any(f"{stem}{ext}" in self._files.lower for ext in (".md", ".yml")):
            return True
        return head in self._redirect_heads or f"{stem}.md" in self._redirect_heads

    def _dependent(self, joined: str) -> Resolved | None:
        """A path into a dependent repository (the build checks it out there): stat-checked when
        the folder is present, else taken on trust."""
        assert self._site is not None
        repo_rel = self._repo_path(joined)
        dependent = self._site.repository.dependent_of(repo_rel)
        if dependent is None:
            return None
        index = self._site.index
        if dependent not in index.dirs:
            return Resolved("dependent", joined, None, f"from the dependent repository '{dependent}'")
        if repo_rel in index.files or repo_rel in index.dirs:
            return Resolved("dependent", joined)
        return Resolved("missing", joined, None, f"in the dependent repository '{dependent}'")

    def _repo_path(self, rel: str) -> str:
        return posixpath.normpath(posixpath.join(self.prefix, rel)) if self.prefix else rel

    def _nested(self, rel: str, toc: bool) -> Resolved | None:
        """A path inside a docset nested in this one's folder: that docset's file."""
        assert self._site is not None
        repo_rel = self._repo_path(rel)
        owner = self._site.owner(repo_rel)
        if owner is None or owner == self.prefix:
            return None
        return self._foreign(owner, repo_rel, toc)

    def _foreign(self, owner: str, repo_rel: str, toc: bool) -> Resolved:
        """A relative path into another docset: ``cross`` when it exists there."""
        assert self._site is not None
        other = self._site.docset(owner)
        local = repo_rel[len(owner) + 1:] if owner else repo_rel
        found = other.lookup([other._files.canonical(local)], toc)
        if found.status in ("ok", "case", "redirected"):
            return replace(found, status="cross" if found.status != "redirected" else "redirected", docset=owner)
        return replace(found, docset=owner, detail=found.detail or f"in the docset '{owner or '.'}'")

    def _leaving(self, joined: str, toc: bool) -> Resolved:
        """A relative path that leaves the docset's folder: back into it, into another docset, into
        a dependent repository, or onto a file of the repository that no docset publishes."""
        assert self._site is not None
        repo_rel = self._repo_path(joined)
        if not is_within(repo_rel):
            return Resolved("outside", joined)
        dependent = self._dependent(joined)
        if dependent is not None:
            return dependent
        owner = self._site.owner(repo_rel)
        if owner == self.prefix:  # out and back in: ../docs/x.md from inside docs/
            local = repo_rel[len(self.prefix) + 1:] if self.prefix else repo_rel
            return self.lookup([self._files.canonical(local)], toc)
        if owner is not None:
            return self._foreign(owner, repo_rel, toc)
        index = self._site.index
        if repo_rel in index.files or repo_rel in index.dirs:
            return Resolved("repo", joined)
        return Resolved("outside", joined)

    def _resolve_url(self, path: str, toc: bool) -> Resolved:
        """A root-relative site path: resolved in whichever docset of the repository serves it;
        unchecked (external) when none does. Case does not matter on the site."""
        if self._site is None:
            return Resolved("external")
        hits = self._site.locate_url(path)
        if not hits:
            return Resolved("external")
        missing: Resolved | None = None
        for hit in hits:
            other = self if hit.docset == self.prefix else self._site.docset(hit.docset)
            found = other.lookup(list(hit.candidates), toc, url=True)
            if found.status == "case":
                found = replace(found, status="ok", wanted=None)
            found = replace(found, docset=None if other is self else hit.docset, url=True)
            if found.status != "missing":
                return found
            if missing is None and hit.owned and (hit.declared or other.owns(hit.candidates[0])):
                missing = replace(found, detail=found.detail or f"no page of the docset '{hit.docset or '.'}' "
                                  "is published at that URL")
        return missing or Resolved("external")

    def serves(self, site_path: str) -> bool:
        """True when a file or a redirect of this docset is published at a path relative to its
        site root (case-insensitive, as the site is)."""
        for source in self.docfx.sources_of(site_path.strip("/"), self._files.dirs):
            for extension in URL_EXTENSIONS:
                candidate = (source + extension).strip("/").lower()
                if candidate and (candidate in self._files.lower or candidate in self._redirects_by_lower):
                    return True
        return False

    @cached_property
    def _redirects_by_lower(self) -> dict[str, str]:
        return {source.lower(): source for source in self._redirects}

    @cached_property
    def _redirect_heads(self) -> frozenset[str]:
        """The first folder (or file) of every redirect source, lower-case: looked up, not scanned,
        for each URL (a redirection file may hold a million entries)."""
        return frozenset(source.lower().split("/", 1)[0] for source in self._redirects)

    def other(self, resolved: Resolved) -> Docset:
        """The docset that holds a resolved target (this one, or another of the repository)."""
        if resolved.docset is None or self._site is None:
            return self
        return self._site.docset(resolved.docset)

    def url_of(self, resolved: Resolved) -> str | None:
        """The site-relative URL of a resolved target in another docset, when known."""
        if self._site is None or resolved.path is None:
            return None
        return self._site.url_of(resolved.docset if resolved.docset is not None else self.prefix, resolved.path)

    def _escape_of(self, path: str) -> str | None:
        escapes = self._files.escapes
        if not escapes:
            return None
        probe = path
        while probe:
            if probe in escapes:
                return escapes[probe]
            probe = posixpath.dirname(probe)
        return None

    def _existing(self, path: str, toc: bool) -> str | None:
        if path in self._files.files:
            return path
        if path in self._files.dirs:
            names = ("toc.yml", "index.md", "index.yml") if toc else ("index.md", "index.yml")
            children = {name.lower(): name for name in self._files.children(path)}
            for name in names:
                if name in children:
                    return f"{path}/{children[name]}" if path else children[name]
        return None

    def _case_variant(self, path: str, toc: bool) -> str | None:
        for real in self._files.lower.get(path.lower(), ()):
            found = self._existing(real, toc)
            if found is not None:
                return found
        return None

    def suggest(self, source: str, wanted: str) -> str | None:
        """A near match for a missing file, written as a link from ``source``: one edit away in its
        folder, else the same file name elsewhere (only when the name is distinctive: at most three
        files carry it)."""
        incremental.note(listing=True)
        if wanted not in self._suggestions:
            self._suggestions[wanted] = self._suggest(wanted)
        found = self._suggestions[wanted]
        return self.relative(source, found) if found else None

    def _suggest(self, wanted: str) -> str | None:
        folder, name = posixpath.split(wanted)
        siblings = self._files.children(folder) if folder in self._files.dirs else []
        close = closest(name, siblings, cutoff=0.8)
        if close and _other_phase(name, close):
            close = None  # phase-deploy.md deleted: phase-design.md is another step, not the page meant
        if close:
            return posixpath.join(folder, close)
        same = self._files.by_name.get(name.lower(), [])
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

    def files_named(self, name: str) -> list[str]:
        """Every file of the docset with this name (any case), root-relative, sorted."""
        incremental.note(listing=True)
        return list(self._files.by_name.get(name.lower(), ()))

    @staticmethod
    def relative(source: str, path: str) -> str:
        """``path`` written as a link from ``source`` (both root-relative)."""
        rel = posixpath.relpath(path, posixpath.dirname(source) or ".")
        return rel

    def replacing(self, pages: Mapping[str, Page], selected: frozenset[str] | None) -> Docset:
        """This docset with some pages' facts replaced (the same files, settings and repository),
        reporting on ``selected``: how a fix is checked before its file is written."""
        return Docset(self.root, {**self.pages, **pages}, self._files, self.config, self.docfx, self._redirects,
                      list(self.problems), self._validator, selected, self._site, self.prefix, self._external)

    def revised(self, pages: Mapping[str, Page], selected: frozenset[str] | None) -> Docset:
        """Like ``replacing``, keeping the answers that do not depend on the pages replaced: how
        the editor server checks a page as it is typed (one page changes, the rest of the docset's
        answers stay). Kept: where targets resolve (the files did not change); each unchanged
        page's links, metadata and include edges; the anchors of pages that neither are nor
        include (through any depth) a replaced page; and, when the replaced pages include the
        same files as before, which files are built and who links to whom, updated for them."""
        new = self.replacing(pages, selected)
        changed = {rel for rel, page in pages.items() if self.pages.get(rel) is not page}
        new._resolved = self._resolved  # shared: they depend on the files, redirects and settings only
        new._folders = self._folders
        new._suggestions = self._suggestions
        new._metadata = {rel: found for rel, found in self._metadata.items() if rel not in changed}
        new._links = {rel: found for rel, found in self._links.items() if rel not in changed}
        known = self.__dict__
        stale = set(changed)
        if "include_edges" in known:
            stack = list(changed)
            while stack:  # the pages that include a replaced page, through any depth
                for parent in self.includers.get(stack.pop(), ()):
                    if parent not in stale:
                        stale.add(parent)
                        stack.append(parent)
        elif self._anchors:
            stale = set(self.pages)  # who includes whom is not known: nothing is kept
        new._anchors = {rel: found for rel, found in self._anchors.items() if rel not in stale}
        new._anchor_guesses = {key: found for key, found in self._anchor_guesses.items() if key[0] not in stale}
        if "include_edges" not in known:
            return new
        edges = {rel: found for rel, found in self.include_edges.items() if rel not in changed}
        for rel in changed:
            page = new.pages[rel]
            for include in page.includes:
                resolved = new.resolve_include(rel, include)
                if resolved.status in ("ok", "case") and resolved.path is not None and resolved.docset is None:
                    edges.setdefault(rel, []).append((include, resolved.path))
        new.__dict__["include_edges"] = edges

        def targets(docset: Docset, rel: str) -> list[str]:
            return sorted({target for _include, target in docset.include_edges.get(rel, ())})

        if any(targets(self, rel) != targets(new, rel) for rel in changed):
            return new  # which files are built may change: computed again when asked
        if "includers" in known:
            new.__dict__["includers"] = self.includers
        new._built = {rel: found for rel, found in self._built.items() if rel not in changed}
        if "inbound" in known:
            inbound = {target: set(sources) for target, sources in self.inbound.items()}
            for rel in changed:
                for target in self._reaches(rel):
                    inbound.get(target, set()).discard(rel)
                for target in new._reaches(rel):
                    inbound.setdefault(target, set()).add(rel)
            new.__dict__["inbound"] = {target: sources for target, sources in inbound.items() if sources}
        return new

    def _reaches(self, rel: str) -> set[str]:
        """The files of this docset that a file's links, includes or TOC entries reach (what it
        adds to ``inbound``; nothing for a file the docset does not build)."""
        if rel not in self.pages or not self.is_built(rel):
            return set()
        return set(self.outbound(rel))

    # ------------------------------------------------------------------ external links

    @property
    def external_checked(self) -> bool:
        """True when the run checked external links (``--external``)."""
        return self._external is not None

    def external_result(self, url: str) -> ExternalResult | None:
        """What requesting an http(s) URL (without its fragment) told, when the run checked it."""
        return None if self._external is None else self._external.get(url)

    # ------------------------------------------------------------------ includes

    def resolve_include(self, source: str, include: Include) -> Resolved:
        return self.resolve(source, include.target)

    def is_external_include(self, resolved: Resolved) -> bool:
        return resolved.path is not None and self._external_includes.match(resolved.path)

    @cached_property
    def include_edges(self) -> dict[str, list[tuple[Include, str]]]:
        """File -> [(include directive, included file)] for includes that resolve."""
        edges: dict[str, list[tuple[Include, str]]] = {}
        with incremental.paused():
            for rel, page in self.pages.items():
                for include in page.includes:
                    resolved = self.resolve_include(rel, include)
                    if resolved.status in ("ok", "case") and resolved.path is not None and resolved.docset is None:
                        edges.setdefault(rel, []).append((include, resolved.path))
        return edges

    def include_graph(self) -> list[tuple[str, str, str, str | None, str | None]]:
        """Every include of every file with where it leads: (file, target as written, status, path,
        docset). The anchors and hosts of every page follow from it (incremental runs key on it)."""
        graph: list[tuple[str, str, str, str | None, str | None]] = []
        with incremental.paused():
            for rel in sorted(self.pages):
                for include in self.pages[rel].includes:
                    resolved = self.resolve_include(rel, include)
                    graph.append((rel, include.target, resolved.status, resolved.path, resolved.docset))
        return graph

    def closure(self, rel: str) -> frozenset[str]:
        """A file and every file it includes, directly or not (repository-relative, lower case)."""
        found = self._closures.get(rel)
        if found is None:
            seen = {rel}
            stack = [rel]
            edges = self.include_edges
            while stack:
                for _include, target in edges.get(stack.pop(), ()):
                    if target not in seen:
                        seen.add(target)
                        stack.append(target)
            found = self._closures[rel] = frozenset(self._repo_path(path).lower() for path in seen)
        return found

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
        if incremental._active:
            incremental.note(names=[self._repo_path(page).lower() for page in pages])
        return sorted(pages)

    # ------------------------------------------------------------------ anchors

    def anchors_of(self, rel: str) -> frozenset[str] | None:
        """Every anchor a rendered page has: heading slugs (includes expanded, duplicates
        numbered across the whole page), explicit anchors, ``top``. None when unknown."""
        if incremental._active:
            incremental.note(paths=self.closure(rel))
        if rel in self._anchors:
            return self._anchors[rel]
        page = self.pages.get(rel)
        if page is None or page.kind != "markdown" or not page.readable:
            self._anchors[rel] = None
            return None
        if rel in self._opaque:
            self._anchors[rel] = None  # headings come from a file we cannot read here
            return None
        slugs: list[str] = []
        explicit: set[str] = {"top"}
        try:
            self._collect_anchors(rel, slugs, explicit, [rel], [MAX_EXPANSION])
            result = frozenset(unique_slugs(slugs)) | explicit
        except _TooLarge:
            result = self._counted_anchors(rel)
        self._anchors[rel] = result
        return result

    @cached_property
    def _opaque(self) -> frozenset[str]:
        """Files that include, directly or through other includes, a file provided at build time by
        another repository (or another docset): their headings, and so their anchors, cannot be
        known. Found once for the docset, backwards from those includes: linear in the include
        graph however often each file is included."""
        found: set[str] = set()
        for rel, page in self.pages.items():
            for include in page.includes if page.kind == "markdown" else ():
                resolved = self.resolve_include(rel, include)
                if resolved.status in ("dependent", "repo", "cross", "allowed") or self.is_external_include(resolved):
                    found.add(rel)
                    break
        stack = list(found)
        while stack:
            for parent in self.includers.get(stack.pop(), ()):
                if parent not in found:
                    found.add(parent)
                    stack.append(parent)
        return frozenset(found)

    def _collect_anchors(self, rel: str, slugs: list[str], explicit: set[str], stack: list[str],
                         budget: list[int]) -> None:
        page = self.pages.get(rel)
        if page is None:
            return
        explicit.update(anchor.name for anchor in page.anchors)
        events: list[tuple[int, int, Any]] = [(h.line, h.column, h) for h in page.headings]
        edges = self.include_edges.get(rel, [])
        events += [(inc.line, inc.column, target) for inc, target in edges]
        events.sort(key=lambda e: (e[0], e[1]))
        budget[0] -= len(events)
        if budget[0] < 0:
            raise _TooLarge
        for _line, _col, item in events:
            if isinstance(item, str):
                if item in stack or len(stack) > MAX_INCLUDE_DEPTH:
                    continue
                stack.append(item)
                self._collect_anchors(item, slugs, explicit, stack, budget)
                stack.pop()
            else:
                slugs.append(item.slug)

    def _counted_anchors(self, rel: str) -> frozenset[str]:
        """The anchors of a page too large to expand: each heading slug and its numbered copies as
        its count gives them (``x``, ``x-1``, ``x-2``...; up to MAX_COUNTED_ANCHORS of them listed,
        all of them known to ``in``), explicit anchors and ``top``. Exact unless a heading's own
        slug looks like another's numbered copy."""
        raw, explicit = self._expansion(rel)
        counts: dict[str, int] = {}
        for slug, count in raw.items():
            counts[slug or "section"] = counts.get(slug or "section", 0) + count
        listed = set(explicit) | {"top"} | set(counts)
        room = MAX_COUNTED_ANCHORS
        for slug, count in sorted(counts.items()):
            extra = min(count - 1, room)
            listed.update(f"{slug}-{n}" for n in range(1, extra + 1))
            room -= extra
            if room <= 0:
                break
        return CountedAnchors(listed, counts)

    def _expansion(self, rel: str) -> tuple[dict[str, int], frozenset[str]]:
        """How many times each heading slug appears on a file with its includes expanded, and its
        explicit anchors: each file's counts computed once from those of the files it includes
        (an include that closes a cycle adds nothing), so the cost is linear in the include graph."""
        memo = self._expansions
        stack: list[tuple[str, bool]] = [(rel, False)]
        open_files: set[str] = set()
        while stack:
            current, finished = stack.pop()
            if finished:
                page = self.pages.get(current)
                counts: dict[str, int] = {}
                names: set[str] = set()
                if page is not None:
                    for heading in page.headings:
                        counts[heading.slug] = counts.get(heading.slug, 0) + 1
                    names.update(anchor.name for anchor in page.anchors)
                for _include, target in self.include_edges.get(current, []):
                    if target in memo:
                        for slug, count in memo[target][0].items():
                            counts[slug] = counts.get(slug, 0) + count
                        names |= memo[target][1]
                memo[current] = (counts, frozenset(names))
                open_files.discard(current)
                continue
            if current in memo or current in open_files:
                continue
            open_files.add(current)
            stack.append((current, True))
            stack.extend((target, False) for _include, target in self.include_edges.get(current, [])
                         if target not in memo and target not in open_files)
        return memo[rel]

    # ------------------------------------------------------------------ references

    def closest_anchor(self, rel: str, fragment: str) -> str | None:
        """The anchor of a page that ``#fragment`` most likely meant."""
        key = (rel, fragment)
        if key not in self._anchor_guesses:
            anchors = self.anchors_of(rel)
            self._anchor_guesses[key] = closest_anchor(fragment, anchors) if anchors else None
        return self._anchor_guesses[key]

    # ------------------------------------------------------------------ references

    def links_of(self, page: Page) -> list[tuple[Link, Resolved]]:
        """Each link of a page with where it leads (computed once per page)."""
        found = self._links.get(page.path)
        if found is None:
            resolve = self.resolve
            found = [(link, resolve(page.path, link.target)) for link in page.links]
            self._links[page.path] = found
        return found

    def toc_target(self, source: str, entry: TocEntry) -> Resolved:
        """Where a TOC entry leads. The one place TOC resolution is decided: a folder means its
        ``toc.yml`` (else its ``index.md``/``index.yml``), as DocFX reads a folder href."""
        return self.resolve(source, entry.href, toc=True)

    def toc_links_of(self, page: Page) -> list[tuple[TocEntry, Resolved]]:
        """Each entry of a TOC file with where it leads."""
        return [(entry, self.toc_target(page.path, entry)) for section in page.toc for entry in section.entries]

    @cached_property
    def inbound(self) -> dict[str, set[str]]:
        """File -> files whose links, includes or TOC entries reach it (self-links excluded)."""
        result: dict[str, set[str]] = {}
        with incremental.paused():
            for rel in self.pages:
                if not self.is_built(rel):
                    continue  # a README's links do not make a page reachable
                for target in self.outbound(rel):
                    result.setdefault(target, set()).add(rel)
        return result

    def outbound(self, rel: str) -> tuple[str, ...]:
        """Files of this docset that a file's links, includes or TOC entries reach (not itself)."""
        found = self._outbound.get(rel)
        if found is None:
            page = self.pages[rel]
            if page.kind == "toc":
                targets = [resolved for _entry, resolved in self.toc_links_of(page)]
            else:
                targets = [resolved for _link, resolved in self.links_of(page)]
                targets += [self.resolve_include(rel, inc) for inc in page.includes]
            found = self._outbound[rel] = tuple(sorted({
                resolved.path for resolved in targets
                if resolved.status in ("ok", "case") and resolved.path and resolved.path != rel
                and resolved.docset is None}))
        return found

    def remember_outbound(self, known: Mapping[str, tuple[str, ...]]) -> None:
        """Outbound files of pages whose answers an incremental run knows are unchanged from the
        last run (the same answers ``outbound`` would compute)."""
        for rel, targets in known.items():
            if rel in self.pages:
                self._outbound.setdefault(rel, targets)

    @property
    def linked_from_other_docsets(self) -> frozenset[str]:
        """Files of this docset that the repository's other docsets link to or include (by site
        URL, or by a relative path that crosses over)."""
        if self._site is None:
            return frozenset()
        return self._site.referenced_from_elsewhere(self.prefix)

    def references_out(self) -> list[tuple[str, str]]:
        """(docset, path) of every file of another docset that this docset's built pages link to,
        include or list in a TOC."""
        found = []
        for rel, page in self.pages.items():
            if not self.is_built(rel):
                continue
            pairs: list[tuple[Any, Resolved]] = list(self.toc_links_of(page)) if page.kind == "toc" else \
                [*self.links_of(page), *((inc, self.resolve_include(rel, inc)) for inc in page.includes)]
            for _item, resolved in pairs:
                if resolved.docset is not None and resolved.path and resolved.status in ("ok", "case", "cross"):
                    found.append((resolved.docset, resolved.path))
        return found

    def inbound_to(self, paths: list[str]) -> dict[str, set[str]]:
        """Like ``inbound``, for a few files only: a target is resolved only when its text could
        name one of them (its file name, or its folder's for an index page)."""
        if self.selected is None or len(paths) > 64 or "inbound" in self.__dict__:
            return {p: self.inbound.get(p, set()) for p in paths}
        wanted = set(paths)
        result: dict[str, set[str]] = {p: set() for p in paths}
        might = could_name(paths)

        for rel, page in self.pages.items():
            if not self.is_built(rel):
                continue
            if page.kind == "toc":
                hits = [self.toc_target(rel, e) for s in page.toc for e in s.entries if might(e.href)]
            else:
                hits = [self.resolve(rel, link.target) for link in page.links if might(link.target)]
                hits += [self.resolve_include(rel, inc) for inc in page.includes if might(inc.target)]
            for resolved in hits:
                if resolved.path in wanted and resolved.status in ("ok", "case") and resolved.path != rel \
                        and resolved.docset is None:
                    result[resolved.path].add(rel)
        return result

    # ------------------------------------------------------------------ other files the rules read

    @property
    def reads(self) -> Mapping[str, bytes]:
        """Repository-relative path -> content key (as ``source.read_source`` makes it) of each
        file read for the rules beyond the parsed sources: snippet files, the zone pivot groups
        file; and the files of ``allow-outside`` folders looked at (``STAT_PREFIX``). Findings
        depend on them, so the engine keeps them with its cached findings."""
        return MappingProxyType(self._reads)

    def _read_text(self, repo_rel: str, within: Path) -> str | None:
        """The text of a file of the repository, or None: only a file of the repository's own
        index that really is inside the folder ``within`` (symbolic links followed by name only,
        never out of it), within ``max-file-size``, that decodes as text. Only a docset built from
        disk reads files."""
        site = self._site
        if site is None:
            return None
        index = site.index
        repo_rel = index.canonical(posixpath.normpath(repo_rel))
        if not is_within(repo_rel) or repo_rel not in index.files:
            return None
        probe = repo_rel
        while probe:
            if probe in index.escapes:
                return None
            probe = posixpath.dirname(probe)
        root = str(site.repository.root)
        real, folder = os.path.realpath(os.path.join(root, repo_rel)), os.path.realpath(within)
        if not real.startswith(folder.rstrip(os.sep) + os.sep):
            return None
        key, data, unread = read_source(root, repo_rel, self.config.max_file_size)
        self._reads[repo_rel] = key
        if unread is not None or data is None:
            return None
        return decode(data)[0]

    def snippet_file(self, resolved: Resolved) -> SnippetFile | None:
        """Lines and regions of the code snippet file a snippet resolved to (read once per file);
        None when it is unknown here: missing, outside the repository, in a dependent repository
        that is not checked out, too large, not text, or empty."""
        if resolved.path is None or resolved.status not in ("ok", "case", "cross", "allowed", "dependent", "repo"):
            return None
        if resolved.docset is not None:
            repo_rel = posixpath.join(resolved.docset, resolved.path) if resolved.docset else resolved.path
        else:
            repo_rel = self._repo_path(resolved.path)
        repo_rel = posixpath.normpath(repo_rel)
        incremental.note(paths=(repo_rel.lower(),))
        if repo_rel not in self._snippet_files:
            text = self._read_text(repo_rel, self._site.repository.root) if self._site is not None else None
            # an empty file says nothing: a placeholder for a file the build fetches, or one being written
            self._snippet_files[repo_rel] = read_snippet(text) if text is not None and text.strip() else None
        return self._snippet_files[repo_rel]

    def zone_pivots(self, group_file: str) -> dict[str, frozenset[str]] | None:
        """Zone pivot groups (group id -> its pivot ids) declared in ``group_file``, a path relative
        to the docset root (``zone-pivot-groups.yml``): ``groups: [{id, pivots: [{id}]}]``. None when
        the file is not in the docset, cannot be read, or does not have that shape."""
        rel = posixpath.normpath(group_file.strip().replace("\\", "/").removeprefix("~/").lstrip("/"))
        self._note(rel)
        if rel not in self._pivot_files:
            groups: dict[str, frozenset[str]] | None = None
            if is_within(rel) and rel in self._files.files and self._escape_of(rel) is None:
                text = self._read_text(self._repo_path(rel), self.root)
                groups = _pivot_groups(text) if text is not None else None
            self._pivot_files[rel] = groups
        return self._pivot_files[rel]

    # ------------------------------------------------------------------ metadata

    @property
    def schema(self) -> dict[str, Any]:
        """The page metadata schema (empty when there is none)."""
        schema = self._validator.schema if self._validator is not None else None
        return schema if isinstance(schema, dict) else {}

    def schema_errors(self, rel: str) -> list[Any]:
        """The schema's errors for a page's merged metadata (jsonschema errors, in a stable order).
        Not kept: error objects are large, and the validator memoises its checks already."""
        if self._validator is None:
            return []
        errors = self._validator.iter_errors(self.metadata(rel))
        return sorted(errors, key=lambda e: (list(map(str, e.absolute_path)), e.validator))

    @cached_property
    def lifecycle(self) -> Lifecycle | None:
        """The playbook lifecycle, or None when the docset has none."""
        return build_lifecycle(self)

    def metadata(self, rel: str) -> dict[str, Any]:
        """Metadata DocFX applies to a page: docfx.json's, then the page's own (page wins). The
        dict is the docset's own (computed once per page): read it, never change it."""
        self._note(rel)
        found = self._metadata.get(rel)
        if found is None:
            page = self.pages.get(rel)
            found = self.docfx.metadata_for(rel)
            if page is not None and page.front_matter:
                found.update(page.front_matter)
            self._metadata[rel] = found
        return found


def could_name(paths: Iterable[str]) -> Callable[[str], bool]:
    """A quick test that is true for every link target that could resolve to one of these files
    (its text names the file, or the folder of an index page), and false for most others."""
    names: set[str] = set()
    for path in paths:
        stem = posixpath.splitext(posixpath.basename(path))[0].lower()
        names.add(stem)
        if stem == "index":
            names.add(posixpath.basename(posixpath.dirname(path)).lower() or "~")
    if not names:
        return lambda _target: False
    search = re.compile("|".join(re.escape(name) for name in sorted(names)), re.IGNORECASE).search

    def might(target: str) -> bool:
        if "%" in target:
            target = unquote(target)
        return search(target) is not None or target.strip() in ("", "./", "/", "~/")

    return might


def _pivot_groups(text: str) -> dict[str, frozenset[str]] | None:
    """``groups: [{id, pivots: [{id}]}]`` of a zone pivot groups file; None for anything else."""
    try:
        node = compose(text)
        data = construct(node) if node is not None else None
    except YamlProblem:
        return None
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list):
        return None
    found: dict[str, frozenset[str]] = {}
    for group in groups:
        if not isinstance(group, dict) or not isinstance(group.get("id"), str):
            return None
        pivots = group.get("pivots")
        if not isinstance(pivots, list):
            return None
        found[group["id"].strip()] = frozenset(
            str(p["id"]).strip() for p in pivots if isinstance(p, dict) and isinstance(p.get("id"), str)
        )
    return found


_PHASE_PAGE = re.compile(r"phase-(.+)\.md", re.IGNORECASE)


def _other_phase(wanted: str, found: str) -> bool:
    """True when a missing ``phase-*.md`` and the near match are two different phase pages: the
    names after ``phase-`` are more than one typo apart (``remediat``/``remediate``,
    ``desing``/``design`` are typos; ``deploy``/``design``, ``plan``/``scan`` are two phases).
    Suggesting one phase for another after a phase page was deleted sends the reader to the wrong step."""
    a, b = _PHASE_PAGE.fullmatch(wanted), _PHASE_PAGE.fullmatch(found)
    if a is None or b is None:
        return False
    return not _one_edit(a.group(1).lower(), b.group(1).lower())


def _one_edit(a: str, b: str) -> bool:
    """At most one insertion, deletion, substitution or swap of neighbours between ``a`` and ``b``."""
    if a == b:
        return True
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) > 1:
        return False
    start = 0
    while start < len(a) and a[start] == b[start]:
        start += 1
    if len(a) < len(b):
        return a[start:] == b[start + 1:]
    return a[start + 1:] == b[start + 1:] or (a[start + 2:] == b[start + 2:] and a[start:start + 2] == b[start:start + 2][::-1])

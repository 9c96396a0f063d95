"""A repository's docsets as the site serves them: which docset a path or a site URL belongs to,
and each docset's site URL. Docsets other than the ones being checked are built on demand (from
the cache when it is warm), so a link into another docset is checked against its real files,
redirects and anchors."""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .discover import FileIndex, scan
from .incremental import paused
from .model import Link

if TYPE_CHECKING:
    from .config import Config
    from .docfx import DocfxInfo
    from .docset import Docset
    from .repository import Repository

_BREADCRUMB = re.compile(r"^(/[^?#]*?/)breadcrumb/")
URL_EXTENSIONS = ("", ".md", "/index.md", ".yml", "/index.yml")
_LEARN_URL = re.compile(r"^https?://(?:learn|docs)\.microsoft\.com(?=[/?#]|$)", re.IGNORECASE)
_LOCALE = re.compile(r"/([a-z]{2}-(?:[a-z]{4}-)?[a-z]{2})(?=[/?#]|$)", re.IGNORECASE)


def learn_locale(url: str) -> tuple[str, str] | None:
    """The locale segment of a Microsoft Learn (or docs.microsoft.com) URL and the URL without it
    (``en-us`` and ``https://learn.microsoft.com/azure/x`` for
    ``https://learn.microsoft.com/en-us/azure/x``; also ``zh-cn``, ``sr-latn-rs``); None when it has
    none or is not such a URL."""
    match = _LEARN_URL.match(url)
    if match is None:
        return None
    locale = _LOCALE.match(url, match.end())
    if locale is None:
        return None
    rest = url[locale.end():]
    return locale.group(1), url[: locale.start()] + (rest if rest.startswith("/") else "/" + rest)


def learn_site_path(url: str) -> str | None:
    """The site-relative form of a Microsoft Learn (or docs.microsoft.com) URL: scheme, host and
    locale removed, query and fragment kept (``https://learn.microsoft.com/en-us/azure/x?view=y#z``
    -> ``/azure/x?view=y#z``). None for any other URL."""
    match = _LEARN_URL.match(url)
    if match is None:
        return None
    rest = url[match.end():]
    locale = _LOCALE.match(rest)
    if locale is not None:
        rest = rest[locale.end():]
    return rest if rest.startswith("/") else "/" + rest


@dataclass(frozen=True)
class UrlHit:
    """Where a site URL leads inside the repository."""

    docset: str
    """The docset serving it (repository-relative folder)."""
    candidates: tuple[str, ...]
    """Docset-relative files that could serve it, in the order DocFX tries them."""
    owned: bool
    """True when the docset declares that it serves the URL's folder (breadcrumb or config), so a
    URL there that no file serves is broken; False for a URL base inferred from links, which other
    repositories may share (``/powershell/module/``)."""
    declared: bool = False
    """True when the config declares the URL base: every URL under it is the docset's."""


class Site:
    """The docsets of one repository and what crosses between them."""

    def __init__(self, repository: Repository, build: Callable[[str], Docset],
                 describe: Callable[[str], tuple[Config, DocfxInfo]] | None = None,
                 index: FileIndex | None = None) -> None:
        self.repository = repository
        """The repository and its docsets."""
        self.index = index if index is not None else scan(repository.root)
        """Every file of the repository, repository-relative."""
        self._build = build
        self._describe = describe or (lambda prefix: (self.docset(prefix).config, self.docset(prefix).docfx))
        self._docsets: dict[str, Docset] = {}
        self._url_bases: dict[str, tuple[tuple[str, ...], bool]] = {}
        self._declared: set[str] = set()
        self._references: dict[str, frozenset[str]] | None = None

    # ------------------------------------------------------------------ docsets

    def docset(self, prefix: str) -> Docset:
        """The docset in the repository folder ``prefix``, built on first use."""
        found = self._docsets.get(prefix)
        if found is None:
            found = self._docsets[prefix] = self._build(prefix)
        return found

    def referenced_from_elsewhere(self, prefix: str) -> frozenset[str]:
        """Files of a docset that other docsets of the repository link to or include; all docsets
        are looked at once, the first time any docset asks."""
        if self._references is None:
            references: dict[str, set[str]] = {}
            if len(self.repository.docsets) > 1:
                for other in self.repository.docsets:
                    for owner, path in self.docset(other).references_out():
                        references.setdefault(owner, set()).add(path)
            self._references = {owner: frozenset(paths) for owner, paths in references.items()}
        return self._references.get(prefix, frozenset())

    def subindex(self, prefix: str) -> FileIndex:
        """The files of one docset: its folder without the docsets nested in it."""
        inside = prefix + "/" if prefix else ""
        dependent = tuple(d for d in self.repository.dependent if d.startswith(inside))
        return self.index.subindex(prefix, self.repository.nested_in(prefix) + dependent)

    def owner(self, rel: str) -> str | None:
        """The docset holding a repository-relative path."""
        return self.repository.docset_of(rel)

    # ------------------------------------------------------------------ site URLs

    def url_bases(self, prefix: str) -> tuple[str, ...]:
        """Site paths a docset is served under (``/azure/data-explorer/``), with zero config: from
        ``breadcrumb_path`` in docfx.json, else from the docset's own root-relative links (the
        prefix under which most of them resolve to its files). Empty when it cannot be told."""
        return self._bases(prefix)[0]

    def url_state(self, prefix: str) -> tuple[tuple[str, ...], bool]:
        """A docset's site URLs and whether the docset declares them (breadcrumb or config):
        computed on first use."""
        return self._bases(prefix)

    def known_url_states(self) -> dict[str, tuple[tuple[str, ...], bool]]:
        """The site URLs computed so far."""
        return dict(self._url_bases)

    def _bases(self, prefix: str) -> tuple[tuple[str, ...], bool]:
        if prefix not in self._url_bases:
            with paused():  # the docset's URL is part of every page's key, nobody's own dependency
                self._url_bases[prefix] = self._infer(prefix)
        return self._url_bases[prefix]

    def _infer(self, prefix: str) -> tuple[tuple[str, ...], bool]:
        config, docfx = self._describe(prefix)  # no parsing yet
        if config.url_base:
            self._declared.add(prefix)
            return config.url_base, True
        breadcrumb = docfx.breadcrumb_path
        candidates: list[str] = []
        owned = False
        if breadcrumb:
            match = _BREADCRUMB.match(breadcrumb)
            if match:
                return (match.group(1),), True
            if breadcrumb.startswith("~/"):
                candidates = self._breadcrumb_hrefs(self.docset(prefix), breadcrumb[2:])
                owned = bool(candidates)
        docset = self.docset(prefix)  # the URL must be read from the docset's own links
        paths = [target for page in docset.pages.values() for target in _site_paths(page.links)]
        if not candidates:
            counts = Counter(base for path in paths for base in _prefixes(path))
            candidates = [base for base, _n in counts.most_common(6)]
        best: tuple[int, str] | None = None
        for base in candidates:
            under = [p for p in paths if p.startswith(base)]
            resolved = sum(1 for p in under if docset.serves(p[len(base):]))
            if resolved >= 3 and resolved * 2 >= len(under) and (best is None or resolved > best[0]):
                best = (resolved, base)
        return ((best[1],), owned) if best else ((), False)

    @staticmethod
    def _breadcrumb_hrefs(docset: Docset, rel: str) -> list[str]:
        page = docset.pages.get(posixpath.normpath(rel).replace(".json", ".yml"))
        if page is None:
            return []
        hrefs = [e.href for s in page.toc for e in s.entries if e.href.startswith("/")]
        return sorted({h if h.endswith("/") else h + "/" for h in hrefs}, key=len, reverse=True)

    def locate_url(self, path: str) -> list[UrlHit]:
        """The docsets that may serve a root-relative site path (query and fragment removed), the
        one with the longest matching URL base first, each with the files that could serve it.
        Empty when no docset of the repository serves that part of the site."""
        matches: list[tuple[int, str, str, bool]] = []
        for prefix in self.repository.docsets:
            bases, owned = self._bases(prefix)
            for base in bases:
                if path.startswith(base) or path + "/" == base:
                    matches.append((len(base), prefix, path[len(base):], owned))
        hits = []
        for _n, prefix, rest, owned in sorted(matches, key=lambda m: -m[0]):
            candidates: dict[str, None] = {}
            folders = _Folders(self.index.dirs, prefix)
            for source in self._describe(prefix)[1].sources_of(rest.strip("/"), folders):
                for extension in URL_EXTENSIONS:
                    candidate = (source + extension).lstrip("/") if source else extension.lstrip("/")
                    if candidate:
                        candidates[candidate] = None
            if candidates:
                hits.append(UrlHit(prefix, tuple(candidates), owned, prefix in self._declared))
        return hits

    def url_of(self, prefix: str, rel: str) -> str | None:
        """The site-relative URL of a docset's file, when the docset's URL is known."""
        bases = self.url_bases(prefix)
        if not bases:
            return None
        path = self._describe(prefix)[1].url_path(rel)
        if path is None:
            return None
        if posixpath.basename(path).lower() == "index":
            path = posixpath.dirname(path)
            return bases[0] + (path + "/" if path else "")
        return bases[0] + path


class _Folders:
    """The folders of one docset (docset-relative), looked up in the repository's listing."""

    def __init__(self, dirs: set[str], prefix: str) -> None:
        self.dirs, self.start = dirs, prefix + "/" if prefix else ""

    def __contains__(self, folder: object) -> bool:
        return isinstance(folder, str) and self.start + folder in self.dirs


def _site_paths(links: tuple[Link, ...]) -> list[str]:
    """Root-relative targets of links, without query and fragment."""
    found = []
    for link in links:
        target = link.target.strip()
        if target.startswith("/") and not target.startswith("//"):
            found.append(re.split(r"[?#]", target, maxsplit=1)[0])
    return found


def _prefixes(path: str) -> list[str]:
    """``/a/`` and ``/a/b/`` for ``/a/b/c``."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[:n]) + "/" for n in (1, 2) if len(parts) > n]

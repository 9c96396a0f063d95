"""Building docsets: each docset of a repository read once, its pages taken from the cache or
parsed, its Docset built with the rest of the repository at hand (the Site); and a docset built
from texts held in memory."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

from . import __version__
from .cache import CACHE_DIR_NAME, PageCache, open_cache, run_key
from .clock import today
from .config import Config
from .discover import FileIndex, discover, is_source
from .docfx import DocfxInfo, docfx_from_text
from .docset import Docset
from .external import ExternalResult
from .globs import Globs
from .incremental import UNKNOWN
from .inputs import Inputs, Target, docset_redirects, load_inputs, repository_redirects
from .model import Page, Problem
from .pages import RunBudget, Sources, load_pages, parse_bytes
from .repository import Repository
from .rules.settings import RuleSettings
from .schema import schema_text, validator_for
from .site import Site


@dataclass(frozen=True)
class RunOptions:
    """How to run (not what to check): command-line rule selection, jobs, cache, progress."""

    select: tuple[str, ...] | None = None
    """Only these rules (names, codes, code prefixes)."""
    ignore: tuple[str, ...] | None = None
    """Not these rules."""
    progress: Callable[[int, int], None] | None = None
    link_progress: Callable[[int, int], None] | None = None
    """Called with (URLs answered, URLs to request) while external links are checked."""
    """Called with (files parsed, files to parse) while parsing."""
    jobs: int | None = None
    """Parse processes; None means one per available core."""
    cache: bool = True
    """Reuse Page facts of unchanged files between runs."""
    cache_dir: Path | None = None
    """Where the cache lives; None means ``.playbooklint_cache`` beside the config (or in the root)."""
    reuse_results: bool = True
    """Return the last run's findings when nothing changed (with the cache on). Fixing needs the
    docset itself, so it turns this off."""
    budget: RunBudget | None = None
    """The run's time budget for parsing (the engine sets one for each run); None: no limit."""


def cache_folder(home: Path, config: Config, options: RunOptions) -> Path | None:
    """The run's cache folder (None with the cache off)."""
    if not options.cache:
        return None
    return Path(options.cache_dir or (config.path.parent if config.path else home) / CACHE_DIR_NAME)


def _cache(root: Path, home: Path, config: Config, options: RunOptions) -> PageCache | None:
    folder = cache_folder(home, config, options)
    if folder is None:
        return None
    return open_cache(Path(folder), root, f"max-file-size={config.max_file_size};file-timeout={config.file_timeout}",
                      home)


@dataclass
class _Prepared:
    """One docset of the repository, read (and later parsed) once per run."""

    root: Path
    config: Config
    inputs: Inputs
    sources: Sources
    cache: PageCache | None
    pages: dict[str, Page] | None = None


class Workspace:
    """The docsets of one repository in a run, each read, parsed and built once. Docsets that are
    not being checked are built only when a link leads into them."""

    def __init__(self, repository: Repository, configs: dict[str, Config], options: RunOptions) -> None:
        self.repository = repository
        self.configs = configs
        self.options = options
        self.site = Site(repository, self._build, self._describe)
        self._fingerprints: dict[str, tuple[list[str], list[tuple[str, bytes]]]] = {}
        self._redirects: tuple[dict[str, str], list[Problem]] | None = None
        self._prepared: dict[str, _Prepared] = {}
        self._external: dict[str, ExternalResult] = {}
        self.external = MappingProxyType(self._external)
        """URL -> answer, filled by the engine before the rules run (``--external``); docsets whose
        config checks external links see it, read-only."""

    def record_external(self, results: Mapping[str, ExternalResult]) -> None:
        """The engine's answers for the run's external URLs (before any rule runs)."""
        self._external.update(results)

    def prepared(self, prefix: str) -> _Prepared:
        found = self._prepared.get(prefix)
        if found is None:
            root = self.repository.root / prefix if prefix else self.repository.root
            config = self.configs.get(prefix) or next(iter(self.configs.values()))
            if config.url_bases.get(prefix or "."):
                config = replace(config, url_base=config.url_bases[prefix or "."])
            folder = cache_folder(self.repository.root, config, self.options)
            if self._redirects is None:
                self._redirects = repository_redirects(self.repository, folder)
            inputs = load_inputs(root, config, None, self.site.subindex(prefix),
                                 docset_redirects(self._redirects, self.repository, prefix), folder)
            cache = _cache(root, self.repository.root, config, self.options)
            warm = cache is not None and not cache.cold
            stats = cache.load_stats() if cache is not None and warm else {}
            sources = Sources(inputs, config, read=warm, stats=stats)
            found = self._prepared[prefix] = _Prepared(root, config, inputs, sources, cache)
        return found

    def pages(self, prefix: str) -> dict[str, Page]:
        prepared = self.prepared(prefix)
        if prepared.pages is None:
            if prepared.cache is not None:
                prepared.cache.load()
            prepared.pages = load_pages(prepared.inputs, prepared.sources, prepared.config, prepared.cache,
                                        self.options.jobs, self.options.progress, self.options.budget)
        return prepared.pages

    def _build(self, prefix: str, selected: frozenset[str] | None = None) -> Docset:
        prepared = self.prepared(prefix)
        inputs = prepared.inputs
        pages = self.pages(prefix)
        return Docset(prepared.root, pages, inputs.index, prepared.config, inputs.docfx,
                      inputs.redirects, list(self.repository.problems) + inputs.problems,
                      validator_for(prepared.config, pages, inputs.docfx), selected, self.site, prefix,
                      self.external if prepared.config.external else None)

    def docset(self, prefix: str, paths: Iterable[Path] | None) -> Docset:
        """The docset to report on: the whole of it, or only the files named."""
        if not paths:
            return self.site.docset(prefix)
        prepared = self.prepared(prefix)
        selected = discover(prepared.root, prepared.inputs.index, prepared.config, list(paths)).selected
        return self._build(prefix, selected)

    def _describe(self, prefix: str) -> tuple[Config, DocfxInfo]:
        prepared = self.prepared(prefix)
        return prepared.config, prepared.inputs.docfx

    def _fingerprint(self, prefix: str) -> tuple[list[str], list[tuple[str, bytes]]]:
        if prefix in self._fingerprints:
            return self._fingerprints[prefix]
        prepared = self.prepared(prefix)
        found = (prepared.inputs.fingerprint(), prepared.sources.fingerprint(prepared.inputs))
        if prepared.sources.read or prepared.pages is not None:  # else its keys are not known yet
            self._fingerprints[prefix] = found
        return found

    def run_key(self, target: Target, settings: RuleSettings) -> bytes:
        """Everything the findings of a target depend on: the tool and settings, every file of the
        docset (and, with several docsets, of the others: links cross between them), and the date
        (metadata-date-future judges ``ms.date`` against it)."""
        own_parts, own_contents = self._fingerprint(target.prefix)
        index = self.site.index
        # the repository's listing too: snippets in shared folders and dependent repositories are
        # checked by their existence
        parts = [__version__, repr(target.config), schema_text(target.config.schema), settings.fingerprint(),
                 today().isoformat(),
                 *own_parts, repr(sorted(str(p) for p in target.paths or ())), repr(self.repository),
                 repr(sorted(index.files)), repr(sorted(index.dirs))]
        contents = list(own_contents)
        for prefix in self.repository.docsets:
            if prefix != target.prefix:
                other_parts, other_contents = self._fingerprint(prefix)
                parts += other_parts
                contents += [(f"{prefix}/{rel}", key) for rel, key in other_contents]
        return run_key(self._portable(parts), contents)

    def _portable(self, parts: list[str]) -> list[str]:
        """Key parts with the repository's own folder left out: a cache restored on another
        machine (a CI runner with another checkout path) keys the same."""
        root = str(self.repository.root)
        return [part.replace(root, "<repository>") for part in parts]

    def global_key(self, target: Target, settings: RuleSettings, docset: Docset) -> bytes:
        """What every page's findings depend on beyond the files each one notes (incremental runs):
        the tool and settings, the schema, the date, the repository's shape, each docset's
        docfx.json, redirects, symbolic links and settings problems, and the docset's include graph.
        The listing of files is not part of it: a page's record names the files it depends on."""
        parts = [__version__, repr(target.config), schema_text(target.config.schema), settings.fingerprint(),
                 today().isoformat(), repr(self.repository), repr(docset.include_graph())]
        for prefix in self.repository.docsets:
            inputs = self.prepared(prefix).inputs
            index = inputs.index
            parts += [prefix, repr(inputs.docfx), repr(sorted(inputs.redirects.items())), repr(inputs.problems),
                      repr(sorted(index.escapes.items())), repr(sorted(index.aliases.items()))]
        return run_key(self._portable(parts), ())

    def listing(self) -> tuple[dict[str, bytes], frozenset[str]]:
        """Every file of the repository (repository-relative) with the content key of each parsed
        file (``incremental.UNKNOWN`` when not read), ``b""`` for the others; and every folder."""
        index = self.site.index
        keys = dict.fromkeys(index.files, b"")
        for prefix in self.repository.docsets:
            prepared = self.prepared(prefix)
            known = prepared.sources.keys
            lead = f"{prefix}/" if prefix else ""
            for rel in prepared.inputs.discovery.sources:
                keys[lead + rel] = known.get(rel, UNKNOWN)
        return keys, frozenset(index.dirs)

    def url_bases(self, prefixes: Iterable[str]) -> dict[str, tuple[tuple[str, ...], bool]]:
        """The site URLs of these docsets (computed when not yet known)."""
        return {prefix: self.site.url_state(prefix) for prefix in prefixes}

    def known_url_bases(self) -> dict[str, tuple[tuple[str, ...], bool]]:
        """The site URLs computed so far in this run."""
        return self.site.known_url_states()




def docset_from_texts(texts: Mapping[str, str], selected: str, config: Config) -> Docset:
    """A docset of texts held in memory (docset-relative path -> text), reporting on ``selected``:
    links, anchors and includes resolve between the texts; nothing is read from disk."""
    index = FileIndex("")
    for rel in texts:
        index.files.add(rel)
        folder = posixpath.dirname(rel)
        while folder:
            index.dirs.add(folder)
            folder = posixpath.dirname(folder)
    exclude = Globs(config.exclude)
    pages: dict[str, Page] = {}
    for rel, value in texts.items():
        if is_source(rel) and (rel == selected or not exclude.match_or_parent(rel)):
            pages[rel] = parse_bytes(rel, value.encode("utf-8", "surrogatepass"), config.file_timeout)
    docfx, problems = docfx_from_text(texts.get("docfx.json"))
    return Docset(Path(index.root), pages, index, config, docfx, {}, problems,
                  validator_for(config, pages, docfx), frozenset({selected}))

"""The engine: targets -> inputs -> pages (cache, parallel parse) -> Docset -> rules -> findings.

A short pipeline; each step lives in its own module. Never prints, never touches the garbage
collector (the command line may).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .cache import CACHE_DIR_NAME, PageCache, open_cache, run_key
from .config import Config, ConfigError, load_config
from .discover import discover
from .docset import Docset
from .inputs import Inputs, Target, group_targets, load_inputs
from .model import Diagnostic, Page
from .pages import PARALLEL_MIN_FILES, Sources, load_pages
from .repository import Repository
from .rules.runner import run_rules
from .rules.settings import RuleSettings
from .schema import schema_text, validator_for
from .site import Site

__all__ = ["PARALLEL_MIN_FILES", "RunOptions", "DocsetResult", "Result", "RunResult", "build_docset", "check_docset",
           "lint", "run_rules"]


@dataclass(frozen=True)
class RunOptions:
    """How to run (not what to check): command-line rule selection, jobs, cache, progress."""

    select: tuple[str, ...] | None = None
    """Only these rules (names, codes, code prefixes)."""
    ignore: tuple[str, ...] | None = None
    """Not these rules."""
    progress: Callable[[int, int], None] | None = None
    """Called with (files parsed, files to parse) while parsing."""
    jobs: int | None = None
    """Parse processes; None means one per available core."""
    cache: bool = True
    """Reuse Page facts of unchanged files between runs."""
    cache_dir: Path | None = None
    """Where the cache lives; None means ``.playbooklint_cache`` beside the config (or in the root)."""


@dataclass
class DocsetResult:
    """Findings of one docset root."""

    root: Path
    """The docset root."""
    config: Config
    """The settings it was checked with."""
    diagnostics: list[Diagnostic]
    """Its findings, sorted."""
    files: int
    """Number of files parsed."""
    docset: Docset | None = field(default=None, repr=False)
    """The docset (None when the findings came from the cache)."""
    prefix: str = ""
    """The docset's folder relative to its repository root ("" for the root)."""


@dataclass
class Result:
    """Findings of a run, per docset."""

    results: list[DocsetResult]
    """Per docset, in the order checked."""
    skipped: int = 0
    """Named files that no docset holds (not checked)."""

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Every finding, docset by docset."""
        return [d for r in self.results for d in r.diagnostics]


RunResult = Result
"""The name used before the public API existed."""


def _cache(root: Path, home: Path, config: Config, options: RunOptions) -> PageCache | None:
    if not options.cache:
        return None
    folder = options.cache_dir or (config.path.parent if config.path else home) / CACHE_DIR_NAME
    return open_cache(Path(folder), root, f"max-file-size={config.max_file_size};file-timeout={config.file_timeout}")


@dataclass
class _Prepared:
    """One docset of the repository, read (and later parsed) once per run."""

    root: Path
    config: Config
    inputs: Inputs
    sources: Sources
    cache: PageCache | None
    pages: dict[str, Page] | None = None


class _Repository:
    """The docsets of one repository in a run. Docsets that are not being checked are built only
    when a link leads into them."""

    def __init__(self, repository: Repository, configs: dict[str, Config], options: RunOptions) -> None:
        self.repository = repository
        self.configs = configs
        self.options = options
        self.site = Site(repository, self._build)
        self._prepared: dict[str, _Prepared] = {}

    def prepared(self, prefix: str) -> _Prepared:
        found = self._prepared.get(prefix)
        if found is None:
            root = self.repository.root / prefix if prefix else self.repository.root
            config = self.configs.get(prefix) or next(iter(self.configs.values()))
            inputs = load_inputs(root, config, None, self.site.subindex(prefix), self.repository)
            cache = _cache(root, self.repository.root, config, self.options)
            sources = Sources(inputs, config, read=cache is not None)
            found = self._prepared[prefix] = _Prepared(root, config, inputs, sources, cache)
        return found

    def pages(self, prefix: str) -> dict[str, Page]:
        prepared = self.prepared(prefix)
        if prepared.pages is None:
            if prepared.cache is not None:
                prepared.cache.load()
            prepared.pages = load_pages(prepared.inputs, prepared.sources, prepared.config, prepared.cache,
                                        self.options.jobs, self.options.progress)
        return prepared.pages

    def _build(self, prefix: str, selected: frozenset[str] | None = None) -> Docset:
        prepared = self.prepared(prefix)
        inputs = prepared.inputs
        pages = self.pages(prefix)
        return Docset(prepared.root, pages, inputs.index, prepared.config, inputs.docfx,
                      inputs.redirects, list(self.repository.problems) + inputs.problems,
                      validator_for(prepared.config, pages, inputs.docfx), selected, self.site, prefix)

    def docset(self, prefix: str, paths: Iterable[Path] | None) -> Docset:
        """The docset to report on: the whole of it, or only the files named."""
        if not paths:
            return self.site.docset(prefix)
        prepared = self.prepared(prefix)
        selected = discover(prepared.root, prepared.inputs.index, prepared.config, list(paths)).selected
        return self._build(prefix, selected)

    def run_key(self, target: Target, settings: RuleSettings) -> bytes:
        """Everything the findings of a target depend on: the tool and settings, every file of the
        docset (and, with several docsets, of the others: links cross between them)."""
        prepared = self.prepared(target.prefix)
        parts = [__version__, repr(target.config), schema_text(target.config.schema), settings.fingerprint(),
                 *prepared.inputs.fingerprint(),
                 repr(sorted(str(p) for p in target.paths or ())), repr(self.repository)]
        contents = prepared.sources.fingerprint(prepared.inputs)
        for prefix in self.repository.docsets:
            if prefix != target.prefix:
                other = self.prepared(prefix)
                parts += other.inputs.fingerprint()
                contents += [(f"{prefix}/{rel}", key) for rel, key in other.sources.fingerprint(other.inputs)]
        return run_key(parts, contents)


def check_docset(target: Target, repository: _Repository, options: RunOptions | None = None,
                 *, keep_docset: bool = True) -> DocsetResult:
    """Findings for one docset. With the cache on, a run whose inputs are all unchanged returns
    the findings it computed last time without parsing or running any rule."""
    options = options or RunOptions()
    settings = RuleSettings.from_config(target.config, options.select, options.ignore)
    prepared = repository.prepared(target.prefix)
    files = len(prepared.inputs.discovery.sources)
    cache = prepared.cache
    key = b""
    if cache is not None:
        key = repository.run_key(target, settings)
        remembered = cache.load_results(key)
        if remembered is not None:
            return DocsetResult(target.root, target.config, remembered, files, prefix=target.prefix)
    docset = repository.docset(target.prefix, target.paths)
    diagnostics = run_rules(docset, settings)
    if cache is not None:
        cache.save_results(key, diagnostics)
    return DocsetResult(target.root, target.config, diagnostics, files, docset if keep_docset else None,
                        prefix=target.prefix)


def build_docset(root: Path, config: Config, paths: Iterable[Path] | None = None,
                 options: RunOptions | None = None) -> Docset:
    """Parse the docset at (or holding) ``root``, with the rest of its repository at hand, without
    running rules."""
    plan = group_targets([root], config)
    if not plan.targets:
        raise ConfigError(f"{root} is in no docset")
    target = next((t for t in plan.targets if t.root == root.resolve()), plan.targets[0])
    repository = _Repository(target.repository, {target.prefix: config}, options or RunOptions())
    return repository.docset(target.prefix, paths)


def lint(
    paths: Iterable[str | Path],
    *,
    config: Config | str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    options: RunOptions | None = None,
) -> Result:
    """Check the given files and folders; returns the findings, prints nothing.

    ``config`` is a Config, or a config file to read (default: the one found above each path).
    Raises ConfigError for usage and configuration problems.
    """
    chosen: Config | Path | None = Path(config) if isinstance(config, (str, Path)) else config
    if isinstance(chosen, Path):
        chosen = load_config(chosen)
    options = options or RunOptions()
    plan = group_targets([Path(p) for p in paths] or [Path(".")], chosen, overrides)
    by_repository: dict[Path, list[Target]] = {}
    for target in plan.targets:
        by_repository.setdefault(target.repository.root, []).append(target)
    results: list[DocsetResult] = []
    for targets in by_repository.values():
        repository = _Repository(targets[0].repository, {t.prefix: t.config for t in targets}, options)
        results.extend(check_docset(t, repository, options) for t in targets)
    return Result(results, skipped=len(plan.skipped))

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
from .config import Config, load_config
from .docset import Docset
from .inputs import Inputs, group_targets, load_inputs
from .model import Diagnostic, Page
from .pages import PARALLEL_MIN_FILES, Sources, load_pages
from .rules.runner import run_rules
from .rules.settings import RuleSettings

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


@dataclass
class Result:
    """Findings of a run, per docset."""

    results: list[DocsetResult]

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Every finding, docset by docset."""
        return [d for r in self.results for d in r.diagnostics]


RunResult = Result
"""The name used before the public API existed."""


def _cache(root: Path, config: Config, options: RunOptions) -> PageCache | None:
    if not options.cache:
        return None
    folder = options.cache_dir or (config.path.parent if config.path else root) / CACHE_DIR_NAME
    return open_cache(Path(folder), root, f"max-file-size={config.max_file_size};file-timeout={config.file_timeout}")


def _docset(inputs: Inputs, pages: dict[str, Page], config: Config) -> Docset:
    return Docset(inputs.discovery.root, pages, inputs.index, config, inputs.docfx, inputs.redirects,
                  inputs.problems, inputs.validator, inputs.discovery.selected)


def check_docset(root: Path, config: Config, paths: Iterable[Path] | None = None,
                 options: RunOptions | None = None, *, keep_docset: bool = True) -> DocsetResult:
    """Findings for one docset. With the cache on, a run whose inputs are all unchanged returns
    the findings it computed last time without parsing or running any rule."""
    options = options or RunOptions()
    settings = RuleSettings.from_config(config, options.select, options.ignore)
    inputs = load_inputs(root, config, list(paths) if paths else None)
    cache = _cache(root, config, options)
    sources = Sources(inputs, config, read=cache is not None)
    key = b""
    if cache is not None:
        key = run_key([__version__, repr(config), settings.fingerprint(), *inputs.fingerprint()],
                      sources.fingerprint(inputs))
        remembered = cache.load_results(key)
        if remembered is not None:
            return DocsetResult(root, config, remembered, len(inputs.discovery.sources))
        cache.load()
    docset = _docset(inputs, load_pages(inputs, sources, config, cache, options.jobs, options.progress), config)
    diagnostics = run_rules(docset, settings)
    if cache is not None:
        cache.save_results(key, diagnostics)
    return DocsetResult(root, config, diagnostics, len(inputs.discovery.sources), docset if keep_docset else None)


def build_docset(root: Path, config: Config, paths: Iterable[Path] | None = None,
                 options: RunOptions | None = None) -> Docset:
    """Parse a docset and answer its cross-file questions, without running rules."""
    options = options or RunOptions()
    inputs = load_inputs(root, config, list(paths) if paths else None)
    cache = _cache(root, config, options)
    sources = Sources(inputs, config, read=cache is not None)
    if cache is not None:
        cache.load()
    return _docset(inputs, load_pages(inputs, sources, config, cache, options.jobs, options.progress), config)


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
    targets = group_targets([Path(p) for p in paths] or [Path(".")], chosen, overrides)
    return Result([check_docset(t.root, t.config, t.paths, options) for t in targets])

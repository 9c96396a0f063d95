"""The engine: discover -> parse -> Docset -> rules -> diagnostics. Never prints."""

from __future__ import annotations

import gc
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

from . import __version__
from .cache import CACHE_DIR_NAME, PageCache
from .config import Config, ConfigError, find_config_file, load_config, with_overrides
from .discover import Discovery, FileIndex, Globs, discover, find_root, scan
from .docfx import DocfxInfo, load_docfx, load_redirects
from .docset import Docset
from .model import Diagnostic, Page, Problem
from .rules import RULES, Rule, lookup
from .schema import PageValidator, load_validator
from .source import parse_source, read_source
from .suppress import apply as apply_suppressions
from .suppress import match_rules


@dataclass(frozen=True)
class RunOptions:
    """How to run (not what to check): command-line rule selection and progress reporting."""

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
    config: Config
    diagnostics: list[Diagnostic]
    files: int
    """Number of files parsed."""
    docset: Docset | None = field(default=None, repr=False)


@dataclass
class RunResult:
    results: list[DocsetResult]

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for r in self.results for d in r.diagnostics]


@dataclass(frozen=True)
class RuleSettings:
    """Which rules run, at which severity: rule defaults < config < command line."""

    severities: dict[str, str]
    """Rule name -> "error" | "warning" for every rule that runs."""
    per_file_ignores: tuple[tuple[Globs, frozenset[str]], ...] = ()
    """(files, rule names) whose findings are dropped."""

    @classmethod
    def from_config(
        cls, config: Config, select: Sequence[str] | None = None, ignore: Sequence[str] | None = None
    ) -> RuleSettings:
        configured: dict[str, str] = {}
        for key, value in config.rules.items():
            rule = lookup(key)
            if rule is None:
                raise ConfigError(_unknown_rule(key, config))
            configured[rule.name] = value.get("severity") or rule.severity
        severities = {rule.name: rule.severity for rule in RULES if rule.enabled}
        for name, severity in configured.items():
            if severity == "off":
                severities.pop(name, None)
            else:
                severities[name] = severity
        if select:
            chosen, unknown = match_rules(select)
            if unknown:
                raise ConfigError(f"--select: unknown rule {', '.join(unknown)}; see 'playbooklint rules'")
            by_name = {rule.name: rule for rule in RULES}
            severities = {
                name: configured.get(name) if configured.get(name, "off") != "off" else by_name[name].severity
                for name in chosen
            }
        if ignore:
            dropped, unknown = match_rules(ignore)
            if unknown:
                raise ConfigError(f"--ignore: unknown rule {', '.join(unknown)}; see 'playbooklint rules'")
            severities = {k: v for k, v in severities.items() if k not in dropped}
        ignores = []
        for pattern, keys in config.per_file_ignores.items():
            names, unknown = match_rules(keys)
            if unknown:
                where = f"{config.path}: " if config.path else ""
                raise ConfigError(f"{where}per-file-ignores '{pattern}': unknown rule {', '.join(unknown)}")
            ignores.append((Globs([pattern]), frozenset(names)))
        return cls(severities, tuple(ignores))

    def ignored(self, diagnostic: Diagnostic) -> bool:
        return any(diagnostic.rule in names and globs.match_or_parent(diagnostic.path)
                   for globs, names in self.per_file_ignores)


def _unknown_rule(key: str, config: Config) -> str:
    where = f"{config.path}: " if config.path else ""
    return f"{where}unknown rule '{key}' in [rules]; see 'playbooklint rules' for the list"


PARALLEL_MIN_FILES = 64
"""Below this many files to parse, starting processes costs more than it saves."""


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _pool(jobs: int) -> Any:
    """Worker processes: forked when no other thread runs (cheap), else spawned (safe)."""
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    method = "fork" if "fork" in methods and threading.active_count() == 1 else None
    context = multiprocessing.get_context(method) if method else None
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context)


def _open_cache(root: Path, config: Config, options: RunOptions) -> PageCache | None:
    """The docset's cache (not loaded yet), or None when disabled or unusable."""
    if not options.cache:
        return None
    folder = options.cache_dir or (config.path.parent if config.path else root) / CACHE_DIR_NAME
    cache = PageCache(Path(folder), root, f"max-file-size={config.max_file_size};file-timeout={config.file_timeout}")
    return cache if cache.usable else None


def _escaped_page(rel: str, target: str) -> Page:
    return Page(rel, problems=(Problem(
        1, 1, f"symbolic link to '{target}', outside the docset root; not read", rule="file-unreadable",
    ),))


def _read_keys(discovery: Discovery, config: Config) -> tuple[dict[str, bytes], dict[str, Page]]:
    """Content key of every source, and the Pages of files that are not parsed (symlinks out of
    the root, files too large or unreadable). The bytes themselves are not kept."""
    root = str(discovery.root)
    escapes = discovery.index.escapes
    keys: dict[str, bytes] = {}
    early: dict[str, Page] = {}
    for rel in discovery.sources:
        if rel in escapes:
            early[rel] = _escaped_page(rel, escapes[rel])
            continue
        key, _data, page = read_source(root, rel, config.max_file_size)
        keys[rel] = key
        if page is not None:
            early[rel] = page
    return keys, early


def _parse_all(
    discovery: Discovery,
    config: Config,
    options: RunOptions,
    cache: PageCache | None = None,
    keys: dict[str, bytes] | None = None,
    early: dict[str, Page] | None = None,
) -> dict[str, Page]:
    """Every source's Page: from the cache when its bytes are unchanged, else parsed (in worker
    processes when there are many). Results do not depend on the cache or the number of jobs."""
    root = str(discovery.root)
    max_bytes = config.max_file_size
    progress = options.progress
    total = len(discovery.sources)
    pages: dict[str, Page] = dict(early or {})
    escapes = discovery.index.escapes
    todo: list[str] = []
    for rel in discovery.sources:
        if rel in pages:
            continue
        if rel in escapes:
            pages[rel] = _escaped_page(rel, escapes[rel])
            continue
        cached = cache.get(rel, keys[rel]) if cache is not None and keys and keys.get(rel) else None
        if cached is not None:
            pages[rel] = cached
        else:
            todo.append(rel)
    done = len(pages)
    if progress is not None and done:
        progress(done, total)
    jobs = options.jobs or default_jobs()
    results: Iterable[tuple[str, bytes, Page]]
    if jobs > 1 and len(todo) >= PARALLEL_MIN_FILES:
        executor = _pool(jobs)
        chunk = max(1, min(64, len(todo) // (jobs * 8)))
        results = executor.map(parse_source, repeat(root), todo, repeat(max_bytes), repeat(config.file_timeout),
                               chunksize=chunk)
    else:
        executor = None
        results = (parse_source(root, rel, max_bytes, config.file_timeout) for rel in todo)
    try:
        for rel, key, page in results:
            pages[rel] = page
            if cache is not None and key:
                cache.put(rel, key, page)
            done += 1
            if progress is not None:
                progress(done, total)
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)
    if cache is not None:
        cache.retain(set(discovery.sources))
    return pages


def _run_key(inputs: _Inputs, config: Config, settings: RuleSettings, keys: dict[str, bytes],
             early: dict[str, Page]) -> bytes:
    """Everything the findings depend on: the tool, the settings and schema, the selection, every
    file under the root (existence), every source's content, DocFX's own files."""
    discovery, index = inputs.discovery, inputs.index
    digest = hashlib.blake2b(digest_size=24)
    for part in (
        __version__, repr(config), repr(sorted(settings.severities.items())),
        repr([(g.patterns, sorted(names)) for g, names in settings.per_file_ignores]),
        repr(sorted(discovery.selected) if discovery.selected is not None else None),
        repr(sorted(index.dirs)), repr(sorted(index.escapes.items())), repr(sorted(index.aliases.items())),
        json.dumps(inputs.validator.schema, sort_keys=True, default=repr), repr(inputs.docfx),
        repr(sorted(inputs.redirects.items())), repr(inputs.problems),
    ):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    for rel in sorted(index.files):
        digest.update(rel.encode("utf-8", "surrogatepass") + b"\0" + keys.get(rel, b"-") + b"\0")
    for rel in sorted(early):
        digest.update(repr(early[rel].problems).encode("utf-8", "surrogatepass"))
    return digest.digest()


def _stamp(problem: Problem, rule: Rule, severity: str, path: str) -> Diagnostic:
    return Diagnostic(
        problem.path or path, problem.line, problem.column, rule.code, rule.name, severity,  # type: ignore[arg-type]
        problem.message, problem.end_line, problem.end_column,
    )


def _internal(path: str, rule: Rule, exc: BaseException) -> Diagnostic:
    internal = lookup("internal-error")
    assert internal is not None
    return Diagnostic(path, 1, 1, internal.code, internal.name, "error",
                      f"rule {rule.name} failed on this file ({type(exc).__name__}: {exc}); please report it")


def run_rules(docset: Docset, settings: RuleSettings, selected: frozenset[str] | None) -> list[Diagnostic]:
    """Every enabled rule over the docset; a failing rule becomes an internal-error finding."""
    diagnostics: list[Diagnostic] = []
    docset.selected = selected
    page_paths = sorted(docset.pages) if selected is None else sorted(p for p in docset.pages if p in selected)
    for rule in RULES:
        severity = settings.severities.get(rule.name)
        if severity is None:
            continue
        if rule.scope == "engine":
            continue
        if rule.scope == "page":
            for path in page_paths:
                try:
                    for problem in rule.check(docset.pages[path], docset):  # type: ignore[call-arg]
                        diagnostics.append(_stamp(problem, rule, severity, path))
                except Exception as exc:  # noqa: BLE001 - one rule's bug must not stop the run
                    diagnostics.append(_internal(path, rule, exc))
        else:
            try:
                for problem in rule.check(docset):  # type: ignore[call-arg]
                    diagnostics.append(_stamp(problem, rule, severity, problem.path or "."))
            except Exception as exc:  # noqa: BLE001
                diagnostics.append(_internal(".", rule, exc))
    if selected is not None:
        diagnostics = [d for d in diagnostics if d.path in selected]
    reported = page_paths
    diagnostics = apply_suppressions(docset.pages, diagnostics, settings.severities.get("suppression-unused"), reported)
    if settings.per_file_ignores:
        diagnostics = [d for d in diagnostics if not settings.ignored(d)]
    return sorted(set(diagnostics))


@dataclass
class _Inputs:
    """What a docset run reads before parsing: settings files, the file listing, DocFX's files."""

    validator: PageValidator
    index: FileIndex
    discovery: Discovery
    docfx: DocfxInfo
    redirects: dict[str, str]
    problems: list[Problem]


def _inputs(root: Path, config: Config, targets: list[Path] | None) -> _Inputs:
    validator = PageValidator(load_validator(config.schema))
    index = scan(root)
    discovery = discover(root, index, config, targets)
    docfx, problems = load_docfx(root)
    redirects, redirect_problems = load_redirects(root, config.redirects)
    return _Inputs(validator, index, discovery, docfx, redirects, problems + redirect_problems)


def _build(inputs: _Inputs, config: Config, options: RunOptions, cache: PageCache | None,
           keys: dict[str, bytes] | None, early: dict[str, Page] | None) -> Docset:
    pages = _parse_all(inputs.discovery, config, options, cache, keys, early)
    if cache is not None:
        cache.save()
    return Docset(inputs.discovery.root, pages, inputs.index, config, inputs.docfx, inputs.redirects,
                  inputs.problems, inputs.validator)


def build_docset(
    root: Path, config: Config, targets: list[Path] | None = None, options: RunOptions | None = None
) -> tuple[Docset, Discovery]:
    """Parse a docset and answer its cross-file questions (ConfigError for unusable settings)."""
    options = options or RunOptions()
    inputs = _inputs(root, config, targets)
    cache = _open_cache(root, config, options)
    keys: dict[str, bytes] | None = None
    early: dict[str, Page] | None = None
    if cache is not None:
        keys, early = _read_keys(inputs.discovery, config)
        cache.load()
    return _build(inputs, config, options, cache, keys, early), inputs.discovery


def check_docset(
    root: Path, config: Config, targets: list[Path] | None = None, options: RunOptions | None = None
) -> DocsetResult:
    """Findings for one docset. With the cache on, a run whose inputs are all unchanged returns
    the findings it computed last time without parsing or running any rule."""
    options = options or RunOptions()
    settings = RuleSettings.from_config(config, options.select, options.ignore)
    inputs = _inputs(root, config, targets)
    sources = len(inputs.discovery.sources)
    cache = _open_cache(root, config, options)
    keys: dict[str, bytes] | None = None
    early: dict[str, Page] | None = None
    run_key = b""
    if cache is not None:
        keys, early = _read_keys(inputs.discovery, config)
        run_key = _run_key(inputs, config, settings, keys, early)
        remembered = cache.load_results(run_key)
        if remembered is not None:
            return DocsetResult(root, config, remembered, sources)
        cache.load()
    docset = _build(inputs, config, options, cache, keys, early)
    diagnostics = run_rules(docset, settings, inputs.discovery.selected)
    if cache is not None:
        cache.save_results(run_key, diagnostics)
    return DocsetResult(root, config, diagnostics, sources, docset)


def group_targets(
    paths: Sequence[Path], config_path: Path | None = None, overrides: dict[str, Any] | None = None
) -> list[tuple[Path, Config, list[Path] | None]]:
    """(root, config, targets) per docset; targets None means the whole docset."""
    groups: dict[Path, tuple[Config, list[Path] | None]] = {}
    for path in paths:
        if not path.exists():
            raise ConfigError(f"path does not exist: {path}")
        config = load_config(config_path or find_config_file(path.resolve()))
        if overrides:
            config = with_overrides(config, **overrides)
        root = find_root(path, config)
        resolved = path.resolve()
        whole = resolved == root or resolved in root.parents  # a folder holding the docset
        if root in groups:
            existing_config, targets = groups[root]
            if targets is not None and not whole:
                targets.append(resolved)
            elif whole:
                groups[root] = (existing_config, None)
        else:
            groups[root] = (config, None if whole else [resolved])
    return [(root, config, targets) for root, (config, targets) in groups.items()]


def lint(
    paths: Iterable[str | Path],
    *,
    config_path: str | Path | None = None,
    overrides: dict[str, Any] | None = None,
    options: RunOptions | None = None,
) -> RunResult:
    """Check the given files and folders; returns the findings, prints nothing.

    Raises ConfigError for usage and configuration problems.
    """
    path_list = [Path(p) for p in paths] or [Path(".")]
    groups = group_targets(path_list, Path(config_path) if config_path else None, overrides)
    # The run allocates millions of small objects and frees them by reference counting; the cycle
    # collector only slows it down (it tripled the time to load a 10,000-page cache), so it is
    # paused for the run (worker processes inherit that) and resumed after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return RunResult([check_docset(root, config, targets, options) for root, config, targets in groups])
    finally:
        if collecting:
            gc.enable()

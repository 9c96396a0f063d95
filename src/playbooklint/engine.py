"""The engine: targets -> inputs -> pages (cache, parallel parse) -> Docset -> rules -> findings.

A short pipeline; each step lives in its own module. Never prints, never touches the garbage
collector (the command line may).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .clock import today
from .config import Config, ConfigError, load_config
from .external import CACHE_FILE
from .incremental import STAT_PREFIX, PageRecord, State, changes, still_valid
from .inputs import Target, group_targets
from .model import Diagnostic
from .pages import PARALLEL_MIN_FILES, RunBudget
from .rules.runner import run_rules
from .rules.settings import RuleSettings
from .source import current_key
from .workspace import RunOptions, Workspace

if TYPE_CHECKING:
    from .docset import Docset
    from .external import ExternalReport
    from .fixes import FixSummary

__all__ = ["PARALLEL_MIN_FILES", "RunOptions", "DocsetResult", "Result", "RunResult", "build_docset", "check_docset",
           "lint", "run_rules"]


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
    settings: RuleSettings | None = field(default=None, repr=False)
    """The rules it was checked with (None when the findings came from the cache)."""
    digests: Mapping[str, bytes] = field(default_factory=dict, repr=False)
    """Root-relative path -> BLAKE2 digest of the bytes each file's facts were read from."""


@dataclass
class Result:
    """Findings of a run, per docset."""

    results: list[DocsetResult]
    """Per docset, in the order checked."""
    skipped: int = 0
    """Named files that no docset holds (not checked)."""
    fixes: FixSummary | None = None
    """What ``--fix``/``--diff`` did or would do (None when not fixing)."""
    notices: list[str] = field(default_factory=list)
    """Things to tell about the run as a whole (``external links not checked: ...``)."""
    external_requests: int = 0
    """HTTP requests made to check external links."""

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Every finding, docset by docset."""
        return [d for r in self.results for d in r.diagnostics]


RunResult = Result
"""The name used before the public API existed."""


def check_docset(target: Target, repository: Workspace, options: RunOptions | None = None,
                 *, keep_docset: bool = True, docset: Docset | None = None) -> DocsetResult:
    """Findings for one docset. With the cache on, a run whose inputs are all unchanged returns
    the findings it computed last time without parsing or running any rule (not when external
    links are checked: their answers come from the network). ``docset``: already built."""
    options = options or RunOptions()
    settings = RuleSettings.from_config(target.config, options.select, options.ignore, target.docfx_built)
    prepared = repository.prepared(target.prefix)
    files = len(prepared.inputs.discovery.sources)
    cache = prepared.cache
    if cache is not None and options.reuse_results and prepared.sources.read and not target.config.external:
        root, limit = str(repository.repository.root), target.config.max_file_size
        remembered = cache.load_results(repository.run_key(target, settings),
                                        lambda rel: _current_read(root, rel, limit))
        if remembered is not None:
            cache.save_stats(prepared.sources.stat_entries())
            return DocsetResult(target.root, target.config, remembered, files, prefix=target.prefix)
    if docset is None:
        docset = repository.docset(target.prefix, target.paths)
    # named files (a pre-commit run) are checked whole: the page rules run on them only, so reusing
    # records would save little and keeping them costs more (the last full run's state stays valid)
    tracked = cache is not None and options.reuse_results and not target.config.external and not target.paths
    global_key = repository.global_key(target, settings, docset) if tracked else b""
    records = _valid_records(target, repository, global_key) if tracked else None
    diagnostics = run_rules(docset, settings, records, prepared.sources.keys)
    if options.budget and options.budget.unchecked:
        records = None  # pages were left unchecked: nothing of this run is kept
    elif cache is not None and options.reuse_results:
        cache.save_results(repository.run_key(target, settings), diagnostics, docset.reads)
    if cache is not None and records is not None:
        keys, dirs = repository.listing()
        cache.save_state(State(global_key, keys, dirs, records, dict(docset.reads), repository.known_url_bases()))
    return DocsetResult(target.root, target.config, diagnostics, files, docset if keep_docset else None,
                        prefix=target.prefix, settings=settings, digests=prepared.sources.keys)


def _current_read(root: str, rel: str, limit: int) -> bytes:
    """The content key of a file read for the rules now (or whether a looked-at file exists)."""
    if rel.startswith(STAT_PREFIX):
        return b"1" if os.path.exists(os.path.join(root, rel[len(STAT_PREFIX):])) else b"0"
    return current_key(root, rel, limit)


def _valid_records(target: Target, repository: Workspace, global_key: bytes) -> dict[str, PageRecord]:
    """The last run's page records that still hold (incremental runs); empty when the settings or
    anything else every page depends on changed, or there was no last run."""
    cache = repository.prepared(target.prefix).cache
    state = cache.load_state() if cache is not None else None
    if not isinstance(state, State) or state.global_key != global_key:
        return {}
    if repository.url_bases(state.url_bases) != state.url_bases:
        return {}
    root, limit = str(repository.repository.root), target.config.max_file_size
    keys, dirs = repository.listing()
    delta = changes(state, keys, dirs, {rel: _current_read(root, rel, limit) for rel in state.reads})
    lead = f"{target.prefix}/" if target.prefix else ""
    return {rel: record for rel, record in state.pages.items()
            if still_valid(record, keys.get(lead + rel), delta)}


def build_docset(root: Path, config: Config, paths: Iterable[Path] | None = None,
                 options: RunOptions | None = None) -> Docset:
    """Parse the docset at (or holding) ``root``, with the rest of its repository at hand, without
    running rules."""
    plan = group_targets([root], config)
    if not plan.targets:
        raise ConfigError(f"{root} is in no docset")
    target = next((t for t in plan.targets if t.root == root.resolve()), plan.targets[0])
    repository = Workspace(target.repository, {target.prefix: config}, options or RunOptions())
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
    started = time.time()  # the run's time budget counts from here
    chosen: Config | Path | None = Path(config) if isinstance(config, (str, Path)) else config
    if isinstance(chosen, Path):
        chosen = load_config(chosen)
    today()  # a bad PLAYBOOKLINT_TODAY is a usage error (exit 2), not a rule failure on every page
    options = options or RunOptions()
    plan = group_targets([Path(p) for p in paths] or [Path(".")], chosen, overrides)
    budget = RunBudget.of([t.config for t in plan.targets], started)
    options = replace(options, budget=budget)
    by_repository: dict[Path, list[Target]] = {}
    for target in plan.targets:
        by_repository.setdefault(target.repository.root, []).append(target)
    results: list[DocsetResult] = []
    notices: list[str] = []
    requests = 0
    for targets in by_repository.values():
        repository = Workspace(targets[0].repository, {t.prefix: t.config for t in targets}, options)
        notices += [n for n in _cache_problems(targets, options) if n not in notices]
        built: dict[int, Docset] = {}
        if any(t.config.external for t in targets):
            report = _check_external(targets, repository, options, built)
            notices += report.notices()
            requests += report.requests
        results.extend(check_docset(t, repository, options, docset=built.get(i)) for i, t in enumerate(targets))
    if budget.unchecked:
        notices.append(f"the run's {budget.allowed() or 0:g}-second time budget ran out: "
                       f"{budget.unchecked} file{'s' if budget.unchecked != 1 else ''} not checked "
                       "(look for files that are slow to parse, or raise --run-timeout)")
    return Result(results, skipped=len(plan.skipped), notices=notices, external_requests=requests)


def _cache_problems(targets: list[Target], options: RunOptions) -> list[str]:
    """Why the cache cannot be used (no signing key), once per cache folder; nothing when it is off
    on purpose (``--no-cache``)."""
    from .cache import key_status
    from .workspace import cache_folder

    home = targets[0].repository.root
    folders = {cache_folder(home, t.config, options) for t in targets}
    problems = [key_status(folder, home)[1] for folder in sorted(f for f in folders if f is not None)]
    return [p for p in dict.fromkeys(problems) if p]


def _check_external(targets: list[Target], repository: Workspace, options: RunOptions,
                    built: dict[int, Docset]) -> ExternalReport:
    """Request the http(s) URLs the targets' pages link to, once each, and hand the answers to the
    repository's docsets (before any rule runs). ``built`` receives the docsets built on the way."""
    from .external import ExternalSettings, check_urls, collect_urls
    from .workspace import cache_folder

    checked = [(i, t) for i, t in enumerate(targets) if t.config.external]
    for i, target in checked:
        built[i] = repository.docset(target.prefix, target.paths)
    config = checked[0][1].config
    settings = ExternalSettings.from_config(config)
    urls = collect_urls([built[i] for i, _ in checked], settings)
    folder = cache_folder(repository.repository.root, config, options)
    asked = time.time()
    report = check_urls(urls, settings, folder / CACHE_FILE if folder is not None else None, options.link_progress)
    if options.budget is not None:  # waiting for the network is not parsing: it has its own timeouts
        options.budget.start += time.time() - asked
    repository.record_external(report.results)
    return report

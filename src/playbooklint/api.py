"""The public API: ``lint`` checks files and folders on disk, ``fix`` checks them and applies
the fixes findings carry, ``lint_text`` checks text held in memory. They return findings and never
print; the command line and the editor server are their clients."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from .clock import today
from .config import Config, ConfigError, load_config
from .engine import Result, RunOptions
from .engine import lint as _lint
from .model import Diagnostic
from .rules.runner import run_rules
from .rules.settings import RuleSettings
from .workspace import docset_from_texts

__all__ = ["fix", "lint", "lint_text"]


def _config(config: Config | str | os.PathLike[str] | None) -> Config | Path | None:
    if config is None or isinstance(config, Config):
        return config
    path = Path(config)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    return path


def lint(
    paths: Iterable[str | os.PathLike[str]] = (".",),
    *,
    config: Config | str | os.PathLike[str] | None = None,
    jobs: int | None = None,
    cache: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
    link_progress: Callable[[int, int], None] | None = None,
) -> Result:
    """Check files and folders; each is judged inside the docset it belongs to.

    ``config``: a Config, or a config file to read; default: the one found above each path.
    ``jobs``: parse processes (default: one per core). ``cache``/``cache_dir``: reuse the facts of
    unchanged files between runs. ``select``/``ignore``: rule names, codes or code prefixes.
    ``overrides``: Config fields to replace (``max_file_size``, ``file_timeout``; None values are
    ignored). ``progress(done, total)`` is called while parsing, ``link_progress(done, total)`` while
    external links are checked.

    Raises ConfigError for usage and configuration problems.
    """
    options = replace(_options(jobs, cache, cache_dir, select, ignore, progress), link_progress=link_progress)
    chosen = _config(config)
    return _lint([Path(p) for p in paths], config=chosen, overrides=overrides, options=options)


def _lint_with_docsets(paths: Iterable[str | os.PathLike[str]], **arguments: Any) -> Result:
    """``lint`` that always builds the docsets (never reuses the last run's findings alone), for
    reports that read the docset: the HTML report's lifecycle and freshness."""
    chosen = _config(arguments.pop("config", None))
    overrides = arguments.pop("overrides", None)
    link_progress = arguments.pop("link_progress", None)
    options = replace(_options(**arguments), reuse_results=False, link_progress=link_progress)
    return _lint([Path(p) for p in paths], config=chosen, overrides=overrides, options=options)


def fix(
    paths: Iterable[str | os.PathLike[str]] = (".",),
    *,
    unsafe: bool = False,
    write: bool = True,
    config: Config | str | os.PathLike[str] | None = None,
    jobs: int | None = None,
    cache: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
    link_progress: Callable[[int, int], None] | None = None,
) -> Result:
    """Check like ``lint``, then apply the safe fixes the findings carry (``unsafe``: the unsafe
    ones too). Each fix is checked before any file is written: the fixed files are checked again
    in memory and a fix that leaves its finding or causes a new one is not applied. Files are
    written atomically, keeping their encoding, line ends and permissions; ``write=False`` writes
    nothing (``result.fixes.diff()`` shows what would change).

    Returns the findings that remain, with ``result.fixes`` saying what was (or would be) fixed and
    which fixes were not applied, and why.
    """
    from .fixes import fix_result

    options = replace(_options(jobs, cache, cache_dir, select, ignore, progress), reuse_results=False,
                      link_progress=link_progress)
    result = _lint([Path(p) for p in paths], config=_config(config), overrides=overrides, options=options)
    return fix_result(result, unsafe=unsafe, write=write)


def _options(jobs: int | None, cache: bool, cache_dir: str | os.PathLike[str] | None, select: Iterable[str] | None,
             ignore: Iterable[str] | None, progress: Callable[[int, int], None] | None) -> RunOptions:
    return RunOptions(
        select=tuple(select) if select else None,
        ignore=tuple(ignore) if ignore else None,
        progress=progress,
        jobs=jobs,
        cache=cache,
        cache_dir=Path(cache_dir) if cache_dir is not None else None,
    )


def lint_text(
    text: str,
    *,
    path: str = "index.md",
    files: Mapping[str, str] | None = None,
    config: Config | str | os.PathLike[str] | None = None,
) -> list[Diagnostic]:
    """Check one page held in memory and return its findings, sorted.

    ``path`` is the page's docset-relative POSIX path. ``files`` maps other docset-relative paths
    to their text (pages, include files, ``toc.yml``, ``docfx.json``), so links, anchors and
    includes resolve between the texts; nothing is read from disk but the schema. ``config``: a
    Config or a config file (default: built-in defaults).
    """
    chosen = _config(config)
    settings = load_config(chosen) if isinstance(chosen, Path) else (chosen or Config())
    today()  # raises ConfigError for a bad PLAYBOOKLINT_TODAY
    texts = {_clean(rel): value for rel, value in (files or {}).items()}
    texts[_clean(path)] = text
    rules = RuleSettings.from_config(settings, docfx="docfx.json" in texts)
    return run_rules(docset_from_texts(texts, _clean(path), settings), rules)


def _clean(rel: str) -> str:
    return posixpath.normpath(rel.replace("\\", "/").lstrip("/"))

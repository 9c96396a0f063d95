"""The public API: ``lint`` checks files and folders on disk, ``lint_text`` checks text held in
memory. Both return findings and never print; the command line and the editor server are their
clients."""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from .config import Config, ConfigError, load_config
from .discover import FileIndex, is_source
from .docfx import DocfxInfo, docfx_info, strip_json_comments
from .docset import Docset
from .engine import Result, RunOptions
from .engine import lint as _lint
from .globs import Globs
from .model import Diagnostic, Page, Problem
from .parse import parse_bytes
from .rules.runner import run_rules
from .rules.settings import RuleSettings
from .schema import validator_for

__all__ = ["lint", "lint_text"]


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
) -> Result:
    """Check files and folders; each is judged inside the docset it belongs to.

    ``config``: a Config, or a config file to read; default: the one found above each path.
    ``jobs``: parse processes (default: one per core). ``cache``/``cache_dir``: reuse the facts of
    unchanged files between runs. ``select``/``ignore``: rule names, codes or code prefixes.
    ``overrides``: Config fields to replace (``max_file_size``, ``file_timeout``; None values are
    ignored). ``progress(done, total)`` is called while parsing.

    Raises ConfigError for usage and configuration problems.
    """
    options = RunOptions(
        select=tuple(select) if select else None,
        ignore=tuple(ignore) if ignore else None,
        progress=progress,
        jobs=jobs,
        cache=cache,
        cache_dir=Path(cache_dir) if cache_dir is not None else None,
    )
    chosen = _config(config)
    return _lint([Path(p) for p in paths], config=chosen, overrides=overrides, options=options)


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
    settings_config = load_config(chosen) if isinstance(chosen, Path) else (chosen or Config())
    texts = dict(files or {})
    texts[path] = text
    texts = {posixpath.normpath(rel.replace("\\", "/").lstrip("/")): value for rel, value in texts.items()}
    rel_path = posixpath.normpath(path.replace("\\", "/").lstrip("/"))
    index = FileIndex("")
    for rel in texts:
        index.files.add(rel)
        folder = posixpath.dirname(rel)
        while folder:
            index.dirs.add(folder)
            folder = posixpath.dirname(folder)
    exclude = Globs(settings_config.exclude)
    pages: dict[str, Page] = {}
    for rel, value in texts.items():
        if is_source(rel) and (rel == rel_path or not exclude.match_or_parent(rel)):
            pages[rel] = parse_bytes(rel, value.encode("utf-8", "surrogatepass"), settings_config.file_timeout)
    docfx, problems = _docfx(texts.get("docfx.json"))
    settings = RuleSettings.from_config(settings_config)
    docset = Docset(Path(index.root), pages, index, settings_config, docfx, {}, problems,
                    validator_for(settings_config, pages, docfx), frozenset({rel_path}))
    return run_rules(docset, settings)


def _docfx(text: str | None) -> tuple[DocfxInfo, list[Problem]]:
    if text is None:
        return DocfxInfo(), []
    try:
        return docfx_info(json.loads(strip_json_comments(text))), []
    except json.JSONDecodeError as exc:
        return DocfxInfo(), [Problem(1, 1, f"docfx.json is not valid JSON ({exc.msg}, line {exc.lineno} column "
                                     f"{exc.colno}); its metadata is not applied", path="docfx.json",
                                     rule="config-file-invalid")]

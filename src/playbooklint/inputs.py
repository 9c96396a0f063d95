"""What a run covers, before anything is parsed: which docsets the paths given belong to (with
their config), and for each docset its file listing, schema, docfx.json and redirects."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import Config, ConfigError, find_config_file, load_config, with_overrides
from .discover import Discovery, FileIndex, discover, find_root, scan
from .docfx import DocfxInfo, load_docfx, load_redirects
from .model import Problem
from .schema import PageValidator, load_validator


@dataclass(frozen=True)
class Target:
    """One docset to check, and which of its files the user named."""

    root: Path
    """The docset root."""
    config: Config
    """Its settings."""
    paths: tuple[Path, ...] | None
    """Files or folders inside it that were named; None means the whole docset."""


def group_targets(
    paths: Sequence[Path], config: Config | Path | None = None, overrides: Mapping[str, Any] | None = None
) -> list[Target]:
    """The docsets the paths belong to, each with its config (``config`` for all, else the one
    found above each path) and the paths inside it (ConfigError for a path that does not exist)."""
    groups: dict[Path, tuple[Config, list[Path] | None]] = {}
    for path in paths:
        if not path.exists():
            raise ConfigError(f"path does not exist: {path}")
        found = config if isinstance(config, Config) else load_config(config or find_config_file(path.resolve()))
        if overrides:
            found = with_overrides(found, **overrides)
        root = find_root(path, found)
        resolved = path.resolve()
        whole = resolved == root or resolved in root.parents  # a folder holding the docset
        if root in groups:
            existing, named = groups[root]
            if named is not None and not whole:
                named.append(resolved)
            elif whole:
                groups[root] = (existing, None)
        else:
            groups[root] = (found, None if whole else [resolved])
    return [Target(root, cfg, tuple(named) if named is not None else None) for root, (cfg, named) in groups.items()]


@dataclass(frozen=True)
class Inputs:
    """What a docset run reads before parsing: the file listing, the schema, DocFX's files."""

    discovery: Discovery
    """The sources to parse and the files selected for reporting."""
    validator: PageValidator
    """The page metadata schema."""
    docfx: DocfxInfo
    """docfx.json's content globs and metadata."""
    redirects: dict[str, str]
    """Redirected path -> where it redirects."""
    problems: list[Problem]
    """Problems loading docfx.json and the redirection files."""

    @property
    def index(self) -> FileIndex:
        return self.discovery.index

    def fingerprint(self) -> list[str]:
        """Text of everything here the findings depend on (for the cache's run key)."""
        index = self.index
        selected = self.discovery.selected
        return [
            repr(sorted(selected) if selected is not None else None),
            repr(sorted(index.dirs)), repr(sorted(index.escapes.items())), repr(sorted(index.aliases.items())),
            json.dumps(self.validator.schema, sort_keys=True, default=repr), repr(self.docfx),
            repr(sorted(self.redirects.items())), repr(self.problems),
        ]


def load_inputs(root: Path, config: Config, paths: Sequence[Path] | None = None) -> Inputs:
    """Scan the root once and read the docset's own settings files."""
    validator = PageValidator(load_validator(config.schema))
    index = scan(root)
    discovery = discover(root, index, config, list(paths) if paths else None)
    docfx, problems = load_docfx(root)
    redirects, redirect_problems = load_redirects(root, config.redirects)
    return Inputs(discovery, validator, docfx, redirects, problems + redirect_problems)

"""What a run covers, before anything is parsed: which docsets the paths given belong to (with
their config), and for each docset its file listing, schema, docfx.json and redirects."""

from __future__ import annotations

import hashlib
import os
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .config import Config, ConfigError, find_config_file, load_config, with_overrides
from .discover import Discovery, FileIndex, discover, scan
from .docfx import DocfxInfo, load_docfx, load_redirects
from .model import Problem
from .repository import Repository, find_repository


@dataclass(frozen=True)
class Target:
    """One docset to check, and which of its files the user named."""

    root: Path
    """The docset root."""
    config: Config
    """Its settings."""
    paths: tuple[Path, ...] | None
    """Files or folders inside it that were named; None means the whole docset."""
    repository: Repository = field(default_factory=lambda: Repository(Path("."), ("",)), compare=False)
    """The repository it belongs to."""

    @property
    def docfx_built(self) -> bool:
        """True when DocFX builds this docset: the publish config lists it, or it has a docfx.json."""
        return self.repository.publish_config is not None or (self.root / "docfx.json").is_file()

    @property
    def prefix(self) -> str:
        """The docset's folder relative to the repository root ("" for the root)."""
        rel = os.path.relpath(self.root, self.repository.root).replace(os.sep, "/")
        return "" if rel == "." else rel


@dataclass
class Plan:
    """What a run checks: the docsets per repository, and how many named files no docset builds."""

    targets: list[Target]
    skipped: list[Path] = field(default_factory=list)
    """Named files outside every docset (a README at the repository root): not checked."""


def relative_posix(path: Path, root: Path) -> str | None:
    """``path`` relative to ``root`` as a POSIX path (``""`` for the root itself); None outside it."""
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        return None
    return "" if rel == "." else rel


def _with_docset(repository: Repository, rel: str) -> Repository:
    if rel in repository.docsets:
        return repository
    return replace(repository, docsets=tuple(sorted({*repository.docsets, rel})))


def _unlisted_docfx(repository: Repository, resolved: Path) -> str | None:
    """A docfx.json folder at or above a path, inside the repository, that the publish config
    does not list: checked as a docset when the user names a path inside it."""
    folder = resolved if resolved.is_dir() else resolved.parent
    for candidate in (folder, *folder.parents):
        rel = relative_posix(candidate, repository.root)
        if rel is None:
            return None
        if (candidate / "docfx.json").is_file():
            return rel
    return None


def group_targets(
    paths: Sequence[Path], config: Config | Path | None = None, overrides: Mapping[str, Any] | None = None
) -> Plan:
    """The docsets the paths belong to, each with its config (``config`` for all, else the one
    found above each path) and the paths inside it (ConfigError for a path that does not exist).

    A folder holding docsets means those docsets, whole; a path inside a docset means that docset,
    reporting on that path only; a file no docset holds is skipped.
    """
    repositories: dict[Path, Repository] = {}
    walked: dict[Path, list[Path]] = {}  # docfx.json folders per folder walked: once per run, not per path
    wanted: dict[tuple[Path, str], tuple[Config, list[Path] | None]] = {}
    plan = Plan([])

    def add(repository: Repository, docset: str, found: Config, named: Path | None) -> None:
        key = (repository.root, docset)
        if key in wanted:
            existing, paths_in = wanted[key]
            if paths_in is not None and named is not None:
                paths_in.append(named)
            elif named is None:
                wanted[key] = (existing, None)
        else:
            wanted[key] = (found, None if named is None else [named])

    for path in paths:
        if not path.exists():
            hint = ("; after '--' every argument is a path: put options before it (in a pre-commit hook's "
                    "'entry', not its 'args')") if str(path).startswith("-") else ""
            raise ConfigError(f"path does not exist: {path}{hint}")
        found = config if isinstance(config, Config) else load_config(config or find_config_file(path.resolve()))
        if overrides:
            found = with_overrides(found, **overrides)
        resolved = path.resolve()
        if found.root is not None:
            root = found.root.resolve()
            repository = find_repository(root, walked)
            rel = relative_posix(root, repository.root)
            if rel is None:
                repository, rel = Repository(root, ("",)), ""
            repository = _with_docset(repositories.get(repository.root, repository), rel)
            repositories[repository.root] = repository
            whole = resolved == root or resolved in root.parents
            add(repository, rel, found, None if whole else resolved)
            continue
        repository = find_repository(resolved, walked)
        repository = repositories.get(repository.root, repository)
        rel = relative_posix(resolved, repository.root)
        assert rel is not None
        inside = [d for d in repository.docsets if rel == "" or d == rel or d.startswith(rel + "/")]
        owner = repository.docset_of(rel)
        if not inside and owner is None:
            extra = _unlisted_docfx(repository, resolved)
            if extra is None:
                plan.skipped.append(path)
                repositories.setdefault(repository.root, repository)
                continue
            repository = _with_docset(repository, extra)
            owner = extra if extra != rel else None
            inside = [extra] if extra == rel else []
        repositories[repository.root] = repository
        for docset in inside:
            add(repository, docset, found, None)
        if owner is not None and owner not in inside:
            add(repository, owner, found, resolved)
    for (repo_root, docset), (found, named) in wanted.items():
        repository = repositories[repo_root]
        root = repository.root / docset if docset else repository.root
        plan.targets.append(Target(root, found, tuple(named) if named is not None else None, repository))
    return plan


@dataclass(frozen=True)
class Inputs:
    """What a docset run reads before parsing: the file listing, the schema, DocFX's files."""

    discovery: Discovery
    """The sources to parse and the files selected for reporting."""
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
            repr(self.docfx),
            _digest_of(self.redirects), repr(self.problems),
        ]


def _digest_of(redirects: Mapping[str, str]) -> str:
    """A short stand-in for the redirects in a cache key: a million of them are hashed in about half
    a second, where their sorted repr took seconds and a hundred megabytes."""
    text = "\0".join(redirects) + "\1" + "\0".join(redirects.values())
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=24).hexdigest()


def load_inputs(root: Path, config: Config, paths: Sequence[Path] | None = None, index: FileIndex | None = None,
                redirects: tuple[dict[str, str], list[Problem]] | None = None, cache: Path | None = None) -> Inputs:
    """List the docset's files (``index``, else one scan of the root) and read its own settings
    files; ``redirects`` are the docset's share of the repository's, when given (and no
    ``redirects`` are configured). ``cache``: the cache folder, where parsed redirection files
    are kept."""
    index = index if index is not None else scan(root)
    discovery = discover(root, index, config, list(paths) if paths else None)
    docfx, problems = load_docfx(root)
    if redirects is None or config.redirects:
        redirects = load_redirects(root, config.redirects, cache=cache)
    return Inputs(discovery, docfx, redirects[0], problems + redirects[1])


def repository_redirects(repository: Repository, cache: Path | None = None) -> tuple[dict[str, str], list[Problem]]:
    """Every redirect of the repository, by repository-relative source path, read once (each file
    parsed once per content when there is a ``cache`` folder)."""
    return load_redirects(repository.root, (), repository.root, redirection_files(repository), cache)


def docset_redirects(everything: tuple[dict[str, str], list[Problem]], repository: Repository,
                     prefix: str) -> tuple[dict[str, str], list[Problem]]:
    """A docset's share: the redirects whose source is in its folder (docset-relative); the
    problems of redirection files go to the docset that holds the file, else the first docset."""
    start = prefix + "/" if prefix else ""
    redirects = everything[0] if not start else \
        {rel[len(start):]: url for rel, url in everything[0].items() if rel.startswith(start)}
    problems = []
    for problem in everything[1]:
        holder = repository.docset_of(problem.path or "")
        if holder == prefix or (holder is None and prefix == repository.docsets[0]):
            problems.append(problem._replace(path=posixpath.relpath(problem.path or ".", prefix or ".")))
    return redirects, problems


def redirection_files(repository: Repository) -> tuple[str, ...]:
    """The publish config's redirection files and every ``.openpublishing.redirection*.json`` of
    the repository (repository-relative)."""
    found = list(repository.redirection_files)
    for rel in repository.redirect_candidates:
        if rel not in found:
            found.append(rel)
    # not only regular files: a FIFO or device in their place is reported (and never opened) when read
    return tuple(f for f in found if (repository.root / f).exists() and not (repository.root / f).is_dir())

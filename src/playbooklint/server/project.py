"""What the editor server knows, without the protocol: each repository's docsets read from disk
once and kept in memory, the open documents laid over them, and a check of one document.

A check builds no docset from disk: it takes the docset built at the first check (``Workspace``,
from the page cache when it is warm), lays over it the pages re-parsed since from files reported
changed on disk and the pages of the open documents of that docset (parsed from their unsaved
text, once per text), and runs the rules reporting on that one document, as ``playbooklint check
FILE`` does. A file created or deleted changes the listing links resolve against: the repository is
read again (its unchanged files come from the page cache). A configuration file changed (a config,
``docfx.json``, the publish config, a redirection file, a custom schema): everything is read again.

Not thread-safe: the server calls it from one worker thread.
"""

from __future__ import annotations

import gc
import os
import posixpath
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from ..cache import CACHE_DIR_NAME
from ..config import CONFIG_NAMES, Config, with_overrides
from ..discover import is_source
from ..docset import Docset
from ..inputs import Target, group_targets, relative_posix
from ..model import Diagnostic, Page, Problem
from ..repository import PUBLISH_CONFIG
from ..rules.runner import run_rules
from ..rules.settings import RuleSettings
from ..source import parse_bytes, parse_source
from ..workspace import RunOptions, Workspace

Change = Literal["created", "changed", "deleted"]

SETTINGS_FILES = frozenset({*CONFIG_NAMES, "docfx.json", PUBLISH_CONFIG})
"""Files whose change means reading the configuration (and so everything) again."""


def is_settings_file(name: str) -> bool:
    """True for a file name that holds settings the docsets are built with."""
    return name in SETTINGS_FILES or (name.startswith(".openpublishing.redirection") and name.endswith(".json"))


@dataclass
class _Repo:
    """One repository: its docsets built once, and what changed on disk since."""

    workspace: Workspace
    targets: dict[str, Target] = field(default_factory=dict)
    """Docset folder -> the docset as a document of it was located (with its config)."""
    settings: dict[str, RuleSettings] = field(default_factory=dict)
    changed: dict[str, dict[str, Page]] = field(default_factory=dict)
    """Docset folder -> docset-relative path -> facts re-read from disk since the docset was built."""
    built: set[str] = field(default_factory=set)
    """Docset folders whose docset a check has built."""
    last: dict[str, tuple[Docset, frozenset[str]]] = field(default_factory=dict)
    """Docset folder -> the docset the last check ran on, and the pages laid over the one on disk
    there: the next check starts from it, keeping its answers about the pages that did not change."""
    stale: bool = False
    """A file was created or deleted: the listing is read again before the next check."""

    @property
    def root(self) -> Path:
        return self.workspace.repository.root


@dataclass(frozen=True)
class Located:
    """Where a document lives: its repository, docset and docset-relative path."""

    repo: _Repo
    target: Target
    rel: str
    """Docset-relative POSIX path."""

    @property
    def prefix(self) -> str:
        return self.target.prefix

    @property
    def repo_rel(self) -> str:
        """Repository-relative POSIX path."""
        return posixpath.join(self.prefix, self.rel) if self.prefix else self.rel


def text_page(rel: str, text: str, config: Config) -> Page:
    """The facts of a document's unsaved text, as they would be read from the file saved as UTF-8."""
    data = text.encode("utf-8", "surrogatepass")
    if config.max_file_size and len(data) > config.max_file_size:
        return Page(rel, problems=(Problem(
            1, 1, f"file is {len(data):,} bytes, over the {config.max_file_size:,}-byte limit; not checked "
            "(raise max-file-size if it is meant to be this large)", rule="file-too-large"),))
    return parse_bytes(rel, data, config.file_timeout)


class Project:
    """The repositories of the open documents, each read once and kept in memory."""

    def __init__(self, options: RunOptions | None = None, log: Callable[[str], None] | None = None) -> None:
        self.options = options or RunOptions()
        self.log = log or (lambda _message: None)
        self._repos: list[_Repo] = []
        self._parsed: dict[tuple[str, str], tuple[str, Page]] = {}
        """(repository root, repository-relative path) -> (text, facts) of an open document."""
        self._outside: set[Path] = set()
        """Files no docset builds (a README at the repository root)."""
        self.generation = 0
        """Counts the times what is on disk was read again (a reload or a rebuild)."""

    # ------------------------------------------------------------------ locating documents

    def locate(self, path: Path) -> Located | None:
        """The docset holding a file, its repository read on first use; None when no docset
        builds it. Raises ConfigError for a configuration that cannot be read."""
        path = Path(os.path.abspath(path))
        for repo in self._repos:
            rel = relative_posix(path, repo.root)
            if rel is None:
                continue
            prefix = repo.workspace.repository.docset_of(rel)
            target = repo.targets.get(prefix) if prefix is not None else None
            if target is not None:
                self._refresh(repo)
                return Located(repo, target, relative_posix(path, target.root) or "")
        if path in self._outside or not path.is_file():
            return None  # a new file is checked once it is saved
        plan = group_targets([path])
        if not plan.targets:
            self._outside.add(path)
            return None
        target = plan.targets[0]
        target = replace(target, config=with_overrides(target.config, external=False), paths=None)
        repo = self._repo_for(target)
        rel = relative_posix(path, target.root)
        if rel is None or rel == "":
            return None
        self._refresh(repo)
        return Located(repo, repo.targets[target.prefix], rel)

    def _repo_for(self, target: Target) -> _Repo:
        for repo in self._repos:
            if repo.root != target.repository.root:
                continue
            known = repo.targets.get(target.prefix)
            same_repository = repo.workspace.repository.docsets == target.repository.docsets
            used = repo.workspace.configs.get(target.prefix) or next(iter(repo.workspace.configs.values()))
            if same_repository and (known is not None or used == target.config):
                repo.targets.setdefault(target.prefix, target)
                repo.workspace.configs.setdefault(target.prefix, target.config)
                return repo
            # another configuration for a docset already built (or a docset the repository did not
            # list): read the repository again with every configuration known
            self._repos.remove(repo)
            targets = {**repo.targets, target.prefix: target}
            return self._add(target, targets)
        return self._add(target, {target.prefix: target})

    def _add(self, target: Target, targets: dict[str, Target]) -> _Repo:
        configs = {prefix: t.config for prefix, t in targets.items()}
        repo = _Repo(Workspace(target.repository, configs, self.options), dict(targets))
        self._repos.append(repo)
        return repo

    def _refresh(self, repo: _Repo) -> None:
        if repo.stale:
            started = time.perf_counter()
            repo.workspace = Workspace(repo.workspace.repository, dict(repo.workspace.configs), self.options)
            self._outside.clear()
            repo.changed.clear()
            repo.built.clear()
            repo.last.clear()
            repo.stale = False
            self.generation += 1
            self.log(f"files were created or deleted: read {repo.root} again "
                     f"({time.perf_counter() - started:.2f} s to list it)")

    def reload(self) -> None:
        """Forget everything read: configuration, listings and facts are read again on next use."""
        self._repos.clear()
        self._parsed.clear()
        self._outside.clear()
        self.generation += 1

    # ------------------------------------------------------------------ checking

    def settings(self, located: Located) -> RuleSettings:
        found = located.repo.settings.get(located.prefix)
        if found is None:
            target = located.target
            found = located.repo.settings[located.prefix] = RuleSettings.from_config(
                target.config, self.options.select, self.options.ignore, target.docfx_built)
        return found

    def base(self, located: Located) -> Docset:
        """The docset as read from disk (built on first use)."""
        started = time.perf_counter()
        docset = located.repo.workspace.site.docset(located.prefix)
        if located.prefix not in located.repo.built:
            located.repo.built.add(located.prefix)
            # the docset's facts live as long as the server: the garbage collector need not walk them
            # on every collection (a pause of tens of milliseconds on a large docset)
            gc.freeze()
            self.log(f"read docset {located.target.root} ({len(docset.pages)} files) "
                     f"in {time.perf_counter() - started:.2f} s")
        return docset

    def docset(self, located: Located, texts: Mapping[Path, str]) -> Docset:
        """The document's docset with the open documents' texts laid over what is on disk,
        reporting on the document."""
        base = self.base(located)
        repo = located.repo
        pages = dict(repo.changed.get(located.prefix, {}))
        config = base.config
        root = located.repo.root
        for path, text in texts.items():
            rel = relative_posix(Path(os.path.abspath(path)), located.target.root)
            if rel is None or not rel or not is_source(rel):
                continue
            repo_rel = posixpath.join(located.prefix, rel) if located.prefix else rel
            if located.repo.workspace.repository.docset_of(repo_rel) != located.prefix:
                continue  # in a docset nested in this one
            if rel not in base.pages and not base.exists(rel):
                continue  # not a file of the docset (yet): links resolve against what is on disk
            key = (str(root), repo_rel)
            parsed = self._parsed.get(key)
            if parsed is None or parsed[0] != text:
                parsed = self._parsed[key] = (text, text_page(rel, text, config))
            pages[rel] = parsed[1]
        previous, laid = repo.last.get(located.prefix, (base, frozenset()))
        delta: dict[str, Page] = {}
        for rel in laid | pages.keys():
            wanted = pages.get(rel) or base.pages.get(rel)
            if wanted is None:  # a page laid over before that the docset on disk does not have
                previous, delta = base, pages
                break
            if previous.pages.get(rel) is not wanted:
                delta[rel] = wanted
        docset = previous.revised(delta, frozenset({located.rel}))
        docset.inbound  # noqa: B018 - who links where: kept up to date from now on, page by page
        repo.last[located.prefix] = (docset, frozenset(pages))
        return docset

    def check(self, path: Path, texts: Mapping[Path, str]) -> tuple[str, list[Diagnostic]] | None:
        """The docset-relative path of one document and its findings (``texts``: every open
        document's text, this one's included), as ``playbooklint check`` reports them for that
        file; None when no docset builds it. Raises ConfigError for a configuration that cannot be
        read."""
        located = self.locate(path)
        if located is None:
            return None
        docset = self.docset(located, texts)
        if located.rel not in docset.pages:
            return None  # not a page, TOC or include file
        return located.rel, [d for d in run_rules(docset, self.settings(located)) if d.path == located.rel]

    def forget(self, path: Path) -> None:
        """A document was closed: drop its parsed text."""
        path = Path(os.path.abspath(path))
        for key in [k for k in self._parsed if Path(k[0], k[1]) == path]:
            del self._parsed[key]

    # ------------------------------------------------------------------ changes on disk

    def files_changed(self, changes: Iterable[tuple[Path, Change]]) -> bool:
        """Files changed on disk (saved, or reported by the editor's file watcher). Returns True
        when anything the checks read changed."""
        relevant = False
        for path, kind in changes:
            path = Path(os.path.abspath(path))
            if is_settings_file(path.name) or self._is_schema(path):
                self.log(f"{path.name} changed: reading the configuration again")
                self.reload()
                return True
            for repo in self._repos:
                rel = relative_posix(path, repo.root)
                if rel is None or not rel:
                    continue
                if rel in repo.workspace.repository.redirection_files:
                    self.log(f"{rel} changed: reading the configuration again")
                    self.reload()
                    return True
                if _ignored(rel, repo):
                    continue
                relevant = True
                if kind != "changed" or rel not in repo.workspace.site.index.files:
                    repo.stale = True
                    continue
                prefix = repo.workspace.repository.docset_of(rel)
                if prefix is None:
                    continue
                if prefix not in repo.built:
                    repo.stale = True  # maybe built for a link into it: read again
                    continue
                docset_rel = rel[len(prefix) + 1:] if prefix else rel
                base = repo.workspace.site.docset(prefix)
                if docset_rel in base.pages:
                    config = base.config
                    page = parse_source(str(base.root), docset_rel, config.max_file_size, config.file_timeout)[2]
                    repo.changed.setdefault(prefix, {})[docset_rel] = page
        return relevant

    def _is_schema(self, path: Path) -> bool:
        """True for a file a config names: a custom schema, a redirection file."""
        for repo in self._repos:
            for config in repo.workspace.configs.values():
                if isinstance(config.schema, Path) and Path(os.path.abspath(config.schema)) == path:
                    return True
                home = config.path.parent if config.path is not None else None
                if home is not None and any(Path(os.path.abspath(home / name)) == path for name in config.redirects):
                    return True
        return False

    def watched_roots(self) -> list[Path]:
        """The repositories read so far."""
        return [repo.root for repo in self._repos]


def _ignored(rel: str, repo: _Repo) -> bool:
    """Files no check reads: in hidden folders (``.git``) or the cache folder."""
    parts = rel.split("/")
    if any(part.startswith(".") for part in parts) or CACHE_DIR_NAME in parts:
        return True
    cache_dir = repo.workspace.options.cache_dir
    return cache_dir is not None and relative_posix(repo.root / rel, cache_dir) is not None

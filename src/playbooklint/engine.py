"""The engine: discover -> parse -> Docset -> rules -> diagnostics. Never prints."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Config, ConfigError, find_config_file, load_config
from .discover import Discovery, discover, find_root, scan
from .docfx import load_docfx, load_redirects
from .docset import Docset
from .model import Diagnostic, Page, Problem
from .parse import parse_file
from .rules import RULES, Rule, lookup
from .schema import load_validator


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
    """Which rules run, at which severity (config < command line)."""

    severities: dict[str, str]
    """Rule name -> "error" | "warning" for every rule that runs."""

    @classmethod
    def from_config(cls, config: Config) -> RuleSettings:
        severities = {rule.name: rule.severity for rule in RULES if rule.enabled}
        for key, value in config.rules.items():
            rule = lookup(key)
            if rule is None:
                raise ConfigError(_unknown_rule(key, config))
            severity = value.get("severity")
            if severity == "off":
                severities.pop(rule.name, None)
            elif severity in ("error", "warning"):
                severities[rule.name] = severity
            elif severity is None:
                severities[rule.name] = rule.severity
        return cls(severities)


def _unknown_rule(key: str, config: Config) -> str:
    where = f"{config.path}: " if config.path else ""
    return f"{where}unknown rule '{key}' in [rules]; see 'playbooklint rules' for the list"


def _parse_all(discovery: Discovery, config: Config) -> dict[str, Page]:
    pages: dict[str, Page] = {}
    escapes = discovery.index.escapes
    root = str(discovery.root)
    for rel in discovery.sources:
        if rel in escapes:
            pages[rel] = Page(rel, problems=(Problem(
                1, 1, f"symbolic link to '{escapes[rel]}', outside the docset root; not read",
                rule="file-unreadable",
            ),))
            continue
        pages[rel] = parse_file(root, rel, config.max_file_size)
    return pages


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
    page_paths = sorted(docset.pages) if selected is None else sorted(p for p in docset.pages if p in selected)
    for rule in RULES:
        severity = settings.severities.get(rule.name)
        if severity is None:
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
    return sorted(set(diagnostics))


def build_docset(root: Path, config: Config, targets: list[Path] | None = None) -> tuple[Docset, Discovery]:
    """Parse a docset and answer its cross-file questions (ConfigError for unusable settings)."""
    validator = load_validator(config.schema)
    index = scan(root)
    discovery = discover(root, index, config, targets)
    pages = _parse_all(discovery, config)
    docfx, problems = load_docfx(root)
    redirects, redirect_problems = load_redirects(root, config.redirects)
    docset = Docset(root, pages, index, config, docfx, redirects, problems + redirect_problems, validator)
    return docset, discovery


def check_docset(root: Path, config: Config, targets: list[Path] | None = None) -> DocsetResult:
    settings = RuleSettings.from_config(config)
    docset, discovery = build_docset(root, config, targets)
    diagnostics = run_rules(docset, settings, discovery.selected)
    return DocsetResult(root, config, diagnostics, len(discovery.sources), docset)


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
            from dataclasses import replace

            config = replace(config, **{k: v for k, v in overrides.items() if v is not None})
        root = find_root(path, config)
        resolved = path.resolve()
        whole = resolved == root
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
) -> RunResult:
    """Check the given files and folders; returns the findings, prints nothing.

    Raises ConfigError for usage and configuration problems.
    """
    path_list = [Path(p) for p in paths] or [Path(".")]
    groups = group_targets(path_list, Path(config_path) if config_path else None, overrides)
    return RunResult([check_docset(root, config, targets) for root, config, targets in groups])

"""Run the rules over a Docset: each enabled rule once (page rules once per reported page), each
bare Problem stamped with its path, rule and severity; then inline suppression and per-file
ignores. A rule that fails becomes an ``internal-error`` finding; the run goes on."""

from __future__ import annotations

from typing import cast

from ..docset import Docset
from ..model import Diagnostic, Problem, Severity
from ..suppress import apply as apply_suppressions
from . import BY_NAME, RULES, Rule
from .base import DocsetCheck, PageCheck
from .settings import RuleSettings


def _stamp(problem: Problem, rule: Rule, severity: Severity, path: str) -> Diagnostic:
    return Diagnostic(
        problem.path or path, problem.line, problem.column, rule.code, rule.name, severity,
        problem.message, problem.end_line, problem.end_column, problem.fix,
    )


def _internal(path: str, rule: Rule, exc: BaseException) -> Diagnostic:
    internal = BY_NAME["internal-error"]
    return Diagnostic(path, 1, 1, internal.code, internal.name, "error",
                      f"rule {rule.name} failed on this file ({type(exc).__name__}: {exc}); please report it")


def run_rules(docset: Docset, settings: RuleSettings) -> list[Diagnostic]:
    """Every enabled rule over the docset, sorted; findings only for the docset's selected files."""
    diagnostics: list[Diagnostic] = []
    page_paths = sorted(p for p in docset.pages if docset.is_selected(p))
    for rule in RULES:
        severity = settings.severities.get(rule.name)
        if severity is None or rule.scope == "engine":
            continue
        if rule.scope == "page":
            for path in page_paths:
                try:
                    for problem in cast(PageCheck, rule.check)(docset.pages[path], docset):
                        diagnostics.append(_stamp(problem, rule, severity, path))
                except Exception as exc:  # noqa: BLE001 - one rule's bug must not stop the run
                    diagnostics.append(_internal(path, rule, exc))
        else:
            try:
                for problem in cast(DocsetCheck, rule.check)(docset):
                    diagnostics.append(_stamp(problem, rule, severity, problem.path or "."))
            except Exception as exc:  # noqa: BLE001
                diagnostics.append(_internal(".", rule, exc))
    diagnostics = [d for d in diagnostics if docset.is_selected(d.path)]
    diagnostics = apply_suppressions(docset.pages, diagnostics, settings.severities.get("suppression-unused"),
                                     page_paths)
    if settings.per_file_ignores:
        diagnostics = [d for d in diagnostics if not settings.ignored(d)]
    return sorted(set(diagnostics))

"""Run the rules over a Docset: each enabled rule once (page rules once per reported page), each
bare Problem stamped with its path, rule and severity; then inline suppression and per-file
ignores. A rule that fails becomes an ``internal-error`` finding; the run goes on.

Incremental runs hand in the records of pages whose findings still hold (``incremental``): their
incremental page rules are not run again; every other page is checked while the Docset notes what
its answers came from, and gets a new record."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from .. import incremental
from ..docset import Docset
from ..incremental import PageRecord
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


def _check_page(rule: Rule, severity: Severity, docset: Docset, path: str, out: list[Diagnostic]) -> None:
    try:
        for problem in cast(PageCheck, rule.check)(docset.pages[path], docset):
            out.append(_stamp(problem, rule, severity, path))
    except Exception as exc:  # noqa: BLE001 - one rule's bug must not stop the run
        out.append(_internal(path, rule, exc))


def run_rules(docset: Docset, settings: RuleSettings,
              records: dict[str, PageRecord] | None = None,
              keys: Mapping[str, bytes] | None = None) -> list[Diagnostic]:
    """Every enabled rule over the docset, sorted; findings only for the docset's selected files.

    ``records`` (incremental runs): page -> record of the pages whose findings still hold; pages
    checked here are added to it (``keys``: their content keys; a page without one gets no record).
    """
    diagnostics: list[Diagnostic] = []
    page_paths = sorted(p for p in docset.pages if docset.is_selected(p))
    enabled = [(rule, settings.severities[rule.name]) for rule in RULES
               if settings.severities.get(rule.name) is not None and rule.scope != "engine"]
    if records is not None:
        tracked = [(rule, severity) for rule, severity in enabled if rule.scope == "page" and rule.incremental]
        docset.remember_outbound({rel: record.outbound for rel, record in records.items()})
        docset.include_edges  # noqa: B018 - the include graph is everyone's, computed before any page notes
        keys = keys or {}
        for path in page_paths:
            record = records.get(path)
            if record is not None:
                diagnostics.extend(record.findings)
                continue
            found: list[Diagnostic] = []
            with incremental.recording() as recorder:
                for rule, severity in tracked:
                    _check_page(rule, severity, docset, path, found)
                recorder.paths.update(docset.closure(path))
                outbound = docset.outbound(path)
            diagnostics.extend(found)
            key = keys.get(path)
            if key is not None:
                records[path] = PageRecord(key, tuple(found), frozenset(recorder.paths), frozenset(recorder.names),
                                           recorder.listing, outbound)
    for rule, severity in enabled:
        if rule.scope == "page":
            if records is None or not rule.incremental:
                for path in page_paths:
                    _check_page(rule, severity, docset, path, diagnostics)
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
    return sorted(set(diagnostics), key=Diagnostic.sort_key)

"""Inline suppression: ``<!-- playbooklint-disable ... -->`` directives in HTML comments.

Directives are read from the parser's HTML comments (so examples inside code fences are text),
resolved once per page into change points, and every directive that suppressed nothing is
reported (``suppression-unused``).

- ``playbooklint-disable [RULE ...]``   from this line on (all rules when none are named)
- ``playbooklint-enable [RULE ...]``    from this line on
- ``playbooklint-disable-line [RULE ...]``       this line only
- ``playbooklint-disable-next-line [RULE ...]``  the next line only
- ``playbooklint-disable-file [RULE ...]``       the whole file

RULE is a rule name, a code, or a code prefix (``PB2``); separate them with spaces or commas.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .model import Comment, Diagnostic, Page
from .rules import BY_NAME, match_rules

_DIRECTIVE = re.compile(
    r"^playbooklint-(disable-next-line|disable-line|disable-file|disable|enable)(?=\s|$)(.*)$", re.DOTALL
)
ALL = "*"


@dataclass
class Directive:
    comment: Comment
    verb: str
    rules: frozenset[str]
    """Rule names; ``{"*"}`` for all rules."""
    unknown: list[str]
    used: bool = False


@dataclass
class PageSuppressions:
    """The directives of one page, resolved into lookups."""

    directives: list[Directive] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    """Change points of the range state (sorted lines)."""
    states: list[tuple[dict[str, Directive], set[str]]] = field(default_factory=list)
    """At each change point: rule (or ``*``) -> the directive disabling it, and rules re-enabled
    while ``*`` is disabled."""
    per_line: dict[int, list[Directive]] = field(default_factory=dict)
    whole_file: list[Directive] = field(default_factory=list)

    @classmethod
    def of(cls, page: Page) -> PageSuppressions:
        result = cls()
        state: dict[str, Directive] = {}
        exceptions: set[str] = set()
        for comment in page.comments:
            match = _DIRECTIVE.match(comment.text)
            if not match:
                continue
            verb = match.group(1)
            keys = [k for k in re.split(r"[\s,]+", match.group(2).strip()) if k]
            names, unknown = match_rules(keys)
            rules = frozenset(names) if keys else frozenset({ALL})
            directive = Directive(comment, verb, rules, unknown)
            result.directives.append(directive)
            if verb == "disable-file":
                result.whole_file.append(directive)
            elif verb == "disable-line":
                result.per_line.setdefault(comment.line, []).append(directive)
            elif verb == "disable-next-line":
                result.per_line.setdefault(comment.line + 1, []).append(directive)
            else:
                if verb == "disable":
                    if ALL in rules:
                        state, exceptions = {ALL: directive}, set()
                    else:
                        state = {**state, **{name: directive for name in rules}}
                        exceptions = exceptions - rules
                else:  # enable
                    if ALL in rules:
                        state, exceptions = {}, set()
                    else:
                        state = {k: v for k, v in state.items() if k not in rules}
                        if ALL in state:
                            exceptions = exceptions | rules
                directive.used = verb == "enable"  # a range is judged by the disable that opened it
                result.lines.append(comment.line)
                result.states.append((state, exceptions))
        return result

    def suppressor(self, diagnostic: Diagnostic) -> Directive | None:
        """The directive that hides this finding, if any (and mark it used)."""
        rule = diagnostic.rule
        for directive in self.per_line.get(diagnostic.line, ()):
            if ALL in directive.rules or rule in directive.rules:
                directive.used = True
                return directive
        if self.lines:
            index = bisect_right(self.lines, diagnostic.line) - 1
            if index >= 0:
                state, exceptions = self.states[index]
                found = state.get(rule)
                if found is None and ALL in state and rule not in exceptions:
                    found = state[ALL]
                if found is not None:
                    found.used = True
                    return found
        for directive in self.whole_file:
            if ALL in directive.rules or rule in directive.rules:
                directive.used = True
                return directive
        return None

    def unused(self) -> list[tuple[Comment, str]]:
        """(comment, message) for each directive that did nothing."""
        problems = []
        for directive in self.directives:
            name = f"playbooklint-{directive.verb}"
            if directive.unknown:
                unknown = ", ".join(f"'{k}'" for k in directive.unknown)
                problems.append((directive.comment, f"{name} names unknown rule {unknown}; see 'playbooklint rules'"))
            elif not directive.used:
                what = "any finding" if ALL in directive.rules else ", ".join(sorted(directive.rules))
                problems.append((directive.comment, f"{name} suppresses nothing ({what}); remove it"))
        return problems


def apply(
    pages: Mapping[str, Page], diagnostics: list[Diagnostic], unused_severity: str | None, reported: Iterable[str]
) -> list[Diagnostic]:
    """Drop suppressed findings; add ``suppression-unused`` for the reported pages' idle directives."""
    tables: dict[str, PageSuppressions] = {}

    def table(path: str) -> PageSuppressions | None:
        if path not in tables:
            page = pages.get(path)
            tables[path] = PageSuppressions.of(page) if page is not None and page.comments else PageSuppressions()
        return tables[path]

    kept = []
    for diagnostic in diagnostics:
        suppressions = table(diagnostic.path)
        if suppressions is not None and suppressions.directives and suppressions.suppressor(diagnostic):
            continue
        kept.append(diagnostic)
    if unused_severity is not None:
        rule = BY_NAME["suppression-unused"]
        for path in reported:
            page = pages.get(path)
            if page is None or not page.comments:
                continue
            for comment, message in table(path).unused():  # type: ignore[union-attr]
                kept.append(Diagnostic(path, comment.line, comment.column, rule.code, rule.name,
                                       unused_severity, message))  # type: ignore[arg-type]
    return kept

"""What a rule is. Rules only read: a page rule sees one Page (and the Docset for cross-file
answers), a docset rule sees the Docset. Both yield bare Problems; the engine does the rest."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ..model import Page, Problem, Severity

if TYPE_CHECKING:
    from ..docset import Docset

PageCheck = Callable[[Page, "Docset"], Iterable[Problem]]
DocsetCheck = Callable[["Docset"], Iterable[Problem]]


@dataclass(frozen=True)
class Rule:
    """A check with a stable code and name. Its documentation is the check's docstring."""

    code: str
    """``PB`` + 3 digits, grouped by hundreds (0 files, 1 front matter, 2 links, 3 includes, 4 lifecycle,
    5 page structure and DocFX extensions)."""
    name: str
    """Kebab-case name of the problem, e.g. ``link-broken``."""
    severity: Severity
    """Default severity."""
    scope: Literal["page", "docset", "engine"]
    """``page``: called once per parsed file; ``docset``: called once; ``engine``: found by the
    engine itself (its check only carries the documentation)."""
    check: PageCheck | DocsetCheck
    """The check itself."""
    summary: str
    """One line for ``playbooklint rules``."""
    enabled: bool = True
    """False for rules that are off unless configured."""
    learn: bool = False
    """Part of the Learn validation pack: on by default only in docsets DocFX builds (a docfx.json
    or the publish config defines them), off in a plain folder of Markdown."""
    incremental: bool = True
    """For page rules: its findings on a page depend only on what the Docset notes while it runs
    (``incremental.Recorder``), so an incremental run may reuse them. False: it runs on every page
    every time."""

    @property
    def doc(self) -> str:
        """The rule's user documentation (the check's docstring)."""
        return inspect.getdoc(self.check) or ""


def parse_problems(page: Page, rule: str) -> Iterable[Problem]:
    """Problems the parser recorded for ``rule``."""
    return (p for p in page.problems if p.rule == rule)

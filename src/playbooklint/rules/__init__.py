"""The rule registry: one explicit tuple, grouped by topic (codes by hundreds)."""

from __future__ import annotations

from . import files, frontmatter, includes, lifecycle, links
from .base import Rule

RULES: tuple[Rule, ...] = (
    *files.RULES,
    *frontmatter.RULES,
    *links.RULES,
    *includes.RULES,
    *lifecycle.RULES,
)

BY_NAME = {rule.name: rule for rule in RULES}
BY_CODE = {rule.code: rule for rule in RULES}


def lookup(key: str) -> Rule | None:
    """A rule by name or code (case-insensitive code)."""
    return BY_NAME.get(key) or BY_CODE.get(key.upper())


__all__ = ["RULES", "BY_NAME", "BY_CODE", "Rule", "lookup"]

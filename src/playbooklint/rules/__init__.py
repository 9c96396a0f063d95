"""The rule registry: one explicit tuple, grouped by topic (codes by hundreds)."""

from __future__ import annotations

from collections.abc import Iterable

from . import external, files, frontmatter, includes, learn_links, learn_meta, learn_page, lifecycle, links
from .base import Rule

RULES: tuple[Rule, ...] = (
    *files.RULES,
    *frontmatter.RULES,
    *learn_meta.RULES,
    *links.RULES,
    *learn_links.RULES,
    *external.RULES,
    *includes.RULES,
    *lifecycle.RULES,
    *learn_page.RULES,
)

BY_NAME = {rule.name: rule for rule in RULES}
BY_CODE = {rule.code: rule for rule in RULES}


def lookup(key: str) -> Rule | None:
    """A rule by name or code (case-insensitive code)."""
    return BY_NAME.get(key) or BY_CODE.get(key.upper())


def matches(rule: Rule, key: str) -> bool:
    """True when ``key`` names the rule: its name, its code, or a code prefix (``PB2``)."""
    upper = key.upper()
    return rule.name == key.lower() or rule.code == upper or (
        upper.startswith("PB") and len(upper) < len(rule.code) and rule.code.startswith(upper)
    )


def match_rules(keys: Iterable[str]) -> tuple[set[str], list[str]]:
    """Rule names matching names, codes or code prefixes; and the keys that matched nothing."""
    names: set[str] = set()
    unknown: list[str] = []
    for key in keys:
        key = key.strip()
        if not key:
            continue
        found = [r.name for r in RULES if matches(r, key)]
        if found:
            names.update(found)
        else:
            unknown.append(key)
    return names, unknown


def unknown_rule_message(keys: Iterable[str], where: str = "") -> str:
    """One message for every place a rule is named that does not exist."""
    return f"{where}unknown rule {', '.join(keys)}; see 'playbooklint rules' for the list"


__all__ = ["RULES", "BY_NAME", "BY_CODE", "Rule", "lookup", "match_rules", "matches", "unknown_rule_message"]

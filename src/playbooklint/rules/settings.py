"""Which rules run, at which severity, and where their findings are dropped: rule defaults <
config < command line. The engine applies these; rules never see them (yamllint's shape)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from ..config import Config, ConfigError
from ..globs import Globs
from ..model import Diagnostic, Severity
from . import RULES, lookup, match_rules, unknown_rule_message


@dataclass(frozen=True)
class RuleSettings:
    """Which rules run, at which severity: rule defaults < config < command line."""

    severities: dict[str, Severity]
    """Rule name -> "error" | "warning" for every rule that runs."""
    per_file_ignores: tuple[tuple[Globs, frozenset[str]], ...] = ()
    """(files, rule names) whose findings are dropped."""

    @classmethod
    def from_config(
        cls, config: Config, select: Sequence[str] | None = None, ignore: Sequence[str] | None = None,
        docfx: bool = True,
    ) -> RuleSettings:
        """``docfx``: the docset is built by DocFX (the Learn pack is on by default)."""
        where = f"{config.path}: " if config.path else ""
        configured: dict[str, str] = {}  # rule name -> "error" | "warning" | "off"
        for key, value in config.rules.items():
            rule = lookup(key)
            if rule is None:
                raise ConfigError(unknown_rule_message([f"'{key}'"], f"{where}[rules]: "))
            configured[rule.name] = value.get("severity") or rule.severity
        severities: dict[str, Severity] = {rule.name: rule.severity for rule in RULES
                                           if rule.enabled and (docfx or not rule.learn)}
        for name, severity in configured.items():
            if severity == "off":
                severities.pop(name, None)
            else:
                severities[name] = cast(Severity, severity)
        if select:
            chosen, unknown = match_rules(select)
            if unknown:
                raise ConfigError(unknown_rule_message(unknown, "--select: "))
            by_name = {rule.name: rule for rule in RULES}
            severities = {
                name: cast(Severity, configured[name]) if configured.get(name, "off") != "off"
                else by_name[name].severity
                for name in chosen
            }
        if ignore:
            dropped, unknown = match_rules(ignore)
            if unknown:
                raise ConfigError(unknown_rule_message(unknown, "--ignore: "))
            severities = {k: v for k, v in severities.items() if k not in dropped}
        ignores = []
        for pattern, keys in config.per_file_ignores.items():
            names, unknown = match_rules(keys)
            if unknown:
                raise ConfigError(unknown_rule_message(unknown, f"{where}per-file-ignores '{pattern}': "))
            ignores.append((Globs([pattern]), frozenset(names)))
        return cls(severities, tuple(ignores))

    def ignored(self, diagnostic: Diagnostic) -> bool:
        """True when a per-file-ignores entry drops this finding."""
        return any(diagnostic.rule in names and globs.match_or_parent(diagnostic.path)
                   for globs, names in self.per_file_ignores)

    def fingerprint(self) -> str:
        """A stable text of these settings (part of the cache's run key)."""
        return repr((sorted(self.severities.items()),
                     [(g.patterns, sorted(names)) for g, names in self.per_file_ignores]))

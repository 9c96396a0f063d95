"""playbooklint: a content linter for DocFX / Microsoft Docs playbook docsets.

The public API is small and typed: ``lint(paths)`` checks files and folders on disk,
``fix(paths)`` checks them and applies the fixes findings carry, ``lint_text(text, files=...)``
checks text held in memory; they return findings and never print.
Names are imported on first use, so ``playbooklint --version`` and a warm run start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .api import fix, lint, lint_text
    from .config import Config, ConfigError
    from .engine import DocsetResult, Result
    from .model import Diagnostic

__all__ = ["__version__", "fix", "lint", "lint_text", "Result", "DocsetResult", "Diagnostic", "Config", "ConfigError"]

_WHERE = {
    "fix": "api", "lint": "api", "lint_text": "api", "Config": "config", "ConfigError": "config",
    "DocsetResult": "engine", "Result": "engine", "Diagnostic": "model",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'playbooklint' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value

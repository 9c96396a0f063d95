"""playbooklint: a content linter for DocFX / Microsoft Docs playbook docsets.

The public API is small and typed: ``lint(paths)`` checks files and folders on disk,
``lint_text(text, files=...)`` checks text held in memory; both return findings and never print.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .api import lint, lint_text
from .config import Config, ConfigError
from .engine import DocsetResult, Result
from .model import Diagnostic

__all__ = ["__version__", "lint", "lint_text", "Result", "DocsetResult", "Diagnostic", "Config", "ConfigError"]

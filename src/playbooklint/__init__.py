"""playbooklint: a content linter for DocFX / Microsoft Docs playbook docsets.

The public API is small: ``lint(paths)`` returns the findings and never prints.
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import RunResult

__all__ = ["__version__", "lint"]


def lint(paths: Any, **kwargs: Any) -> RunResult:
    """Check files and folders; see ``playbooklint.engine.lint``."""
    from .engine import lint as _lint

    return _lint(paths, **kwargs)

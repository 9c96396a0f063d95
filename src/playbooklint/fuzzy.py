"""Near matches for "did you mean" messages: one matcher, bounded so hostile input (thousands of
candidates, very long names) never costs quadratic time."""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Iterable

MAX_OPTIONS = 2000
"""Beyond this many candidates, no fuzzy suggestion."""
MAX_NAME = 500
"""Names longer than this get no fuzzy suggestion."""


def closest(name: str, options: Iterable[str], cutoff: float, *, max_options: int = MAX_OPTIONS,
            max_name: int = MAX_NAME) -> str | None:
    """The option most like ``name`` (difflib ratio at least ``cutoff``); ties go to the longest
    common prefix (``topic-011-v2.md`` means ``topic-011.md``, not ``topic-112.md``), then to the
    greater option, so the answer never depends on the order of ``options``."""
    candidates = options if isinstance(options, (list, tuple)) else list(options)
    if len(candidates) > max_options or len(name) > max_name:
        return None
    scored = []
    matcher = difflib.SequenceMatcher(b=name)
    for option in candidates:
        matcher.set_seq1(option)
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
            ratio = matcher.ratio()
            if ratio >= cutoff:
                prefix = len(posixpath.commonprefix([option, name]))
                scored.append((round(ratio, 2), prefix, option))
    return max(scored)[2] if scored else None


def closest_anchor(fragment: str, anchors: Iterable[str]) -> str | None:
    """The real anchor a fragment most likely meant: a match ignoring case first, then a near
    match as written, then a near match of the lower-cased fragment (``#top`` is never offered)."""
    options = sorted(a for a in anchors if a != "top")
    lowered = fragment.lower()
    for option in options:
        if option.lower() == lowered:
            return option
    return (closest(fragment, options, 0.6, max_options=1000, max_name=200)
            or closest(lowered, options, 0.6, max_options=1000, max_name=200))


def did_you_mean(message: str, suggestion: str | None) -> str:
    """``message`` with "; did you mean 'x'?" when there is a suggestion."""
    return f"{message}; did you mean '{suggestion}'?" if suggestion else message

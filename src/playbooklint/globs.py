"""Globs (``**``, ``*``, ``?``, ``{a,b}``) matched against root-relative POSIX paths, with a guard
against patterns whose regex could backtrack for a very long time."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable

from wcmatch import glob as wcglob

_FLAGS = wcglob.GLOBSTAR | wcglob.BRACE | wcglob.DOTGLOB | wcglob.FORCEUNIX
MAX_GLOB_LENGTH = 1024
MAX_GLOB_STARS = 24


def simple_enough(pattern: str) -> bool:
    """Refuse globs whose regex could backtrack for a very long time (``*a*a*a...``): they come
    from files in the pull request (docfx.json) as well as from the config."""
    return len(pattern) <= MAX_GLOB_LENGTH and pattern.count("*") <= MAX_GLOB_STARS and pattern.count("{") <= 8


class Globs:
    """A compiled set of globs (``**``, ``*``, ``?``, ``{a,b}``) matched against POSIX paths.

    A glob that is too complex to match safely raises ValueError (config) or is dropped
    (``lenient``, for docfx.json).
    """

    def __init__(self, patterns: Iterable[str], lenient: bool = False) -> None:
        cleaned = []
        for pattern in patterns:
            if not simple_enough(pattern):
                if lenient:
                    continue
                raise ValueError(f"glob '{pattern[:60]}' is too complex (at most {MAX_GLOB_STARS} '*', "
                                 f"{MAX_GLOB_LENGTH} characters)")
            pattern = pattern.strip().replace("\\", "/")
            if pattern.startswith("~/"):
                pattern = pattern[2:]
            elif pattern.startswith("./"):
                pattern = pattern[2:]
            if pattern.endswith("/"):
                pattern += "**"
            cleaned.append(pattern)
        self.patterns = tuple(cleaned)
        self._regex: re.Pattern[str] | None = None
        if cleaned:
            # wcmatch translates the globs; one compiled alternation matches them all
            include, _exclude = wcglob.translate(cleaned, flags=_FLAGS)
            self._regex = re.compile("|".join(f"(?:{p})" for p in include))

    def __bool__(self) -> bool:
        return self._regex is not None

    def __repr__(self) -> str:  # stable: part of the cache's run key
        return f"Globs({self.patterns!r})"

    def match(self, path: str) -> bool:
        return self._regex is not None and self._regex.match(path) is not None

    def match_or_parent(self, path: str) -> bool:
        """True when the path or one of its folders matches (``drafts`` excludes ``drafts/a.md``)."""
        if self._regex is None:
            return False
        while path:
            if self._regex.match(path) is not None:
                return True
            path = posixpath.dirname(path)
        return False

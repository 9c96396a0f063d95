"""Globs (``**``, ``*``, ``?``, ``{a,b}``) matched against root-relative POSIX paths, with a guard
against patterns whose regex could backtrack for a very long time."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable

from wcmatch import glob as wcglob
from wcmatch._wcparse import PatternLimitException

_FLAGS = wcglob.GLOBSTAR | wcglob.BRACE | wcglob.DOTGLOB | wcglob.FORCEUNIX
MAX_GLOB_LENGTH = 1024
MAX_GLOB_STARS = 24


def simple_enough(pattern: str) -> bool:
    """Refuse globs whose regex could backtrack for a very long time (``*a*a*a...``): they come
    from files in the pull request (docfx.json) as well as from the config."""
    return len(pattern) <= MAX_GLOB_LENGTH and pattern.count("*") <= MAX_GLOB_STARS and pattern.count("{") <= 8


_MAGIC = frozenset("*?[{")


def is_literal(pattern: str) -> bool:
    """A glob without wildcards, braces or classes: it matches one normalised path, itself."""
    return not _MAGIC.intersection(pattern)


def bucket(pattern: str) -> tuple[str, str | None]:
    """Where a glob can match: the folder its literal leading segments name ("" for anywhere)
    and its last segment when that is literal (None when it has wildcards)."""
    segments = pattern.split("/")
    lead: list[str] = []
    for segment in segments[:-1]:
        if not is_literal(segment) or segment == "**":
            break
        lead.append(segment)
    name = segments[-1] if is_literal(segments[-1]) and len(segments) > 1 and segments[-2] == "**" else None
    return "/".join(lead), name


class Globs:
    """A compiled set of globs (``**``, ``*``, ``?``, ``{a,b}``) matched against POSIX paths.

    A glob that is too complex to match safely raises ValueError (config) or is dropped
    (``lenient``, for docfx.json). Matching costs little however many globs there are (a
    docfx.json may list hundreds of thousands): globs without wildcards are looked up in a set,
    the others are grouped by the folder their literal segments name (and by their literal file
    name after ``**/``), and a path is matched against the groups of its own folders only.
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
        self._literals = frozenset(p for p in cleaned if is_literal(p))
        groups: dict[tuple[str, str | None], list[str]] = {}
        for pattern in dict.fromkeys(p for p in cleaned if not is_literal(p)):
            try:  # wcmatch translates the globs (each on its own: its brace expansion is limited)
                include, _exclude = wcglob.translate(pattern, flags=_FLAGS)
            except PatternLimitException:
                if lenient:
                    continue
                raise ValueError(f"glob '{pattern[:60]}' is too complex (its braces expand to too many "
                                 "globs)") from None
            groups.setdefault(bucket(pattern), []).extend(include)
        # one compiled alternation per group
        self._groups = {key: re.compile("|".join(f"(?:{p})" for p in regexes)) for key, regexes in groups.items()}
        self._folders = frozenset(folder for folder, _name in self._groups)

    def __bool__(self) -> bool:
        return bool(self._literals or self._groups)

    def __repr__(self) -> str:  # stable: part of the cache's run key
        return f"Globs({self.patterns!r})"

    def match(self, path: str) -> bool:
        if path in self._literals:
            return True
        if not self._groups:
            return False
        groups = self._groups
        name = path.rsplit("/", 1)[-1]
        folder = path
        while True:
            folder = posixpath.dirname(folder) if folder else ""
            if folder in self._folders:
                for key in ((folder, None), (folder, name)):
                    regex = groups.get(key)
                    if regex is not None and regex.match(path) is not None:
                        return True
            if not folder:
                return False

    def match_or_parent(self, path: str) -> bool:
        """True when the path or one of its folders matches (``drafts`` excludes ``drafts/a.md``)."""
        if not self:
            return False
        while path:
            if self.match(path):
                return True
            path = posixpath.dirname(path)
        return False

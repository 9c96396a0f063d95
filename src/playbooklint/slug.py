"""Heading slugs as DocFX (markdig, ``AutoIdentifierOptions.GitHub``) and GitHub compute them."""

from __future__ import annotations

from collections.abc import Iterable


def slugify(text: str) -> str:
    """Lower-case letters and digits, keep ``-`` and ``_``, a space becomes ``-``, drop the rest.

    ``"This - is a &@! heading _ with . and ! -"`` -> ``"this---is-a--heading-_-with--and---"``
    (markdig's ``LinkHelper.UrilizeAsGfm``; nothing is trimmed or collapsed).
    """
    out = []
    for ch in text:
        if ch == " ":
            out.append("-")
        elif ch.isalnum() or ch == "-" or ch == "_":
            out.append(ch.lower())
    return "".join(out)


def unique_slugs(slugs: Iterable[str]) -> list[str]:
    """Number repeated slugs the way markdig does: ``x``, ``x-1``, ``x-2`` (skipping taken ids).

    An empty slug (a heading of punctuation only) becomes ``section``, as in markdig.
    """
    seen: set[str] = set()
    tried: dict[str, int] = {}  # per base slug, the last suffix taken: linear even for 10,000 repeats
    result = []
    for slug in slugs:
        slug = slug or "section"
        candidate = slug
        n = tried.get(slug, 0)
        if n:
            candidate = f"{slug}-{n}"
        while candidate in seen:
            n += 1
            candidate = f"{slug}-{n}"
        tried[slug] = n
        seen.add(candidate)
        result.append(candidate)
    return result

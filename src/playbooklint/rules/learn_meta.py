"""Learn validation pack: metadata rules the Microsoft Learn build applies beyond the schema."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from ..clock import today
from ..model import Page, Problem
from .base import Rule
from .frontmatter import _is_checked_page

if TYPE_CHECKING:
    from ..docset import Docset

FUTURE_DAYS = 5
"""How far past today ``ms.date`` may be before the Learn build rejects it."""

_MS_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")

DEPRECATED: dict[str, str] = {
    "ms.prod": "ms.service",
    "ms.technology": "ms.subservice",
}
"""Keys Learn retired (2024) -> the key that replaces them ("" would mean: remove it)."""

LEARN_KEYS = frozenset({
    # every page
    "title", "titleSuffix", "description", "author", "ms.author", "manager", "ms.date", "ms.topic",
    "ms.service", "ms.subservice", "ms.custom", "ms.reviewer", "ms.collection", "ms.update-cycle",
    # retired, still in many pages (metadata-deprecated reports them)
    "ms.prod", "ms.technology",
    # search, localisation, discovery (ROBOTS becomes an HTML meta tag, whose name has no case)
    "keywords", "f1_keywords", "helpviewer_keywords", "ms.localizationpriority", "no-loc",
    "ROBOTS", "robots", "ms.search.keywords", "ms.search.form", "ms.search.region",
    "search.appverid", "recommendations", "adobe-target", "ai-usage",
    "ms.contentlocale", "ms.lasthandoff", "ms.openlocfilehash", "ms.sourcegitcommit",
    "ms.translationtype",
    # classification
    "ms.assetid", "ms.devlang", "dev_langs", "ms.workload", "ms.suite", "ms.component",
    "ms.tgt_pltfrm", "ms.sitesec", "ms.pagetype", "ms.mktglfcycl", "ms.audience", "audience",
    "products", "appliesto", "feedback_system", "feedback_product_url", "feedback_help_link_url",
    "feedback_help_link_type", "searchScope", "hideEdit", "layout",
    # structure, versions, reference pages
    "uid", "zone_pivot_groups", "monikerRange", "breadcrumb_path", "toc_rel",
    "contributors_to_exclude", "api_name", "api_location", "api_type", "topic_type",
    "product_family_name",
    # PlatyPS cmdlet help (PowerShell reference)
    "external help file", "Module Name", "Module Guid", "online version", "schema", "applicable",
    "Download Help Link", "Help Version",
})
"""Metadata keys Microsoft Learn pages commonly carry, written as Learn writes them."""

_SEPARATORS = re.compile(r"[\s._-]+")


def _ms_date(value: object) -> _dt.date | None:
    """A real ``M/D/YYYY`` date, else None (metadata-invalid reports the rest)."""
    if not isinstance(value, str):
        return None
    match = _MS_DATE.fullmatch(value.strip())
    if not match:
        return None
    month, day, year = (int(g) for g in match.groups())
    try:
        return _dt.date(year, month, day)
    except ValueError:
        return None


def _position(page: Page, key: str) -> tuple[int, int] | None:
    return next(((k.line, k.column) for k in page.meta_keys if k.name == key), None)


def metadata_date_future(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    ``ms.date`` (the page's own, or from ``docfx.json`` metadata) set more than 5 days after
    today. The finding points at the key's line; a date that only ``docfx.json`` supplies is
    reported on the page's first line.

    Why
    ``ms.date`` is the date of the page's last review. The Learn build rejects a date more than
    a few days in the future: usually a typo in the year or a month and day swapped
    (``12/5/2026`` meant as 5 December, written on the 12th of May).

    Example
    ``ms.date: 11/24/2062`` on a page written in 2026.

    Use instead
    The date you reviewed the page: today or earlier, ``M/D/YYYY`` (``11/24/2026``).

    Options
    Up to 5 days ahead passes (time zones, a publish planned for next week). A date that is not a
    real ``M/D/YYYY`` date is ``metadata-invalid``'s, not reported here. ``PLAYBOOKLINT_TODAY``
    (``YYYY-MM-DD``) sets the date judged from, to reproduce another day's run.
    """
    if not _is_checked_page(page, docset) or page.problems:
        return
    value = docset.metadata(page.path).get("ms.date")
    date = _ms_date(value)
    if date is None:
        return
    now = today()
    ahead = (date - now).days
    if ahead <= FUTURE_DAYS:
        return
    message = (f"ms.date '{value}' is {ahead} days after today ({now.month}/{now.day}/{now.year}); "
               f"Learn rejects a date more than {FUTURE_DAYS} days ahead")
    found = _position(page, "ms.date")
    if found is None:
        yield Problem(1, 1, message + " (value from docfx.json metadata)")
    else:
        yield Problem(*found, message)


def deprecated_keys(docset: Docset) -> dict[str, str]:
    """Retired key -> replacement: the built-in list with config ``deprecated-metadata`` over it."""
    return {**DEPRECATED, **docset.config.deprecated_metadata}


def metadata_deprecated(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    A front matter key Microsoft Learn retired: ``ms.prod`` (now ``ms.service``) and
    ``ms.technology`` (now ``ms.subservice``), retired in 2024. The finding is on the key's line
    and names its replacement.

    Why
    Learn classifies pages by ``ms.service`` and ``ms.subservice`` now; a retired key no longer
    does that job, so a page that carries only the old one is missing from its product's
    reports and filters.

    Example
    ``ms.prod: azure``

    Use instead
    ``ms.service: azure`` (with the service slug Learn lists for your product); ``ms.technology``
    becomes ``ms.subservice``.

    Options
    Config ``[deprecated-metadata]`` maps more retired keys to their replacement, merged over the
    built-in list; an empty replacement means "remove it"::

        [deprecated-metadata]
        "ms.suite" = ""
        "ms.prod" = "ms.service"

    Only keys written in a page's own front matter are reported: ``docfx.json`` metadata is the
    repository owner's, and changing it is a separate decision. A key the docset's page schema
    declares (its ``properties``) is not reported: the schema says the docset uses it (the bundled
    playbook schema declares ``ms.prod``).
    """
    if not _is_checked_page(page, docset) or page.problems or not page.meta_keys:
        return
    retired = deprecated_keys(docset)
    declared = docset.schema.get("properties")
    declared = declared if isinstance(declared, dict) else {}
    for key in page.meta_keys:
        if key.name not in retired or key.name in declared:
            continue
        replacement = retired[key.name]
        advice = f"use '{replacement}' instead" if replacement else "remove it"
        yield Problem(key.line, key.column, f"metadata '{key.name}' is retired on Microsoft Learn; {advice}")


def _normal(key: str) -> str:
    """Lower case, every run of space, dot, underscore or hyphen as one dot."""
    return _SEPARATORS.sub(".", key.strip().lower())


def _one_letter_apart(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one letter: inserted, dropped, replaced, or two
    neighbours swapped. Digits and punctuation never count (``ms.date2``, ``ms:assetid`` are
    other keys), nor a final ``s`` (``product``/``products`` are different keys)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    start = 0
    while start < len(a) and a[start] == b[start]:
        start += 1
    if len(a) < len(b):  # one letter inserted into a at start
        extra = b[start]
        if a[start:] != b[start + 1:] or not extra.isalpha():
            return False
        return not (extra == "s" and start == len(a))
    if a[start + 1:] == b[start + 1:]:  # one letter replaced
        return a[start].isalpha() and b[start].isalpha()
    return (start + 1 < len(a) and a[start] == b[start + 1] and a[start + 1] == b[start]
            and a[start + 2:] == b[start + 2:] and a[start].isalpha() and b[start].isalpha())


MIN_FUZZY_LENGTH = 6
"""Keys shorter than this are matched only by case and separators (``titel`` is too close to
too much)."""


_KNOWN: WeakKeyDictionary[Docset, frozenset[str]] = WeakKeyDictionary()


def known_keys(docset: Docset) -> frozenset[str]:
    """Keys that are right as written: Learn's common keys, the page schema's ``properties``,
    keys ``docfx.json`` metadata sets, and retired keys and their replacements. Gathered once per
    docset (a docfx.json may set hundreds of thousands)."""
    found = _KNOWN.get(docset)
    if found is None:
        found = _KNOWN[docset] = frozenset(_known_keys(docset))
    return found


def _known_keys(docset: Docset) -> set[str]:
    known = set(LEARN_KEYS)
    properties = docset.schema.get("properties")
    if isinstance(properties, dict):
        known.update(str(k) for k in properties)
    known.update(str(k) for k in docset.docfx.global_metadata)
    known.update(str(key) for key, _globs, _value in docset.docfx.file_metadata)
    for old, new in deprecated_keys(docset).items():
        known.add(old)
        if new:
            known.add(new)
    return known


def near_misses(key: str, known: set[str] | frozenset[str]) -> list[str]:
    """Known keys ``key`` looks like a misspelling of (none when it is known itself)."""
    if key in known:
        return []
    return list(_near_misses(key, frozenset(known)))


@lru_cache(maxsize=4096)
def _near_misses(key: str, known: frozenset[str]) -> tuple[str, ...]:
    # a docset has a few dozen distinct keys over thousands of pages: each is judged once
    normal = _normal(key)
    normals = _normals(known)
    same = sorted(k for k, n in normals if n == normal)
    if same:
        return tuple(same)
    if len(normal) < MIN_FUZZY_LENGTH:
        return ()
    return tuple(sorted(k for k, n in normals if len(k) >= MIN_FUZZY_LENGTH and _one_letter_apart(normal, n)))


@lru_cache(maxsize=64)
def _normals(known: frozenset[str]) -> tuple[tuple[str, str], ...]:
    return tuple((k, _normal(k)) for k in known)


def metadata_key_typo(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    A front matter key that is a near miss of a known key: the same key in other case or with
    other separators (``Title``, ``ms-date``, ``ms_date``, ``ms. service``), or, for keys of six
    characters or more, one letter dropped, added, replaced or swapped (``ms.autor``,
    ``manger``). Known keys are Learn's common metadata, the page schema's ``properties`` and the
    keys ``docfx.json`` metadata sets.

    Why
    Metadata keys are matched exactly: a misspelt key is published as an unknown key and the
    value it was meant to set is missing (or inherited from ``docfx.json``) without a word.

    Example
    ``ms.autor: jdoe`` -> ``metadata 'ms.autor' looks like a misspelling of 'ms.author'``.

    Use instead
    ``ms.author: jdoe``

    Options
    A key that merely is not in the schema is not reported, nor one that differs from a known key
    by a digit, punctuation other than space, dot, underscore or hyphen, or a final ``s``
    (``ms.date2``, ``ms:assetid``, ``product``): those are other keys. Add your own keys to the
    schema's ``properties`` (config ``schema``) and their near misses are reported too.
    """
    if not _is_checked_page(page, docset) or page.problems or not page.meta_keys:
        return
    known = known_keys(docset)
    for key in page.meta_keys:
        found = near_misses(key.name, known)
        if found:
            names = " or ".join(f"'{k}'" for k in found[:2])
            yield Problem(key.line, key.column, f"metadata '{key.name}' looks like a misspelling of {names}")


def _title_key(docset: Docset, page: Page) -> tuple[str, str, str] | None:
    """What makes two pages' titles the same: title, titleSuffix and monikerRange (pages for
    different versions may share a title)."""
    metadata = docset.metadata(page.path)
    title = metadata.get("title")
    if not isinstance(title, str) or not title.strip():
        return None
    suffix, monikers = metadata.get("titleSuffix"), metadata.get("monikerRange")
    return (" ".join(title.split()).casefold(),
            " ".join(suffix.split()).casefold() if isinstance(suffix, str) else "",
            str(monikers).strip() if monikers is not None else "")


def title_duplicate(docset: Docset) -> Iterable[Problem]:
    """What it checks
    Two or more published pages of the docset with the same ``title`` (front matter merged with
    ``docfx.json`` metadata; compared ignoring case, surrounding spaces and runs of spaces, which
    HTML shows as one). Each page of a group gets a finding on its ``title`` line naming another
    (and how many more); a title that only ``docfx.json`` gives is reported on the first line.

    Why
    The title is what search results, browser tabs and link previews show. Two pages with the
    same title cannot be told apart there; usually one was copied from the other and never
    renamed.

    Example
    ``security/overview.md`` and ``reliability/overview.md`` both with ``title: Overview``.

    Use instead
    Titles that say what each page is: ``title: Security overview`` and
    ``title: Reliability overview``.

    Options
    Every published page counts (index and landing pages too, include files and unpublished
    files not), but findings are reported only for the files checked. Pages whose
    ``titleSuffix`` or ``monikerRange`` differ are not duplicates: their titles differ on the
    site, or they are versions of one page. Default severity is warning.
    """
    groups: dict[tuple[str, str, str], list[Page]] = {}
    for page in docset.markdown_pages():
        if not _is_checked_page(page, docset) or page.problems:
            continue
        key = _title_key(docset, page)
        if key is not None:
            groups.setdefault(key, []).append(page)
    for pages in groups.values():
        if len(pages) < 2:
            continue
        for page in pages:
            if not docset.is_selected(page.path):
                continue
            others = [p.path for p in pages if p is not page]
            title = str(docset.metadata(page.path)["title"]).strip()
            more = f" (and {len(others) - 1} more)" if len(others) > 1 else ""
            line, column = _position(page, "title") or (1, 1)
            yield Problem(line, column, f"title '{title}' is also the title of '{others[0]}'{more}",
                          path=page.path)


RULES = (
    Rule("PB105", "metadata-date-future", "error", "page", metadata_date_future,
         "ms.date more than 5 days after today: the Learn build rejects it.", learn=True),
    Rule("PB106", "metadata-deprecated", "warning", "page", metadata_deprecated,
         "A metadata key Learn retired (ms.prod, ms.technology): use its replacement.", learn=True),
    Rule("PB107", "metadata-key-typo", "error", "page", metadata_key_typo,
         "A front matter key that is a near miss of a known key (ms.autor, Title).", learn=True),
    Rule("PB108", "title-duplicate", "warning", "docset", title_duplicate,
         "Two or more published pages with the same title.", learn=True),
)

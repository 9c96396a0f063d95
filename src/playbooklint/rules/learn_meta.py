"""Learn validation pack: metadata rules the Microsoft Learn build applies beyond the schema."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

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


RULES = (
    Rule("PB105", "metadata-date-future", "error", "page", metadata_date_future,
         "ms.date more than 5 days after today: the Learn build rejects it.", learn=True),
    Rule("PB106", "metadata-deprecated", "warning", "page", metadata_deprecated,
         "A metadata key Learn retired (ms.prod, ms.technology): use its replacement.", learn=True),
)

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


RULES = (
    Rule("PB105", "metadata-date-future", "error", "page", metadata_date_future,
         "ms.date more than 5 days after today: the Learn build rejects it.", learn=True),
)

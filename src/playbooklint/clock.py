"""Today's date: the one clock rules read. ``PLAYBOOKLINT_TODAY=YYYY-MM-DD`` sets it (tests, or
re-running yesterday's CI check as it ran then); otherwise it is the local date."""

from __future__ import annotations

import datetime as _dt
import os

from .config import ConfigError

ENV = "PLAYBOOKLINT_TODAY"


def today() -> _dt.date:
    """The date rules judge "now" by; ConfigError when ``PLAYBOOKLINT_TODAY`` is not a date."""
    value = os.environ.get(ENV, "").strip()
    if not value:
        return _dt.date.today()
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{ENV}={value!r} is not a date; write it YYYY-MM-DD") from None

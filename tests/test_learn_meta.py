"""The Learn metadata rules (PB105-PB108) beyond their fixtures: the clock they read, their config
key, when the pack runs by default, the cache, and the near-miss matcher's edges."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import write_tree
from playbooklint.api import lint_text
from playbooklint.cli import main
from playbooklint.clock import today
from playbooklint.config import ConfigError

PAGE = "---\ntitle: {title}\ndescription: D\nms.date: {date}\n---\n# Page\n"


def test_today_is_the_local_date_unless_the_environment_sets_it(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("PLAYBOOKLINT_TODAY", raising=False)
    assert today() == dt.date.today()
    monkeypatch.setenv("PLAYBOOKLINT_TODAY", "2024-02-29")
    assert today() == dt.date(2024, 2, 29)
    monkeypatch.setenv("PLAYBOOKLINT_TODAY", "  ")
    assert today() == dt.date.today()
    monkeypatch.setenv("PLAYBOOKLINT_TODAY", "2/29/2024")
    with pytest.raises(ConfigError, match="PLAYBOOKLINT_TODAY"):
        today()


def test_a_bad_today_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    write_tree(tmp_path, {"docfx.json": "{}", "index.md": PAGE.format(title="T", date="1/1/2020")})
    monkeypatch.setenv("PLAYBOOKLINT_TODAY", "tomorrow")
    assert main(["check", str(tmp_path), "--no-cache"]) == 2
    assert "PLAYBOOKLINT_TODAY='tomorrow' is not a date" in capsys.readouterr().err
    with pytest.raises(ConfigError):
        lint_text(PAGE.format(title="T", date="1/1/2020"))

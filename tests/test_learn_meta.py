"""The Learn metadata rules (PB105-PB108) beyond their fixtures: the clock they read, their config
key, when the pack runs by default, the cache, and the near-miss matcher's edges."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import brief, run, write_tree
from playbooklint.api import lint_text
from playbooklint.cli import main
from playbooklint.clock import today
from playbooklint.config import ConfigError, load_config
from playbooklint.engine import RunOptions, lint
from playbooklint.rules.learn_meta import LEARN_KEYS, near_misses

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


@pytest.mark.parametrize(("now", "fires"), [
    ("2025-06-15", False),  # the same day
    ("2025-06-10", False),  # 5 days ahead
    ("2025-06-09", True),   # 6 days ahead
    ("2026-01-01", False),  # long past
])
def test_future_is_counted_from_today(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, now: str, fires: bool):
    write_tree(tmp_path, {"page.md": PAGE.format(title="T", date="6/15/2025")})
    monkeypatch.setenv("PLAYBOOKLINT_TODAY", now)
    assert brief(run(tmp_path, rules=("metadata-date-future",))) == (["4:1 PB105"] if fires else [])


def test_the_real_date_is_used_without_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("PLAYBOOKLINT_TODAY", raising=False)
    soon, later = (dt.date.today() + dt.timedelta(days=n) for n in (5, 6))
    write_tree(tmp_path, {"soon.md": PAGE.format(title="S", date=f"{soon.month}/{soon.day}/{soon.year}"),
                          "later.md": PAGE.format(title="L", date=f"{later.month}/{later.day}/{later.year}")})
    assert brief(run(tmp_path, rules=("metadata-date-future",))) == ["later.md:4:1 PB105"]


def test_cached_findings_are_not_reused_on_another_day(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = write_tree(tmp_path / "docs", {"docfx.json": "{}", "index.md": PAGE.format(title="T", date="6/15/2025")})
    monkeypatch.setenv("PLAYBOOKLINT_TODAY", "2025-06-01")
    early = lint([root], options=RunOptions(cache=True, select=("PB105",))).diagnostics
    monkeypatch.setenv("PLAYBOOKLINT_TODAY", "2025-06-14")
    late = lint([root], options=RunOptions(cache=True, select=("PB105",))).diagnostics
    assert [d.code for d in early] == ["PB105"] and late == []


def test_the_pack_runs_by_default_only_where_docfx_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PLAYBOOKLINT_TODAY", "2025-06-15")
    pages = {"a.md": "---\ntitle: Same\ndescription: D\nms.date: 1/1/2030\nms.prod: x\nms.autor: me\n---\n",
             "b.md": PAGE.format(title="same", date="1/1/2020")}
    plain = write_tree(tmp_path / "plain", pages)
    built = write_tree(tmp_path / "built", {**pages, "docfx.json": "{}"})
    pack = {"PB105", "PB106", "PB107", "PB108"}
    assert not {d.code for d in run(plain)} & pack
    assert {d.code for d in run(built)} & pack == pack
    # [rules] switches either way
    assert {d.code for d in run(plain, rules=("metadata-key-typo",))} == {"PB107"}
    write_tree(built, {".playbooklint.toml": "[rules]\nPB105 = 'off'\ntitle-duplicate = false\n"})
    assert {d.code for d in run(built)} & pack == {"PB106", "PB107"}


def test_title_duplicate_reports_only_the_files_asked_about(tmp_path: Path):
    write_tree(tmp_path, {"a.md": PAGE.format(title="Same", date="1/1/2020"),
                          "b.md": PAGE.format(title="Same", date="1/1/2020"),
                          "c.md": PAGE.format(title="Same", date="1/1/2020")})
    found = run(tmp_path, "b.md", rules=("title-duplicate",))
    assert [(d.path, d.message) for d in found] == [("b.md", "title 'Same' is also the title of 'a.md' (and 1 more)")]


def test_deprecated_metadata_config(tmp_path: Path):
    path = write_tree(tmp_path, {".playbooklint.toml": "[deprecated-metadata]\n'ms.suite' = ''\n"}) / ".playbooklint.toml"
    assert load_config(path).deprecated_metadata == {"ms.suite": ""}
    path.write_text("[deprecated-metadata]\n'ms.suite' = 1\n")
    with pytest.raises(ConfigError, match="deprecated-metadata"):
        load_config(path)
    path.write_text("[deprecated-metadata]\n'' = 'x'\n")
    with pytest.raises(ConfigError, match="deprecated-metadata"):
        load_config(path)


def test_messages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PLAYBOOKLINT_TODAY", "2025-06-15")
    write_tree(tmp_path, {
        "page.md": "---\ntitle: T\nms.date: 7/1/2025\nms.prod: x\nms.autor: me\n---\n",
        ".playbooklint.toml": "[deprecated-metadata]\n'ms.suite' = ''\n",
        "other.md": "---\ntitle: Other\nms.suite: x\n---\n",
    })
    found = run(tmp_path, rules=("metadata-date-future", "metadata-deprecated", "metadata-key-typo"))
    assert [d.message for d in found] == [
        "metadata 'ms.suite' is retired on Microsoft Learn; remove it",
        "ms.date '7/1/2025' is 16 days after today (6/15/2025); Learn rejects a date more than 5 days ahead",
        "metadata 'ms.prod' is retired on Microsoft Learn; use 'ms.service' instead",
        "metadata 'ms.autor' looks like a misspelling of 'ms.author'",
    ]


KNOWN = set(LEARN_KEYS)


@pytest.mark.parametrize(("key", "expected"), [
    ("ms.autor", ["ms.author"]),
    ("ms.authorr", ["ms.author"]),
    ("ms.atuhor", ["ms.author"]),          # two neighbours swapped
    ("ms.date", []),                       # known
    ("MS.DATE", ["ms.date"]),
    ("ms - date", ["ms.date"]),
    ("TitleSuffix", ["titleSuffix"]),
    ("titel", []),                         # too short to guess
    ("ms.date2", []),                      # a digit: another key
    ("ms.dat3", []),
    ("ms:assetid", []),                    # other punctuation: another namespace
    ("product", []),                       # a final s: another key
    ("ms.reviewers", []),
    ("contoso.team", []),                  # merely unknown
    ("ms.servie", ["ms.service"]),
    ("description ", ["description"]),     # spaces around count as separators
])
def test_near_misses(key: str, expected: list[str]):
    assert near_misses(key, KNOWN) == expected

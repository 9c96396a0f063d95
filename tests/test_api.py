"""The public API: typed, keyword-only, never prints, leaves the process as it found it."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

import playbooklint
from playbooklint import Config, ConfigError, Diagnostic, Result, lint, lint_text

PAGE = "---\ntitle: {title}\ndescription: d\nms.date: 9/28/2019\n---\n# {title}\n\n{body}\n"


def test_lint_text_resolves_links_and_anchors_between_in_memory_pages():
    other = PAGE.format(title="Assess", body="## Exit criteria\n\nText.")
    index = PAGE.format(title="Home", body="[exit](assess.md#exit-critera) and [ok](assess.md#exit-criteria)")
    found = lint_text(index, path="index.md", files={"assess.md": other},
                      config=Config(rules={"metadata-required": {"severity": "off"}}))
    anchors = [d for d in found if d.rule == "link-anchor-missing"]
    assert [(d.path, d.line, d.column) for d in anchors] == [("index.md", 8, 1)]
    assert "did you mean '#exit-criteria'" in anchors[0].message
    assert all(isinstance(d, Diagnostic) for d in found)


def test_lint_text_reports_only_the_page_given_and_sees_missing_files():
    index = PAGE.format(title="Home", body="[gone](nowhere.md) [there](b.md)")
    broken_neighbour = PAGE.format(title="B", body="[also gone](missing.md)")
    found = lint_text(index, files={"b.md": broken_neighbour}, config=Config(rules={"PB103": False}))
    assert {d.path for d in found} == {"index.md"}
    assert [d.rule for d in found] == ["link-broken"]


def test_lint_text_resolves_includes_from_memory():
    index = PAGE.format(title="Home", body="[!INCLUDE [x](includes/part.md)]\n\n[!INCLUDE [y](includes/gone.md)]")
    found = lint_text(index, files={"includes/part.md": "Shared text.\n"}, config=Config(rules={"PB103": False}))
    assert [(d.rule, d.line) for d in found] == [("include-missing", 10)]


def test_lint_text_applies_docfx_metadata_from_memory():
    page = "---\ntitle: t\n---\n# T\n"
    docfx = '{"build": {"globalMetadata": {"description": "d", "ms.date": "1/2/2020"}}}'
    strict = Config(schema=None)
    without = {d.message for d in lint_text(page, config=strict) if d.rule == "metadata-required"}
    with_docfx = {d.message for d in lint_text(page, files={"docfx.json": docfx}, config=strict)
                  if d.rule == "metadata-required"}
    assert any("'description'" in m for m in without)
    assert not any("'description'" in m or "'ms.date'" in m for m in with_docfx)


def _docset(root: Path) -> Path:
    root.mkdir()
    (root / "index.md").write_text(PAGE.format(title="Home", body="[x](gone.md)"), encoding="utf-8")
    return root


def test_lint_returns_a_result_and_leaves_the_garbage_collector_alone(tmp_path: Path):
    root = _docset(tmp_path / "docs")
    for state in (True, False):
        (gc.enable if state else gc.disable)()
        try:
            result = lint([root], cache=False, jobs=1)
            assert gc.isenabled() is state
        finally:
            gc.enable()
        assert isinstance(result, Result)
        assert "link-broken" in {d.rule for d in result.diagnostics}


def test_lint_options_are_keyword_only_and_select_rules(tmp_path: Path):
    root = _docset(tmp_path / "docs")
    with pytest.raises(TypeError):
        lint([root], None)  # type: ignore[misc]
    result = lint([root], cache=False, select=["PB201"])
    assert {d.rule for d in result.diagnostics} == {"link-broken"}


def test_lint_with_a_missing_config_file_raises_config_error(tmp_path: Path):
    root = _docset(tmp_path / "docs")
    with pytest.raises(ConfigError):
        lint([root], config=tmp_path / "nope.toml")


def test_the_package_is_typed():
    assert (Path(playbooklint.__file__).parent / "py.typed").is_file()

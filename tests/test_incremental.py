"""Incremental runs: a page's findings are reused only while nothing they depend on changed.

The stateful property test edits, adds, renames and deletes pages, include files, images, TOCs,
redirects and settings between runs, and checks after each step that the incremental run (warm
cache) reports exactly what a run from scratch (no cache) reports; sometimes for the whole docset,
sometimes for a few named files (a pre-commit run).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from conftest import write_tree
from playbooklint.engine import RunOptions, lint
from playbooklint.rules import runner

PAGES = ["index.md", "a.md", "b.md", "sub/c.md", "sub/index.md", "Other.md"]
INCLUDES = ["includes/i1.md", "includes/i2.md"]
HEADINGS = ["Intro", "Setup", "Next steps", "Setup", "FAQ"]
TARGETS = [
    "a.md", "b.md", "sub/c.md", "sub/", "sub", "../a.md", "c.md", "other.md", "Other.md", "B.md", "missing.md",
    "~/a.md", "~/sub/c.md", "/docs/b", "/docs/sub/c", "old.md", "media/x.png", "media/y.png", "#setup", "",
]
FRAGMENTS = ["", "#intro", "#setup", "#setup-1", "#next-steps", "#faq", "#included-setup", "#included-faq", "#nope"]


def _page(draw: st.DrawFn, includes: bool = True) -> str:
    lines = []
    if draw(st.booleans()):
        lines += ["---", f"title: {draw(st.sampled_from(['A page', 'Same', 'Other']))}",
                  "ms.date: 01/02/2024" if draw(st.booleans()) else "description: x", "---"]
    for _ in range(draw(st.integers(0, 3))):
        lines.append(f"{'#' * draw(st.integers(1, 3))} {draw(st.sampled_from(HEADINGS))}")
        lines.append("")
        for _ in range(draw(st.integers(0, 3))):
            target = draw(st.sampled_from(TARGETS))
            fragment = draw(st.sampled_from(FRAGMENTS)) if not target.endswith(".png") else ""
            image = "!" if target.endswith(".png") and draw(st.booleans()) else ""
            lines.append(f"See {image}[link]({target}{fragment}).")
        if includes and draw(st.booleans()):
            lines.append(f"[!INCLUDE [x]({draw(st.sampled_from(['includes/i1.md', 'includes/i2.md', 'includes/no.md']))})]")
        if draw(st.integers(0, 5)) == 0:
            lines.append("<!-- playbooklint-disable-next-line link-broken -->")
        lines.append("")
    return "\n".join(lines) + "\n"


@st.composite
def page_text(draw: st.DrawFn) -> str:
    return _page(draw)


@st.composite
def include_text(draw: st.DrawFn) -> str:
    text = f"## Included {draw(st.sampled_from(['Setup', 'FAQ']))}\n\n"
    if draw(st.booleans()):
        text += f"[back](../{draw(st.sampled_from(['a.md', 'b.md', 'gone.md']))}{draw(st.sampled_from(FRAGMENTS))})\n"
    if draw(st.integers(0, 3)) == 0:
        text += "[!INCLUDE [y](i2.md)]\n"
    return text


def _toc(draw: st.DrawFn) -> str:
    entries = draw(st.lists(st.sampled_from(PAGES + ["missing.md", "sub/"]), max_size=4))
    return "".join(f"- name: {name}\n  href: {name}\n" for name in entries) or "- name: Home\n  href: index.md\n"


@st.composite
def toc_text(draw: st.DrawFn) -> str:
    return _toc(draw)


CONFIGS = [
    None,
    '[rules]\n"link-case-mismatch" = "error"\n',
    '[rules]\n"orphan-page" = false\n"link-anchor-missing" = "warning"\n',
    'exclude = ["sub/**"]\n',
    'url-base = "/docs/"\n',
]


class IncrementalMatchesScratch(RuleBasedStateMachine):
    """After any sequence of changes, the warm incremental run equals a run from scratch."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="pbl-incr-"))
        self.root = self.folder / "docs"
        self.cache = self.folder / "cache"

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    @initialize(pages=st.lists(page_text(), min_size=len(PAGES), max_size=len(PAGES)),
                includes=st.lists(include_text(), min_size=2, max_size=2), toc=toc_text(),
                docfx=st.booleans())
    def start(self, pages: list[str], includes: list[str], toc: str, docfx: bool) -> None:
        files: dict[str, str | bytes] = dict(zip(PAGES, pages))
        files.update(zip(INCLUDES, includes))
        files["toc.yml"] = toc
        files["media/x.png"] = b"png"
        if docfx:
            files["docfx.json"] = json.dumps({"build": {"content": [{"files": ["**/*.md", "**/*.yml"]}]}})
        write_tree(self.root, files)
        self.compare()

    def _existing(self) -> list[str]:
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file())

    @rule(name=st.sampled_from(PAGES + INCLUDES), data=st.data())
    def edit(self, name: str, data: st.DataObject) -> None:
        text = data.draw(include_text() if name.startswith("includes/") else page_text())
        write_tree(self.root, {name: text})

    @rule(name=st.sampled_from(PAGES + INCLUDES + ["media/x.png", "toc.yml", "sub/index.md"]))
    def delete(self, name: str) -> None:
        (self.root / name).unlink(missing_ok=True)

    @rule(source=st.sampled_from(PAGES + INCLUDES + ["media/x.png"]),
          destination=st.sampled_from(["old.md", "c.md", "sub/new.md", "other.md", "media/y.png", "includes/i3.md",
                                  "sub/c.md", "b.md"]))
    def rename(self, source: str, destination: str) -> None:
        path = self.root / source
        if path.exists() and not (self.root / destination).exists():
            (self.root / destination).parent.mkdir(parents=True, exist_ok=True)
            path.rename(self.root / destination)

    @rule(toc=toc_text())
    def edit_toc(self, toc: str) -> None:
        write_tree(self.root, {"toc.yml": toc})

    @rule(config=st.sampled_from(CONFIGS))
    def configure(self, config: str | None) -> None:
        path = self.root / ".playbooklint.toml"
        if config is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(config, encoding="utf-8")

    @rule(redirect=st.sampled_from(["old.md", "b.md", None]))
    def redirect(self, redirect: str | None) -> None:
        path = self.root / ".openpublishing.redirection.json"
        if redirect is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(json.dumps({"redirections": [
                {"source_path": redirect, "redirect_url": "/docs/a"}]}), encoding="utf-8")

    @invariant()
    def same_findings(self) -> None:
        self.compare()

    def compare(self) -> None:
        existing = [p for p in self._existing() if p.endswith(".md")]
        named_sets: list[list[Path] | None] = [None]
        if existing:
            named_sets.append([self.root / p for p in existing[:2]])
        for named in named_sets:
            paths = named or [self.root]
            warm = lint(paths, options=RunOptions(jobs=1, cache_dir=self.cache))
            cold = lint(paths, options=RunOptions(jobs=1, cache=False))
            assert _findings(warm) == _findings(cold), f"files: {self._existing()}"


def _findings(result: object) -> list[tuple[str, int, int, str, str, str]]:
    return [(d.path, d.line, d.column, d.code, d.severity, d.message) for d in result.diagnostics]  # type: ignore[attr-defined]


IncrementalMatchesScratch.TestCase.settings = settings(
    max_examples=40, stateful_step_count=8, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_incremental_matches_scratch = IncrementalMatchesScratch.TestCase


# --------------------------------------------------------------------------- what is rechecked

@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages whose incremental page rules ran, in the last run."""
    seen: list[str] = []
    original = runner._check_page

    def spy(rule, severity, docset, path, out):  # type: ignore[no-untyped-def]
        if rule.name == "link-broken":
            seen.append(path)
        return original(rule, severity, docset, path, out)

    monkeypatch.setattr(runner, "_check_page", spy)
    return seen


def _run(root: Path, cache: Path, checked: list[str]) -> list[tuple[str, str]]:
    checked.clear()
    result = lint([root], options=RunOptions(jobs=1, cache_dir=cache, select=("link-broken", "link-anchor-missing")))
    return [(d.path, d.rule) for d in result.diagnostics]


def test_an_edit_rechecks_the_page_and_the_pages_that_link_to_it(tmp_path: Path, checked: list[str]) -> None:
    root = write_tree(tmp_path / "docs", {
        "index.md": "# Home\n\n[a](a.md) [b](b.md#setup) [c](c.md)\n",
        "a.md": "# A\n\n[home](index.md)\n",
        "b.md": "# B\n\n## Setup\n\n[home](index.md)\n",
        "c.md": "# C\n\n[home](index.md)\n",
    })
    cache = tmp_path / "cache"
    assert _run(root, cache, checked) == []
    assert sorted(checked) == ["a.md", "b.md", "c.md", "index.md"]
    (root / "b.md").write_text("# B\n\n## Install\n\n[home](index.md)\n", encoding="utf-8")
    assert _run(root, cache, checked) == [("index.md", "link-anchor-missing")]
    assert sorted(checked) == ["b.md", "index.md"]  # a.md and c.md link only to index.md, which did not change
    (root / "c.md").write_text("# C\n\n[home](index.md)\n\nMore.\n", encoding="utf-8")
    assert _run(root, cache, checked) == [("index.md", "link-anchor-missing")]
    assert checked == ["c.md"]  # index.md links to c.md without an anchor: only that c.md exists matters


def test_deleting_a_page_rechecks_exactly_the_pages_that_pointed_at_it(tmp_path: Path, checked: list[str]) -> None:
    root = write_tree(tmp_path / "docs", {
        "index.md": "# Home\n\n[a](a.md) [b](b.md)\n",
        "a.md": "# A\n\n[b](b.md)\n",
        "b.md": "# B\n\n[a](a.md)\n",
        "c.md": "# C\n\n[a](a.md)\n",
        "d.md": "# D\n\n[a](a.md)\n",
    })
    cache = tmp_path / "cache"
    _run(root, cache, checked)
    (root / "b.md").unlink()
    found = _run(root, cache, checked)
    assert sorted(checked) == ["a.md", "index.md"]
    assert ("a.md", "link-broken") in found and ("index.md", "link-broken") in found
    (root / "a.md").rename(root / "renamed.md")
    found = _run(root, cache, checked)
    # the pages that pointed at a.md, and a.md's new name (a new file); b.md's broken links may now resolve
    assert sorted(checked) == ["c.md", "d.md", "index.md", "renamed.md"]
    assert ("c.md", "link-broken") in found


def test_adding_the_missing_page_rechecks_the_pages_with_broken_links(tmp_path: Path, checked: list[str]) -> None:
    root = write_tree(tmp_path / "docs", {
        "index.md": "# Home\n\n[a](a.md) [new](new/)\n",
        "a.md": "# A\n\n[home](index.md)\n",
    })
    cache = tmp_path / "cache"
    assert _run(root, cache, checked) == [("index.md", "link-broken")]
    write_tree(root, {"new/index.md": "# New\n\n[home](../index.md)\n"})
    assert _run(root, cache, checked) == []
    assert sorted(checked) == ["index.md", "new/index.md"]


def test_a_settings_change_rechecks_everything(tmp_path: Path, checked: list[str]) -> None:
    root = write_tree(tmp_path / "docs", {"index.md": "# Home\n\n[a](a.md)\n", "a.md": "# A\n\n[home](index.md)\n"})
    cache = tmp_path / "cache"
    _run(root, cache, checked)
    (root / ".playbooklint.toml").write_text('[rules]\n"orphan-page" = false\n', encoding="utf-8")
    _run(root, cache, checked)
    assert sorted(checked) == ["a.md", "index.md"]


def test_a_file_outside_in_allow_outside_is_looked_at_again(tmp_path: Path) -> None:
    """A link into an allow-outside folder depends on that file, which is outside the repository:
    deleting it must not leave the last run's "no problems" in place."""
    root = write_tree(tmp_path / "docs", {
        ".playbooklint.toml": 'allow-outside = ["../samples/**"]\n',
        "index.md": "# Home\n\n[sample](../samples/app.cs)\n",
    })
    write_tree(tmp_path / "samples", {"app.cs": "class A {}\n"})
    cache = tmp_path / "cache"
    options = RunOptions(jobs=1, cache_dir=cache, select=("link-broken",))
    assert lint([root], options=options).diagnostics == []
    (tmp_path / "samples" / "app.cs").unlink()
    assert [d.rule for d in lint([root], options=options).diagnostics] == ["link-broken"]
    write_tree(tmp_path / "samples", {"app.cs": "class A {}\n"})
    assert lint([root], options=options).diagnostics == []


def test_editing_an_include_rechecks_every_page_linking_to_a_page_that_shows_it(tmp_path: Path,
                                                                                  checked: list[str]) -> None:
    root = write_tree(tmp_path / "docs", {
        "a.md": "# A\n\n[!INCLUDE [x](includes/i1.md)]\n",
        "b.md": "# B\n\n[x](a.md#included-setup)\n",
        "c.md": "# C\n\n[x](a.md#included-setup)\n",
        "d.md": "# D\n\n[x](b.md)\n",
        "includes/i1.md": "## Included Setup\n",
    })
    cache = tmp_path / "cache"
    assert _run(root, cache, checked) == []
    (root / "includes" / "i1.md").write_text("## Included FAQ\n", encoding="utf-8")
    assert _run(root, cache, checked) == [("b.md", "link-anchor-missing"), ("c.md", "link-anchor-missing")]
    assert sorted(checked) == ["a.md", "b.md", "c.md", "includes/i1.md"]


def test_unchanged_files_are_not_read_again_and_a_same_size_edit_is_seen(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose size, times and inode are those of the last run keeps its content key unread;
    any write changes its change time, so an edit of the same size is still seen."""
    import time

    from playbooklint import pages

    root = write_tree(tmp_path / "docs", {"index.md": "# Home\n\n[a](a.md)\n", "a.md": "# A\n\n[home](index.md)\n"})
    cache = tmp_path / "cache"
    later = time.time_ns() + 10_000_000_000  # as if the files were written long before the run
    monkeypatch.setattr(pages.time, "time_ns", lambda: later)
    read: list[str] = []
    original = pages.read_source

    def spy(root: str, rel: str, limit: int):  # type: ignore[no-untyped-def]
        read.append(rel)
        return original(root, rel, limit)

    monkeypatch.setattr(pages, "read_source", spy)
    options = RunOptions(jobs=1, cache_dir=cache, select=("link-broken",))
    assert lint([root], options=options).diagnostics == []  # cold: the workers read the files
    assert lint([root], options=options).diagnostics == []  # read here once, and signed
    read.clear()
    assert lint([root], options=options).diagnostics == []
    assert read == []
    stat = (root / "a.md").stat()
    (root / "a.md").write_text("# A\n\n[home](inde.md)\n", encoding="utf-8")  # same size
    os.utime(root / "a.md", ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same modification time
    assert [d.rule for d in lint([root], options=options).diagnostics] == ["link-broken"]
    assert read == ["a.md"]


def test_a_schema_file_reached_through_ref_is_part_of_the_key(tmp_path: Path) -> None:
    """Editing the file a schema's $ref names changes what the pages are checked against: the warm
    run must not return the last run's findings."""
    root = write_tree(tmp_path / "docs", {
        ".playbooklint.toml": 'schema = "schemas/page.json"\n',
        "schemas/page.json": json.dumps({"type": "object", "properties": {"title": {"$ref": "defs.json#/title"}}}),
        "schemas/defs.json": json.dumps({"title": {"type": "string"}}),
        "index.md": "---\ntitle: Home\n---\n# Home\n",
    })
    cache = tmp_path / "cache"
    options = RunOptions(jobs=1, cache_dir=cache, select=("metadata-invalid",))
    assert lint([root], options=options).diagnostics == []
    (root / "schemas" / "defs.json").write_text(json.dumps({"title": {"type": "string", "minLength": 10}}))
    assert [d.rule for d in lint([root], options=options).diagnostics] == ["metadata-invalid"]
    assert [d.rule for d in lint([root], options=RunOptions(jobs=1, cache=False, select=("metadata-invalid",))
                                 ).diagnostics] == ["metadata-invalid"]

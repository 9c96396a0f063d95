"""The editor server's checks without the protocol: a docset kept in memory and revised page by
page gives the findings a docset built from scratch gives; the open documents' texts are laid over
the files on disk; changes on disk and to the configuration are seen."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playbooklint.config import Config
from playbooklint.rules.runner import run_rules
from playbooklint.rules.settings import RuleSettings
from playbooklint.server.project import Project, is_settings_file
from playbooklint.source import parse_bytes
from playbooklint.workspace import RunOptions, docset_from_texts

PAGES = ["index.md", "a.md", "b.md", "sub/c.md", "includes/i.md", "includes/j.md"]
PIECES = [
    "# Title\n", "## Section A\n", "## Section B\n", "## Section A\n",
    "[to a](a.md#section-a)\n", "[to b](b.md#section-b)\n", "[self](#section-a)\n", "[c](sub/c.md#deep)\n",
    "[up](../index.md#title)\n", "[i](includes/i.md)\n", "[gone](gone.md)\n", "[case](A.md)\n",
    "[!INCLUDE[i](includes/i.md)]\n", "[!INCLUDE[j](includes/j.md)]\n", "[!INCLUDE[j](j.md)]\n",
    '<a id="deep"></a>\n', "### Deep\n", "<!-- playbooklint-disable-next-line link-broken -->\n", "text\n",
]
TOC = "- name: Home\n  href: index.md\n- name: A\n  href: a.md\n"


def _text(pieces: list[int]) -> str:
    return "---\ntitle: T\ndescription: D.\n---\n\n" + "".join(PIECES[i] for i in pieces)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.lists(st.lists(st.integers(0, len(PIECES) - 1), max_size=6), min_size=len(PAGES),
                      max_size=len(PAGES)),
       steps=st.lists(st.tuples(st.sampled_from(PAGES), st.lists(st.integers(0, len(PIECES) - 1), max_size=6),
                                st.sampled_from(PAGES), st.booleans()), min_size=1, max_size=8))
def test_a_docset_revised_page_by_page_reports_what_a_fresh_one_reports(start, steps):
    config = Config()
    rules = RuleSettings.from_config(config)
    texts = {rel: _text(pieces) for rel, pieces in zip(PAGES, start)}
    texts["toc.yml"] = TOC
    current = docset_from_texts(texts, "index.md", config)
    run_rules(current, rules)
    for edited, pieces, selected, linked in steps:
        texts[edited] = _text(pieces)
        page = parse_bytes(edited, texts[edited].encode())
        current = current.revised({edited: page}, frozenset({selected}))
        if linked:
            current.inbound  # noqa: B018 - as the server keeps it
        fresh = docset_from_texts(texts, selected, config)
        assert run_rules(current, rules) == run_rules(fresh, rules)
        for rel in PAGES:
            assert current.anchors_of(rel) == fresh.anchors_of(rel), rel
        assert current.inbound == fresh.inbound


def _docset(root: Path) -> Path:
    (root / "sub").mkdir(parents=True)
    (root / "docfx.json").write_text('{"build": {"content": [{"files": ["**/*.md", "**/toc.yml"]}]}}\n')
    front = "---\ntitle: {0}\ndescription: The {0} page.\nms.date: 01/02/2024\n---\n\n# {0}\n\n"
    (root / "index.md").write_text(front.format("Home") + "[a](a.md#part-one) [b](sub/b.md)\n")
    (root / "a.md").write_text(front.format("A") + "## Part one\n\n[home](index.md)\n")
    (root / "sub" / "b.md").write_text(front.format("B") + "[a](../a.md)\n")
    (root / "toc.yml").write_text("- name: Home\n  href: index.md\n- name: A\n  href: a.md\n- name: B\n"
                                  "  href: sub/b.md\n")
    return root


def _codes(found):
    assert found is not None
    return [d.code for d in found[1]]


def test_open_texts_are_laid_over_the_disk_and_disk_changes_are_seen(tmp_path):
    root = _docset(tmp_path / "docs")
    index, a = root / "index.md", root / "a.md"
    logs: list[str] = []
    project = Project(RunOptions(cache=False), log=logs.append)
    assert _codes(project.check(index, {})) == []
    assert any("read docset" in line for line in logs)
    # a's heading renamed, unsaved: index links to it
    renamed = a.read_text().replace("## Part one", "## Part two")
    assert _codes(project.check(index, {a: renamed})) == ["PB203"]
    assert _codes(project.check(index, {})) == []  # closed without saving
    # saved: seen once reported
    a.write_text(renamed)
    assert _codes(project.check(index, {})) == []  # not reported yet: the facts in memory
    assert project.files_changed([(a, "changed")])
    assert _codes(project.check(index, {})) == ["PB203"]
    # a file created and one deleted
    (root / "sub" / "b.md").unlink()
    assert project.files_changed([(root / "sub" / "b.md", "deleted")])
    assert sorted(_codes(project.check(index, {}))) == ["PB201", "PB203"]
    # the cache folder and hidden folders are not the docset's
    assert not project.files_changed([(root / ".git" / "index", "changed"),
                                      (root / ".playbooklint_cache" / "pages", "created")])
    # the configuration
    (root / ".playbooklint.toml").write_text('[rules]\nlink-anchor-missing = "off"\n')
    assert project.files_changed([(root / ".playbooklint.toml", "created")])
    assert _codes(project.check(index, {})) == ["PB201"]
    # a file no docset builds, and one outside any
    (root / "notes.txt").write_text("x\n")
    assert project.check(root / "notes.txt", {}) is None
    assert project.check(tmp_path / "elsewhere.md", {}) is None


def test_settings_files():
    for name in (".playbooklint.toml", "pyproject.toml", "docfx.json", ".openpublishing.publish.config.json",
                 ".openpublishing.redirection.json", ".openpublishing.redirection.azure.json"):
        assert is_settings_file(name)
    assert not is_settings_file("toc.yml") and not is_settings_file("redirection.json")

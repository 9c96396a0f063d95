"""The editor server's checks without the protocol: a docset kept in memory and revised page by
page gives the findings a docset built from scratch gives; the open documents' texts are laid over
the files on disk; changes on disk and to the configuration are seen."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SHARED, needs_shared
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


def _parity(root: Path, files: list[Path]) -> int:
    """Each file's findings from the server's project (nothing open) equal ``lint([file])``'s."""
    from playbooklint.api import lint

    project = Project(RunOptions(cache=False))
    by_file: dict[Path, list[tuple[str, int, int, str]]] = {}
    for result in lint(files, cache=False).results:  # one run naming every file, as pre-commit does
        for d in result.diagnostics:
            by_file.setdefault(result.root / d.path, []).append((d.rule, d.line, d.column, d.message))
    compared = 0
    for path in files:
        expected = sorted(by_file.get(path, []))
        found = project.check(path, {})
        got = sorted((d.rule, d.line, d.column, d.message) for d in found[1]) if found is not None else []
        assert got == expected, path
        compared += len(expected)
    return compared


def test_the_server_reports_what_check_reports_for_each_file_of_a_repository(tmp_path):
    from test_repository import docfx, page, publish, write_tree

    write_tree(tmp_path, {
        ".openpublishing.publish.config.json": publish("a", "b"),
        ".openpublishing.redirection.json": '{"redirections": [{"source_path": "a/old.md", "redirect_url": "/a/"}]}',
        "a/docfx.json": docfx(), "b/docfx.json": docfx(),
        "a/index.md": page("A", "[b](../b/page.md#nope) [old](old.md) [gone](gone.md) [i](includes/x.md)\n\n"
                           "[!INCLUDE[x](includes/x.md)]"),
        "a/includes/x.md": "## Included\n\n[up](../missing.md)\n",
        "a/toc.yml": "- name: A\n  href: index.md\n- name: Gone\n  href: gone.md\n",
        "b/page.md": page("Page", "[a](../a/index.md#included) [self](#nowhere)"),
        "b/orphan.md": page("Orphan"),
        "b/toc.yml": "- name: Page\n  href: page.md\n",
    })
    files = [tmp_path / rel for rel in ("a/index.md", "a/includes/x.md", "a/toc.yml", "b/page.md", "b/orphan.md")]
    assert _parity(tmp_path, files) >= 8


@needs_shared
def test_the_server_reports_what_check_reports_on_real_pages():
    root = SHARED / "corpora" / "iis-docs" / "iis"
    # pages with findings of each kind (orphan, broken link, case, duplicate title, alt text, unused
    # include, anchor, absolute link) and a clean one
    named = [
        "application-frameworks/install-and-configure-php-on-iis/configure-smtp-e-mail-in-iis-7-and-above.md",
        "publish/using-web-deploy/use-the-web-deployment-tool.md",
        "configuration/administrators/index.md",
        "configuration/system.applicationHost/applicationPools/add/environmentVariables/index.md",
        "get-started/localized-content/iis-localized-japanese-learn-articles-and-more.md",
        "includes/outdatedContentWarning.md",
        "publish/using-web-deploy/web-deploy-parameterization.md",
        "web-development-reference/native-code-api-reference/native-code-api-reference.md",
        "get-started/introduction-to-iis/iis-web-server-overview.md",
    ]
    files = [root / rel for rel in named if (root / rel).is_file()]
    assert len(files) >= 5
    assert _parity(root, files) >= 5

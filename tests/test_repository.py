"""Real repository layouts, with no configuration: a publish config with several docsets (one
nested, with its own docfx.json and redirect file), src/dest mappings, dependent repositories,
site URLs from breadcrumbs, and files no docset builds."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from conftest import write_tree
from playbooklint import lint

PAGE = "---\ntitle: {t}\ndescription: d\nms.date: 9/28/2024\n---\n# {t}\n\n{body}\n"


def page(title: str, body: str = "") -> str:
    return PAGE.format(t=title, body=body)


def docfx(breadcrumb: str | None = None, exclude: tuple[str, ...] = (), content: list | None = None) -> str:
    build: dict = {"content": content or [{"files": ["**/*.md", "**/*.yml"],
                                           "exclude": ["**/includes/**", "README.md", *exclude]}]}
    if breadcrumb:
        build["globalMetadata"] = {"breadcrumb_path": breadcrumb}
    return json.dumps({"build": build})


def publish(*folders: str, dependent: tuple[str, ...] = (), redirection_files: tuple[str, ...] = ()) -> str:
    config: dict = {"docsets_to_publish": [{"docset_name": f, "build_source_folder": f} for f in folders]}
    if dependent:
        config["dependent_repositories"] = [{"path_to_root": d, "url": "https://example.invalid/x"}
                                            for d in dependent]
    if redirection_files:
        config["redirection_files"] = list(redirection_files)
    return json.dumps(config)


def findings(root: Path, *paths: str) -> list[tuple[str, str, int, str]]:
    """(docset-qualified path, rule, line, message) of a run from ``root`` with no config."""
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = lint([Path(p) for p in paths] or [Path(".")], cache=False, jobs=1)
    finally:
        os.chdir(cwd)
    out = []
    for docset in result.results:
        where = docset.root.relative_to(root).as_posix()
        for d in docset.diagnostics:
            out.append((f"{where}/{d.path}" if where != "." else d.path, d.rule, d.line, d.message))
    return sorted(out)


def rules_at(found: list[tuple[str, str, int, str]]) -> list[tuple[str, str, int]]:
    return [(path, rule, line) for path, rule, line, _message in found]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path)


def make_repo(tmp_path: Path) -> Path:
    """A data-explorer-like repository: an outer docset with a nested one, each with its own
    docfx.json, breadcrumb and redirect file; a dependent repository for reusable content."""
    return write_tree(tmp_path, {
        ".openpublishing.publish.config.json": publish("data-explorer", "data-explorer/kusto",
                                                       dependent=("reusable-content",)),
        "README.md": "# Repo\n\n[broken](nowhere.md) [also](data-explorer/gone.md)\n",
        ".github/PULL_REQUEST_TEMPLATE.md": "[broken](nowhere.md)\n",
        "data-explorer/docfx.json": docfx("/azure/data-explorer/breadcrumb/toc.json", exclude=("kusto/**",)),
        "data-explorer/README.md": "[broken](nowhere.md)\n",
        "data-explorer/toc.yml": "- name: Home\n  href: index.md\n- name: T-SQL\n  href: t-sql.md\n"
                                 "- name: Ingest\n  href: ingest.md\n",
        "data-explorer/index.md": page("Home", "[!INCLUDE [shared](~/../reusable-content/intro.md)]\n\n"
                                               "## Start\n"),
        "data-explorer/t-sql.md": page("T-SQL", "## Limitations\n\n"
                                                "[home](/azure/data-explorer/index#whatever) "
                                                "[gone](/azure/data-explorer/ingest#finish)\n"),
        "data-explorer/ingest.md": page("Ingest", "[ok](/kusto/management/mappings?view=x#examples) "
                                                  "[stale](/kusto/management/mappings#sample)\n\n"
                                                  "[old](/kusto/management/old-page) "
                                                  "[missing](/kusto/management/no-such-page)\n\n"
                                                  "[intro](index.md#whatever-the-include-says) "
                                                  "[elsewhere](/azure/other-service/page#x)\n\n"
                                                  ":::code language=\"kusto\" source=\"~/../reusable-content/q.kql\":::\n\n"
                                                  "![diagram](~/../reusable-content/media/d.png)\n"),
        "data-explorer/.openpublishing.redirection.json": json.dumps({"redirections": [
            {"source_path": "moved.md", "redirect_url": "/azure/data-explorer/t-sql"}]}),
        "data-explorer/link-moved.md": page("Moved", "[moved](moved.md) [t](t-sql.md)"),
        "data-explorer/kusto/docfx.json": docfx("/kusto/breadcrumb/toc.json"),
        "data-explorer/kusto/toc.yml": "- name: Mappings\n  href: management/mappings.md\n",
        "data-explorer/kusto/management/mappings.md": page("Mappings", "## Examples\n\n[back](/azure/data-explorer/t-sql#limitations)"),
        "data-explorer/kusto/.openpublishing.redirection.json": json.dumps({"redirections": [
            {"source_path": "management/old-page.md", "redirect_url": "/kusto/management/mappings"}]}),
    })


def test_repository_root_with_no_config_reports_only_true_defects(repo: Path):
    found = findings(repo)
    assert rules_at(found) == [
        ("data-explorer/ingest.md", "link-anchor-missing", 8),
        ("data-explorer/ingest.md", "link-broken", 10),
        ("data-explorer/link-moved.md", "orphan-page", 1),
        ("data-explorer/t-sql.md", "link-anchor-missing", 10),
    ]
    messages = {(p, r): m for p, r, _l, m in found}
    assert "'#sample'" in messages[("data-explorer/ingest.md", "link-anchor-missing")]
    assert "kusto" in messages[("data-explorer/ingest.md", "link-anchor-missing")]
    assert "'#finish'" in messages[("data-explorer/t-sql.md", "link-anchor-missing")]


def test_the_summary_and_json_name_the_docsets(repo: Path):
    cwd = os.getcwd()
    os.chdir(repo)
    try:
        from playbooklint.reporters import render
        result = lint([Path(".")], cache=False, jobs=1)
        payload = json.loads(render("json", result))
        text = render("text", result)
    finally:
        os.chdir(cwd)
    assert payload["summary"]["docsets"] == 2
    assert {d["docset"] for d in payload["diagnostics"]} == {"data-explorer"}
    assert "(2 docsets, " in text.splitlines()[-1]


def test_a_single_file_is_judged_in_its_own_docset(repo: Path):
    found = findings(repo, "data-explorer/t-sql.md")
    assert rules_at(found) == [("data-explorer/t-sql.md", "link-anchor-missing", 10)]
    assert findings(repo, "data-explorer/kusto/management/mappings.md") == []


def test_files_no_docset_builds_are_skipped_when_named(repo: Path):
    assert findings(repo, "README.md", ".github/PULL_REQUEST_TEMPLATE.md", "data-explorer/README.md") == []


def test_a_present_dependent_repository_is_checked_by_stat(repo: Path):
    write_tree(repo, {"reusable-content/intro.md": "## Intro\n", "reusable-content/media/d.png": b"png"})
    found = findings(repo, "data-explorer/ingest.md")
    broken = [m for p, r, _l, m in found if r == "link-broken"]
    assert any("q.kql" in m and "dependent repository" in m for m in broken)
    assert not any("d.png" in m for m in broken)


def test_a_relative_link_into_the_nested_docset_is_cross_docset(repo: Path):
    write_tree(repo, {"data-explorer/t-sql.md": page("T-SQL", "## Limitations\n\n[m](kusto/management/mappings.md#examples)")})
    found = findings(repo, "data-explorer/t-sql.md")
    assert [(r, m) for _p, r, _l, m in found] == [(
        "link-cross-docset",
        "'kusto/management/mappings.md#examples' is a page of the docset 'data-explorer/kusto', published "
        "separately: the relative link works on disk but not on the site; link it by its site URL: "
        "'/kusto/management/mappings#examples'",
    )]


def test_src_dest_mapping_serves_pages_and_redirect_sources_under_the_mapped_url(tmp_path: Path):
    write_tree(tmp_path, {
        ".openpublishing.publish.config.json": publish("docs"),
        "docs/docfx.json": docfx("/product/breadcrumb/toc.json", content=[
            {"files": ["**/*.md"], "src": "articles", "dest": "guide"},
            {"files": ["**/*.md"], "src": "kusto-redirections", "dest": "kusto"},
        ]),
        "docs/articles/index.md": page("Home", "[a](/product/guide/setup#install) [b](/product/guide/setup#nope) "
                                               "[c](/product/kusto/x) [d](/product/guide/gone)"),
        "docs/articles/setup.md": page("Setup", "## Install"),
        "docs/.openpublishing.redirection.json": json.dumps({"redirections": [
            {"source_path": "kusto-redirections/x.md", "redirect_url": "/product/guide/setup"}]}),
    })
    found = findings(tmp_path)
    assert [(r, m.split(";")[0]) for _p, r, _l, m in found if r.startswith("link")] == [
        ("link-anchor-missing", "no anchor '#nope' in 'articles/setup.md'"),
        ("link-broken", "page '/product/guide/gone' does not exist (no page of the docset 'docs' is published "
                        "at that URL)"),
    ]


def test_url_base_from_the_docsets_own_links_when_there_is_no_breadcrumb(tmp_path: Path):
    links = " ".join(f"[p{i}](/powershell/module/mod/cmd-{i})" for i in range(4))
    write_tree(tmp_path, {
        ".openpublishing.publish.config.json": publish("ps"),
        "ps/docfx.json": docfx(content=[{"files": ["**/*.md"], "src": "docs", "dest": "ps"},
                                        {"files": ["**/*.md"], "src": "ref", "dest": "module"}]),
        "ps/docs/index.md": page("Home", links + " [other](/powershell/module/not-here/x#y) "
                                 "[anchor](/powershell/module/mod/cmd-1#nope)"),
        **{f"ps/ref/Mod/Cmd-{i}.md": page(f"Cmd {i}") for i in range(4)},
    })
    found = findings(tmp_path, "ps/docs/index.md")
    # the URL base /powershell/ is inferred, case does not matter on the site, and a URL no file
    # serves stays unchecked (other repositories publish under /powershell/module/ too)
    assert [(r, m.split(";")[0]) for _p, r, _l, m in found if r.startswith("link")] == [
        ("link-anchor-missing", "no anchor '#nope' in 'ref/Mod/Cmd-1.md'")]


def test_without_a_publish_config_every_docfx_json_below_is_a_docset(tmp_path: Path):
    write_tree(tmp_path, {
        "a/docfx.json": docfx(), "a/index.md": page("A", "[x](gone.md)"),
        "b/docfx.json": docfx(), "b/index.md": page("B"),
        "notes.md": "[x](gone.md)\n",
    })
    assert rules_at(findings(tmp_path)) == [("a/index.md", "link-broken", 8)]


def test_playbook_schema_for_playbooks_learn_schema_otherwise(tmp_path: Path):
    write_tree(tmp_path, {"learn/index.md": page("Learn"),
                          "play/index.md": "---\ntitle: P\ndescription: d\nms.date: 9/28/2024\nft.audience: x\n---\n# P\n"})
    assert findings(tmp_path / "learn") == []
    missing = {m for _p, r, _l, m in findings(tmp_path / "play") if r == "metadata-required"}
    assert any("'ft.owner'" in m for m in missing)


def test_schema_can_be_chosen_by_name(tmp_path: Path):
    write_tree(tmp_path, {"index.md": page("Learn"), ".playbooklint.toml": 'schema = "playbook"\n'})
    assert any(r == "metadata-required" for _p, r, _l, _m in findings(tmp_path))


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True,
                    reason="root writes through read-only permissions")
def test_a_read_only_checkout_is_checked_without_writing_a_cache(repo: Path, monkeypatch):
    monkeypatch.delenv("PLAYBOOKLINT_NO_CACHE", raising=False)
    for folder, _dirs, _files in os.walk(repo):
        os.chmod(folder, stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = lint([repo], jobs=1)
        assert result.diagnostics
        assert not any(p.name == ".playbooklint_cache" for p in repo.rglob("*"))
    finally:
        for folder, _dirs, _files in os.walk(repo):
            os.chmod(folder, stat.S_IRWXU)


def test_a_cache_folder_that_cannot_be_written_is_no_error(repo: Path, monkeypatch):
    monkeypatch.delenv("PLAYBOOKLINT_NO_CACHE", raising=False)
    blocked = repo / "README.md" / "cache"  # a folder inside a file: mkdir fails even for root
    first = lint([repo], jobs=1, cache_dir=blocked)
    second = lint([repo], jobs=1, cache_dir=blocked)
    assert first.diagnostics == second.diagnostics and first.diagnostics
    assert not blocked.exists()


def test_url_base_per_docset_in_config(tmp_path: Path):
    write_tree(tmp_path, {
        ".openpublishing.publish.config.json": publish("a", "b"),
        ".playbooklint.toml": '[url-base]\na = "/site-a/"\nb = ["/site-b/", "/old-b/"]\n',
        "a/docfx.json": docfx(), "b/docfx.json": docfx(),
        "a/index.md": page("A", "[b](/site-b/page#nope) [old](/old-b/page) [gone](/site-b/gone) [self](/site-a/index)"),
        "b/page.md": page("Page", "[a](/site-a/index#a)"),
        "b/toc.yml": "- name: Page\n  href: page.md\n", "a/toc.yml": "- name: A\n  href: index.md\n",
    })
    found = findings(tmp_path)
    assert [(p, r) for p, r, _l, _m in found] == [("a/index.md", "link-anchor-missing"), ("a/index.md", "link-broken")]


def test_without_a_publish_config_the_git_root_holds_the_docsets_whatever_path_is_named(tmp_path: Path):
    write_tree(tmp_path, {
        ".git/HEAD": "ref: refs/heads/main\n",
        ".openpublishing.redirection.json": json.dumps({"redirections": [
            {"source_path": "docs/old.md", "redirect_url": "/docs/index"}]}),
        "docs/docfx.json": docfx(), "docs/index.md": page("Index", "[old](old.md) [n](nested/intro.md)"),
        "docs/toc.yml": "- name: Index\n  href: index.md\n",
        "docs/nested/docfx.json": docfx(), "docs/nested/intro.md": page("Intro", "[up](../index.md)"),
        "docs/nested/toc.yml": "- name: Intro\n  href: intro.md\n",
    })
    whole = findings(tmp_path)
    assert [(p, r) for p, r, _l, _m in whole] == [("docs/index.md", "link-cross-docset"),
                                                   ("docs/nested/intro.md", "link-cross-docset")]
    assert findings(tmp_path, "docs") == whole
    assert findings(tmp_path, "docs/nested/intro.md") == [f for f in whole if f[0] == "docs/nested/intro.md"]


def test_a_dependent_repository_inside_a_docset_folder_is_not_the_docsets(tmp_path: Path):
    write_tree(tmp_path, {
        ".openpublishing.publish.config.json": publish("docs", dependent=("docs/reusable-content",)),
        "docs/docfx.json": docfx(), "docs/toc.yml": "- name: Index\n  href: index.md\n",
        "docs/index.md": page("Index", "[!INCLUDE [x](reusable-content/x.md)]\n\n![A diagram of the flow](~/reusable-content/media/m.png)"),
    })
    assert findings(tmp_path) == []
    write_tree(tmp_path, {"docs/reusable-content/README.md": "[broken](nowhere.md)\n",
                          "docs/reusable-content/x.md": "Text\n", "docs/reusable-content/media/m.png": b"png"})
    assert findings(tmp_path) == []


def test_under_a_shared_breadcrumb_base_only_the_docsets_own_folders_are_judged(tmp_path: Path):
    write_tree(tmp_path, {
        ".openpublishing.publish.config.json": publish("docs"),
        "docs/docfx.json": docfx("/dotnet/breadcrumb/toc.json"),
        "docs/toc.yml": "- name: Index\n  href: index.md\n",
        "docs/index.md": page("Index", "[api](/dotnet/api/system.string) [gone](/dotnet/core/gone) "
                                       "[ok](/dotnet/core/intro)"),
        "docs/core/intro.md": page("Intro"),
    })
    # /dotnet/api/ is published by another repository; /dotnet/core/ is this docset's folder
    assert [(r, m.split(";")[0]) for _p, r, _l, m in findings(tmp_path) if r == "link-broken"] == [
        ("link-broken", "page '/dotnet/core/gone' does not exist (no page of the docset 'docs' is published at "
                        "that URL)")]


def test_an_include_from_another_docset_makes_anchors_unknown_and_is_not_unused(tmp_path: Path):
    write_tree(tmp_path, {
        ".openpublishing.publish.config.json": publish("a", "b"),
        "a/docfx.json": docfx(), "b/docfx.json": docfx(),
        "a/toc.yml": "- name: Index\n  href: index.md\n", "b/toc.yml": "- name: P\n  href: p.md\n",
        "a/index.md": page("Index", "[!INCLUDE [x](../b/includes/shared.md)]\n\n[s](#from-the-include)"),
        "b/p.md": page("P"), "b/includes/shared.md": "## From the include\n",
    })
    assert findings(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_a_symlinked_docfx_json_is_not_read(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "docfx.json").write_text(json.dumps({"build": {"globalMetadata": {"description": "SECRET"}}}))
    repo = tmp_path / "repo"
    write_tree(repo, {"index.md": "---\ntitle: T\nms.date: 1/1/2024\n---\n# T\n"})
    os.symlink(outside / "docfx.json", repo / "docfx.json")
    found = findings(repo)
    assert not any("SECRET" in m for *_rest, m in found)
    assert any(r == "metadata-required" and "'description'" in m for _p, r, _l, m in found)

"""Page structure and DocFX extension facts (parse), and the files the Learn page rules read:
snippet files and zone pivot groups, never outside the repository, kept with cached findings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import write_tree
from playbooklint.config import Config, load_config
from playbooklint.engine import RunOptions, build_docset, lint
from playbooklint.model import Alert, Conflict, Directive, Outline, Snippet
from playbooklint.parse import parse_text
from playbooklint.snippets import Region, read_snippet


def test_block_markers_follow_docfx_fences_html_and_indentation():
    page = parse_text("p.md", "\n".join([
        "```",                           # 1
        "::: zone pivot=\"x\"",          # 2 fenced: text
        "```",                           # 3
        "",                              # 4
        "    ::: moniker range=\"v1\"",  # 5 indented code outside DocFX blocks
        "",                              # 6
        ":::row:::",                     # 7
        "",                              # 8
        "        ::: zone target=\"docs\"",  # 9 inside a row: DocFX resets indentation
        "        ::: zone-end",          # 10
        "> ::: Zone-End",                # 11 zone-end is case-sensitive: not a marker
        ":::row-end:::",                 # 12
        "::::zone pivot=\"b\"",          # 13 four colons: not a zone
        ":::image type=\"complex\" source=\"a.png\" alt-text=\"A\":::",  # 14
        ":::image-end:::",               # 15
        ":::image type=\"content\" source=\"a.png\" alt-text=\"A\":::",  # 16 closes itself
        "<!--",                          # 17
        "::: zone pivot=\"c\"",          # 18 in an HTML comment: text
        "-->",                           # 19
        "::: zone pivot=\"a\"",          # 20
        "```",                           # 21
        "::: zone-end",                  # 22 DocFX asks the open zone first: it closes (and the fence)
    ]))
    assert [(d.line, d.name) for d in page.directives] == [
        (7, "row"), (9, "zone"), (10, "zone-end"), (12, "row-end"), (14, "image"), (15, "image-end"),
        (20, "zone"), (22, "zone-end"),
    ]
    assert page.directives[-2] == Directive(20, 1, "zone", 'pivot="a"')
    assert page.directives[1].column == 9


def test_conflicts_need_all_three_markers_in_order_and_start_outside_fences():
    text = "\n".join([
        "Title", "=======", "",                          # setext H1: not a conflict
        "```", "<<<<<<< x", "=======", ">>>>>>> y", "```",           # shown in a fence
        "<<<<<<< HEAD", "```bash", "=======", "```sh", ">>>>>>> b",  # a conflict over a fence line
        "```", "<<<<<<<", "a", ">>>>>>> z",               # no separator
    ])
    assert parse_text("p.md", text).conflicts == (Conflict(9, 11, 13),)


def test_outline_alerts_and_snippet_selections():
    page = parse_text("p.md", "\n".join([
        "---", "title: T", "---",                         # 1-3
        "<!-- c -->",                                     # 4
        "[!INCLUDE [a](includes/a.md)]",                  # 5 an include alone: not content
        "::: zone pivot=\"a\"",                           # 6
        "# [Tab](#tab/one)",                              # 7 a tab title: content
        "# Title",                                        # 8
        "> [!NOTES]",                                     # 9
        "> text",                                         # 10
        "",                                               # 11
        "::: zone-end",                                   # 12
        "[!code-cs[x](a.cs?name=n&highlight=2)] [!code-cs[x](a.cs#L2-L9)] [!code-cs[x](a.cs?start=3)]",  # 13
        ":::code source=\"b.cs\" range=\"1-2,5\" language=\"csharp\":::",  # 14
        "[!code-cs[x](a.cs?highlight=2)]",                # 15 the whole file: no selection
    ]))
    assert page.outline == Outline(((8, 1),), ((7, 1), (13, 1)))
    assert page.alerts == (Alert(9, 3, "NOTES"),)
    assert page.snippets == (
        Snippet(13, 1, "a.cs?name=n&highlight=2", "n", ""),
        Snippet(13, 40, "a.cs#L2-L9", "", "2-9"),
        Snippet(13, 66, "a.cs?start=3", "", "3-3"),
        Snippet(14, 1, "b.cs", "", "1-2,5"),
    )


def test_snippet_regions_as_docfx_extracts_them():
    found = read_snippet("\r\n".join([
        "// < Setup >",          # 1 whitespace anywhere, any case
        "#region Legacy",        # 2
        "//<inner>",             # 3
        "//</inner>",            # 4
        "#endregion",            # 5
        "// </setup>",           # 6
        "# <open>",              # 7 never closed
        "#Region \"quoted\"",    # 8 DocFX's tag names are word characters only
        "",
    ]))
    assert found.lines == 8
    assert found.regions == {"setup": Region(1, True), "legacy": Region(2, True), "inner": Region(3, True),
                             "open": Region(7, False)}
    assert found.region("SETUP") == Region(1, True)
    assert read_snippet("//<Snippet1>\nx\n//</Snippet1>").region("1") == Region(1, True)


def _docset(root: Path):
    return build_docset(root, load_config(None))


def test_zone_pivot_groups_are_read_only_inside_the_docset(tmp_path: Path):
    repo = tmp_path / "repo"
    groups = "groups:\n- id: langs\n  pivots:\n  - id: python\n  - id: go\n"
    write_tree(repo, {
        ".openpublishing.publish.config.json": '{"docsets_to_publish": [{"build_source_folder": "docs"}]}',
        "zone-pivot-groups.yml": groups,  # the repository root, outside the docset
        "docs/docfx.json": "{}",
        "docs/index.md": "# Home\n",
        "docs/pivots/groups.yml": groups,
        "docs/bad.yml": "groups: [unclosed\n",
        "docs/alias.yml": "a: &x 1\nb: *x\n",
    })
    os.symlink(repo / "zone-pivot-groups.yml", repo / "docs" / "escape.yml")
    docset = _docset(repo / "docs")
    assert docset.zone_pivots("pivots/groups.yml") == {"langs": frozenset({"python", "go"})}
    assert docset.zone_pivots("~/pivots/groups.yml") == {"langs": frozenset({"python", "go"})}
    for name in ("../zone-pivot-groups.yml", "zone-pivot-groups.yml", "escape.yml", "bad.yml", "alias.yml",
                 "/etc/passwd", "missing.yml"):
        assert docset.zone_pivots(name) is None, name
    assert set(docset.reads) == {"docs/pivots/groups.yml", "docs/bad.yml", "docs/alias.yml"}


def test_snippet_files_are_read_only_inside_the_repository(tmp_path: Path):
    outside = tmp_path / "secret.cs"
    outside.write_text("// <x>\n// </x>\n")
    repo = tmp_path / "repo"
    write_tree(repo, {
        "docfx.json": '{"build": {"content": [{"files": ["**/*.md"]}]}}',
        "index.md": "# Home\n",
        "snippets/a.cs": "// <x>\n// </x>\n",
        "snippets/big.cs": "// <x>\n" + "x\n" * 200 + "// </x>\n",
    })
    os.symlink(outside, repo / "snippets" / "link.cs")
    docset = build_docset(repo, Config(max_file_size=100))
    resolve = docset.resolve
    assert docset.snippet_file(resolve("index.md", "snippets/a.cs")) is not None
    assert docset.snippet_file(resolve("index.md", "snippets/link.cs")) is None  # symlink out of the root
    assert docset.snippet_file(resolve("index.md", "../secret.cs")) is None
    assert docset.snippet_file(resolve("index.md", "snippets/big.cs")) is None  # over max-file-size
    assert docset.snippet_file(resolve("index.md", "snippets/none.cs")) is None
    assert set(docset.reads) == {"snippets/a.cs", "snippets/big.cs"}


def test_cached_findings_are_recomputed_when_a_snippet_file_changes(tmp_path: Path, monkeypatch):
    import playbooklint.engine as engine

    root = tmp_path / "docs"
    write_tree(root, {
        "docfx.json": '{"build": {"content": [{"files": ["**/*.md"]}]}}',
        "index.md": "# Home\n\n:::code source=\"snippets/a.cs\" id=\"setup\":::\n",
        "snippets/a.cs": "// <setup>\nx();\n// </setup>\n",
    })

    def codes() -> list[str]:
        return [d.code for d in lint([root], options=RunOptions(jobs=1, cache=True,
                                                                  select=("code-snippet-region",))).diagnostics]

    assert codes() == []
    calls: list[int] = []
    original = engine.run_rules
    monkeypatch.setattr(engine, "run_rules", lambda *a: calls.append(1) or original(*a))
    assert codes() == [] and calls == []  # nothing changed: the findings are reused
    (root / "snippets" / "a.cs").write_text("// <init>\nx();\n// </init>\n")
    assert codes() == ["PB506"] and calls == [1]


@pytest.mark.parametrize("text", ["", "\n\n", "::: zone\n", "<<<<<<<\n=======\n>>>>>>>", "> [!" + "x" * 5000 + "]"])
def test_odd_input_gives_facts_not_errors(text: str):
    page = parse_text("p.md", text)
    assert page.readable

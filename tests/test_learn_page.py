"""Page structure and DocFX extension facts (parse)."""

from __future__ import annotations

import pytest

from playbooklint.model import Alert, Conflict, Directive, Outline, Snippet
from playbooklint.parse import parse_text


def test_block_markers_follow_docfx_fences_and_indentation():
    page = parse_text("p.md", "\n".join([
        "::: zone pivot=\"a\"",         # 1
        "```",                           # 2
        "::: zone-end",                  # 3 fenced: text
        "```",                           # 4
        "::: zone-end",                  # 5
        "",                              # 6
        "    ::: moniker range=\"v1\"",  # 7 indented code outside DocFX blocks
        "",                              # 8
        ":::row:::",                     # 9
        "",                              # 10
        "        ::: zone target=\"docs\"",  # 11 inside a row: DocFX resets indentation
        "        ::: zone-end",          # 12
        "> ::: Zone-End",                # 13 zone-end is case-sensitive: not a marker
        ":::row-end:::",                 # 14
        "::::zone pivot=\"b\"",          # 15 four colons: not a zone
        ":::image type=\"complex\" source=\"a.png\" alt-text=\"A\":::",  # 16
        ":::image-end:::",               # 17
        ":::image type=\"content\" source=\"a.png\" alt-text=\"A\":::",  # 18 closes itself
    ]))
    assert [(d.line, d.name) for d in page.directives] == [
        (1, "zone"), (5, "zone-end"), (9, "row"), (11, "zone"), (12, "zone-end"), (14, "row-end"),
        (16, "image"), (17, "image-end"),
    ]
    assert page.directives[0] == Directive(1, 1, "zone", 'pivot="a"')
    assert page.directives[3].column == 9


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


@pytest.mark.parametrize("text", ["", "\n\n", "::: zone\n", "<<<<<<<\n=======\n>>>>>>>", "> [!" + "x" * 5000 + "]"])
def test_odd_input_gives_facts_not_errors(text: str):
    page = parse_text("p.md", text)
    assert page.readable

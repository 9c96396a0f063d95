"""Parse facts: exact file positions whatever the encoding, line ends or Markdown around them."""

from __future__ import annotations

import codecs
from pathlib import Path

from playbooklint.parse import decode, parse_text
from playbooklint.source import parse_file


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    (tmp_path / name).write_bytes(data)
    return tmp_path


def links(page):
    return [(link.line, link.column, link.target, link.kind) for link in page.links]


def test_positions_after_multiline_front_matter_and_wrapped_link():
    page = parse_text("p.md", "---\ntitle: T\ndescription: >\n  two\n  lines\n---\n# H\nText [a\nwrapped link](x.md) [b](y.md)\n")
    assert [(k.name, k.line, k.column) for k in page.meta_keys] == [("title", 2, 1), ("description", 3, 1)]
    assert page.front_matter == {"title": "T", "description": "two lines"}
    assert page.headings[0].line == 7
    assert links(page) == [(8, 6, "x.md", "link"), (9, 21, "y.md", "link")]
    assert (page.links[0].end_line, page.links[0].end_column) == (9, 20)
    assert page.links[0].text == "a wrapped link"


def test_bom_crlf_and_cr_keep_columns(tmp_path):
    text = "---\r\ntitle: T\r\n---\r\n# Head\r\n\r\nSee [a](a.md).\r\n"
    for encoded in (codecs.BOM_UTF8 + text.encode(), text.replace("\r\n", "\r").encode()):
        write(tmp_path, "p.md", encoded)
        page = parse_file(str(tmp_path), "p.md")
        assert page.problems == ()
        assert page.front_matter == {"title": "T"}
        assert page.meta_keys[0].line == 2
        assert links(page) == [(6, 5, "a.md", "link")]
        assert page.headings[0].line == 4


def test_utf16_and_utf32_with_bom_are_decoded(tmp_path):
    text = "---\ntitle: Zürich\n---\n[a](a.md)\n"
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
                       (codecs.BOM_UTF32_LE, "utf-32-le")):
        write(tmp_path, "p.md", bom + text.encode(codec))
        page = parse_file(str(tmp_path), "p.md")
        assert page.front_matter == {"title": "Zürich"}
        assert links(page) == [(4, 1, "a.md", "link")]


def test_invalid_utf8_names_line_and_byte_offset():
    text, problem = decode(b"# ok\nCaf\xe9 au lait\n")
    assert text is None
    assert (problem.rule, problem.line, problem.column) == ("file-unreadable", 2, 4)
    assert "byte offset 8" in problem.message


def test_nul_bytes_mean_binary(tmp_path):
    write(tmp_path, "p.md", b"\x89PNG\r\n\x1a\n\x00\x00")
    page = parse_file(str(tmp_path), "p.md")
    assert [p.rule for p in page.problems] == ["file-unreadable"]
    assert "binary" in page.problems[0].message


def test_empty_and_whitespace_files(tmp_path):
    for data in (b"", b"\n\n", codecs.BOM_UTF8):
        write(tmp_path, "p.md", data)
        page = parse_file(str(tmp_path), "p.md")
        assert page.problems == () and not page.has_front_matter and page.links == ()


def test_file_too_large(tmp_path):
    write(tmp_path, "p.md", b"x" * 100)
    page = parse_file(str(tmp_path), "p.md", max_bytes=10)
    assert [p.rule for p in page.problems] == ["file-too-large"]
    assert parse_file(str(tmp_path), "p.md", max_bytes=0).problems == ()


def test_dates_stay_text_and_keys_named_content_are_fine():
    page = parse_text("p.md", "---\nms.date: 2019-02-18\ncontent: x\nhandler: y\n---\n")
    assert page.front_matter == {"ms.date": "2019-02-18", "content": "x", "handler": "y"}


def test_alias_bomb_is_refused_without_expanding():
    bomb = "---\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n" \
           "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n---\n"
    page = parse_text("p.md", bomb)
    assert page.front_matter is None
    assert [(p.rule, p.line, p.column) for p in page.problems] == [("front-matter-invalid", 3, 8)]
    assert "alias" in page.problems[0].message


def test_duplicate_key_names_both_lines():
    page = parse_text("p.md", "---\ntitle: a\nms.date: 1/1/2020\ntitle: b\n---\n")
    assert page.problems[0].line == 4
    assert "first defined on line 2" in page.problems[0].message


def test_deep_yaml_nesting_is_a_problem_not_a_crash():
    depth = 5000
    page = parse_text("p.md", "---\na: " + "[" * depth + "]" * depth + "\n---\n")
    assert [p.rule for p in page.problems] == ["front-matter-invalid"]


def test_code_decoys_are_not_links():
    text = (
        "```md\n[a](fence.md)\n[!INCLUDE [x](fence-include.md)]\n```\n\n"
        "    [b](indented.md)\n\n"
        "`[c](inline.md)` and ``[d](double.md)``\n\n"
        "<!-- [e](comment.md) <a href=\"comment2.md\"> -->\n\n"
        "~~~\n<a href=\"tilde.md\">x</a>\n~~~\n"
    )
    page = parse_text("p.md", text)
    assert page.links == () and page.includes == ()
    assert [c.text for c in page.comments] == ['[e](comment.md) <a href="comment2.md">']


def test_blockquotes_tables_and_lists_keep_columns():
    text = (
        "> [!NOTE]\n> See [quoted](q.md).\n\n"
        "| a | b |\n|---|---|\n| [x](x.md) | [x](y.md) [x](z.md) |\n\n"
        "1. [one](1.md)\n   - [nested](n.md)\n2. [two](2.md)\n"
    )
    page = parse_text("p.md", text)
    assert links(page) == [
        (2, 7, "q.md", "link"), (6, 3, "x.md", "link"), (6, 15, "y.md", "link"), (6, 25, "z.md", "link"),
        (8, 4, "1.md", "link"), (9, 6, "n.md", "link"), (10, 4, "2.md", "link"),
    ]
    ordered, nested = page.lists
    assert ordered.ordered and [i.number for i in ordered.items] == [1, 2]
    assert [page.links[n].target for item in ordered.items for n in item.links] == ["1.md", "2.md"]
    assert not nested.ordered and nested.line == 9 and nested.column == 4


def test_html_links_images_and_anchors():
    text = ('<a name="one"></a><a id=two href="t.md">x</a>\n\n'
            "Para <img src='i.png' alt=\"A\"> and <span id=\"three\">s</span>.\n\n"
            '<div>\n  <a href="d.md?x=1&amp;y=2">div link</a>\n</div>\n')
    page = parse_text("p.md", text)
    assert [(a.line, a.column, a.name) for a in page.anchors] == [(1, 1, "one"), (1, 19, "two"), (3, 36, "three")]
    assert links(page) == [(1, 19, "t.md", "html"), (3, 6, "i.png", "html-image"), (6, 3, "d.md?x=1&y=2", "html")]


def test_autolinks_references_and_images():
    text = "<https://x.org> ![alt *emph*](img.png \"title\")\n\n[r][def] [def]\n\n[def]: <target file.md>\n"
    page = parse_text("p.md", text)
    assert links(page) == [(1, 1, "https://x.org", "autolink"), (1, 17, "img.png", "image"),
                           (5, 9, "target file.md", "reference")]
    # emphasis is parsed only in headings (it never moves a link), so alt text keeps its markup
    assert page.links[1].text == "alt *emph*"


def test_includes_block_and_inline_and_docfx_directives():
    text = ("[!INCLUDE [Feedback](./includes/fb.md)]\n"
            "| x | [!include[iis](<includes/iis 7.md>)] on [!INCLUDE [w](includes/w.md)] |\n|--|--|\n\n"
            ':::image type="complex" source="media/a.png" lightbox="media/b.png" alt-text="x":::\n'
            "Long description\n:::image-end:::\n\n"
            "[!code-csharp[Main](~/samples/x.cs?range=1-3)]\n")
    page = parse_text("p.md", text)
    assert [(i.line, i.column, i.target, i.inline) for i in page.includes] == [
        (1, 1, "./includes/fb.md", False), (2, 7, "includes/iis 7.md", True), (2, 47, "includes/w.md", True)]
    assert links(page) == [(5, 25, "media/a.png", "directive"), (5, 46, "media/b.png", "directive"),
                           (9, 1, "~/samples/x.cs?range=1-3", "code")]


def test_image_alt_facts():
    """Images carry their alt text in ``text`` and say whether they have alt at all, or are decoration."""
    text = ("![](a.png) ![Flow *x*](b.png) <img src=c.png> <img src=d.png alt> <img src=e.png alt=\"E\">\n\n"
            '<img src="f.png" role="presentation"> <img src="g.png" aria-hidden="true">\n\n'
            ':::image type="content" source="h.png" lightbox="i.png":::\n\n'
            ':::image type="content" source="j.png" alt-text="J":::\n\n'
            ':::image type="icon" source="k.png":::\n\n'
            ':::code language="csharp" source="l.cs":::\n\n[link](m.md)\n')
    page = parse_text("p.md", text)
    assert [(link.target, link.text, link.image) for link in page.links] == [
        ("a.png", "", "alt"), ("b.png", "Flow *x*", "alt"), ("c.png", "", "no-alt"), ("d.png", "", "alt"),
        ("e.png", "E", "alt"), ("f.png", "", "decorative"), ("g.png", "", "decorative"),
        ("h.png", "", "no-alt"), ("i.png", "", ""), ("j.png", "J", "alt"), ("k.png", "", "decorative"),
        ("l.cs", "", ""), ("m.md", "link", ""),
    ]


def test_heading_text_and_slugs():
    text = "# Plan & prepare\n\n## `code` and [link](x.md) &amp; *em*\n\nSetext\n------\n\n## <a name=\"x\"></a>Tagged\n"
    page = parse_text("p.md", text)
    assert [(h.line, h.column, h.level, h.text, h.slug) for h in page.headings] == [
        (1, 1, 1, "Plan & prepare", "plan--prepare"),
        (3, 1, 2, "code and link & em", "code-and-link--em"),
        (5, 1, 2, "Setext", "setext"),
        (8, 1, 2, "Tagged", "tagged"),
    ]
    assert page.anchors[0].name == "x"


def test_toc_entries_keep_their_lines():
    from playbooklint.parse import parse_text as parse

    page = parse("toc.yml", "- name: A\n  href: a.md\n  items:\n  - name: B\n    topicHref: b.md\n    href: sub/\n")
    assert page.kind == "toc"
    top, nested = page.toc
    assert [(e.line, e.column, e.key, e.href) for e in top.entries] == [(2, 9, "href", "a.md")]
    assert [(e.line, e.key) for e in nested.entries] == [(6, "href"), (5, "topicHref")] or \
        [(e.line, e.key) for e in nested.entries] == [(5, "topicHref"), (6, "href")]


def test_toml_front_matter_is_reported_and_read_as_page_text():
    page = parse_text("p.md", '+++\ntitle = "T"\nms.date = "1/1/2020"\n+++\n# H\n[a](a.md)\n')
    assert not page.has_front_matter and page.front_matter is None and page.meta_keys == ()
    assert [(p.rule, p.line, p.column) for p in page.problems] == [("front-matter-invalid", 1, 1)]
    assert page.problems[0].message.startswith("DocFX reads YAML front matter only; this TOML block (lines 1-4")
    # DocFX publishes the block as text: the Markdown around it keeps its file positions
    assert [(h.line, h.text) for h in page.headings] == [(5, "H")]
    assert links(page) == [(6, 1, "a.md", "link")]


def test_json_front_matter_is_reported_and_read_as_page_text(tmp_path):
    write(tmp_path, "p.md", codecs.BOM_UTF8 + b'{\r\n  "title": "T"\r\n}\r\n# H\r\n')
    page = parse_file(str(tmp_path), "p.md")
    assert not page.has_front_matter and page.front_matter is None
    assert [(p.rule, p.line, p.column) for p in page.problems] == [("front-matter-invalid", 1, 1)]
    assert page.problems[0].message.startswith("DocFX reads YAML front matter only; this JSON block (lines 1-3")
    assert [(h.line, h.text) for h in page.headings] == [(4, "H")]


def test_only_complete_toml_or_json_blocks_are_front_matter():
    for text in ("+++\ntitle = 'T'\n# H\n", "{\n  \"title\": \"T\"\n# H\n", "}\nx\n}\n", "{ \"a\": 1 }\n# H\n",
                 "x\n+++\ny\n+++\n"):
        page = parse_text("p.md", text)
        assert page.problems == () and not page.has_front_matter, text


def test_yaml_fences_are_docfx_ones_not_python_frontmatter_ones():
    # python-frontmatter's boundary also takes '----' and '---' + any Unicode space, and not '...'
    for text in ("----\ntitle: T\n----\n", "---\u00a0\ntitle: T\n---\n", "---\x0c\ntitle: T\n---\n"):
        page = parse_text("p.md", text)
        assert page.problems == () and not page.has_front_matter, repr(text)
    page = parse_text("p.md", "--- \t\ntitle: T\n...\n# H\n")
    assert page.front_matter == {"title": "T"} and page.headings[0].line == 4
    page = parse_text("p.md", "---\n---\n# H\n---\n")
    assert page.has_front_matter and page.front_matter == {} and page.headings[0].line == 3

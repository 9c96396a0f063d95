"""Any bytes in, diagnostics out: parse and the whole engine never raise on file content."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playbooklint.engine import lint
from playbooklint.source import parse_file

MARKDOWNISH = st.lists(
    st.sampled_from([
        "---\n", "title: x\n", "ms.date: 2/30/2019\n", "&a ", "*a ", "!!python/object:x ", "[", "]", "(", ")",
        "[!INCLUDE [x](", "includes/a.md", "../", "~/", "%2e%2e/", "#", "<a name=", "<a href=\"", "\">", "<!--", "-->",
        "```\n", "1. ", "- ", "> ", "|", "\n", "\r\n", "\r", "\ufeff", "\x00", "é", ":::image source=\"", ":::",
        "toc", "- name: x\n  href: ", "\t", "  ", "`", "*", "_", "\\",
    ]),
    max_size=60,
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=400), MARKDOWNISH.map(lambda s: s.encode("utf-8", "surrogatepass"))))
def test_any_bytes_parse_to_a_page(data: bytes):
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "p.md").write_bytes(data)
        (Path(folder) / "toc.yml").write_bytes(data)
        page = parse_file(folder, "p.md")
        assert page.path == "p.md"
        assert parse_file(folder, "toc.yml").kind in ("toc", "markdown")
        for problem in page.problems:
            assert problem.line >= 1 and problem.column >= 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.lists(st.tuples(st.sampled_from(["index.md", "a.md", "includes/i.md", "sub/b.md", "toc.yml"]),
                                st.one_of(st.binary(max_size=200), MARKDOWNISH.map(str.encode))), max_size=5))
def test_any_docset_gives_diagnostics_never_an_exception(files):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, data in files:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        result = lint([root])
        for diagnostic in result.diagnostics:
            assert diagnostic.line >= 1 and diagnostic.column >= 1
            assert not diagnostic.path.startswith("..")

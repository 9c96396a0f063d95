"""``(path, text) -> Page``: the facts the rules need from one file, with exact positions.

Pure: text in, facts out; no file reading, no signals, no global state beyond lazily built,
read-only Markdown parsers. Any text gives a Page; problems found on the way (broken front
matter, a TOC that is not YAML) are Page.problems, each naming the rule that reports it. Reading
files and the per-file time budget are ``playbooklint.source``'s.

- ``decode``: bytes -> text (BOMs, line ends) or a ``file-unreadable`` problem;
- ``frontmatter``: where the front matter block is (python-frontmatter's detection, DocFX's
  fences), and its YAML with key positions;
- ``plugins``: the markdown-it parser with DocFX's inline syntax;
- ``positions``: block offsets -> file lines and columns;
- ``extract``: Markdown tokens -> headings, anchors, links, includes, lists, comments;
- ``toc``: ``toc.yml`` entries.
"""

from __future__ import annotations

from ..model import Page
from .decode import decode
from .extract import extract_facts
from .frontmatter import find_front_matter, front_matter_span, read_front_matter
from .plugins import markdown_parser
from .toc import is_toc, parse_toc

__all__ = [
    "decode", "find_front_matter", "front_matter_span", "is_toc", "markdown_parser", "parse_text", "read_front_matter",
]


def parse_text(rel_path: str, text: str) -> Page:
    """Facts of a decoded file (``\\n`` line ends)."""
    lines = text.split("\n")
    if is_toc(rel_path):
        sections, toc_problems = parse_toc(text)
        return Page(rel_path, "toc", problems=tuple(toc_problems), toc=sections, lines=len(lines))
    front = read_front_matter(text, lines)
    facts = extract_facts(lines, front.body_start) if front.body_start is not None else {}
    return Page(
        rel_path,
        "markdown",
        has_front_matter=front.present,
        front_matter=front.data,
        meta_keys=front.keys,
        problems=front.problems,
        lines=len(lines),
        **facts,
    )

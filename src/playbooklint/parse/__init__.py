"""``(path, text) -> Page``: the facts the rules need from one file, with exact positions.

Pure: text in, facts out; no file reading, no signals, no global state beyond lazily built,
read-only Markdown parsers. Any text gives a Page; problems found on the way (broken front
matter, a TOC that is not YAML) are Page.problems, each naming the rule that reports it. Reading
files and the per-file time budget are ``playbooklint.source``'s.

- ``decode``: bytes -> text (BOMs, line ends) or a ``file-unreadable`` problem;
- ``frontmatter``: where the front matter block is, and its YAML with key positions;
- ``plugins``: the markdown-it parser with DocFX's inline syntax;
- ``positions``: block offsets -> file lines and columns;
- ``extract``: Markdown tokens -> headings, anchors, links, includes, lists, comments;
- ``toc``: ``toc.yml`` entries.
"""

from __future__ import annotations

from typing import Any

from ..model import MetaKey, Page, Problem
from .decode import decode
from .extract import extract_facts
from .frontmatter import front_matter_span, load_front_matter
from .plugins import markdown_parser
from .toc import is_toc, parse_toc

__all__ = ["decode", "front_matter_span", "is_toc", "markdown_parser", "parse_text"]


def parse_text(rel_path: str, text: str) -> Page:
    """Facts of a decoded file (``\\n`` line ends)."""
    lines = text.split("\n")
    if is_toc(rel_path):
        sections, toc_problems = parse_toc(text)
        return Page(rel_path, "toc", problems=tuple(toc_problems), toc=sections, lines=len(lines))
    span = front_matter_span(lines)
    problems: list[Problem] = []
    front_matter: dict[str, Any] | None = None
    keys: tuple[MetaKey, ...] = ()
    body_start = 0
    if span is not None:
        start, end = span
        if end is None:
            problems.append(Problem(
                1, 1, "front matter opened on line 1 is never closed; end it with a line of '---'",
                rule="front-matter-invalid",
            ))
        else:
            front_matter, keys, fm_problems = load_front_matter(lines, start, end)
            problems.extend(fm_problems)
            body_start = end + 1
    facts = extract_facts(lines, body_start) if span is None or span[1] is not None else {}
    return Page(
        rel_path,
        "markdown",
        has_front_matter=span is not None,
        front_matter=front_matter,
        meta_keys=keys,
        problems=tuple(problems),
        lines=len(lines),
        **facts,
    )

"""Front matter: the block that opens a page, found on the unstripped text with exact line offsets,
and its YAML mapping with the position of each top-level key, loaded by ``yamlsafe``'s safe loader.

python-frontmatter's handlers tell which kind of block opens the text (YAML ``---``, TOML ``+++``,
JSON ``{``); DocFX reads YAML only, so a TOML or JSON block is reported. Only its boundary
detection is used: ``frontmatter.parse()``/``loads()`` strip the text (shifting every line) and
would load the YAML themselves, with aliases allowed and no key positions.
"""

from __future__ import annotations

import re
from typing import Any, Literal, NamedTuple

import frontmatter as python_frontmatter  # the python-frontmatter package, not this module
import yaml
from frontmatter.default_handlers import BaseHandler

from .. import yamlsafe
from ..model import MetaKey, Problem

Format = Literal["yaml", "toml", "json"]

_FENCE_OPEN = re.compile(r"---[ \t]*")
_FENCE_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")

# python-frontmatter defines TOMLHandler only when the ``toml`` package is installed; detecting
# and splitting need only its boundary, so without it a BaseHandler gets the same one.
_TOML_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
_YAML_HANDLER: BaseHandler = python_frontmatter.YAMLHandler()
_TOML_HANDLER: BaseHandler = (
    python_frontmatter.TOMLHandler() if python_frontmatter.TOMLHandler is not None else BaseHandler(_TOML_BOUNDARY)
)
_JSON_HANDLER: BaseHandler = python_frontmatter.JSONHandler()
_OTHER_FORMATS: tuple[tuple[Format, BaseHandler, str], ...] = (
    ("toml", _TOML_HANDLER, "TOML block (lines 1-{end}, between '+++' lines)"),
    ("json", _JSON_HANDLER, "JSON block (lines 1-{end}, between '{{' and '}}' lines)"),
)


class FrontMatterBlock(NamedTuple):
    """A block opening the file: its content is ``lines[start:end]`` (0-based line indexes)."""

    format: Format
    start: int
    end: int | None
    """Index of the closing fence line; None when the block is never closed."""


class FrontMatter(NamedTuple):
    """What a page's front matter gives its Page, and where its Markdown body starts."""

    present: bool
    """A YAML block opens the file (even one that does not parse)."""
    data: dict[str, Any] | None
    keys: tuple[MetaKey, ...]
    problems: tuple[Problem, ...]
    body_start: int | None
    """Line index where the Markdown body starts; None when it is not parsed (block never closed)."""


_ABSENT = FrontMatter(False, None, (), (), 0)


def front_matter_span(lines: list[str]) -> tuple[int, int | None] | None:
    """(first YAML line index, closing fence index or None when unclosed), or None without fm.

    DocFX (markdig) rules: ``---`` alone on the first line opens, ``---`` or ``...`` closes.
    """
    if not lines or not _FENCE_OPEN.fullmatch(lines[0]):
        return None
    for index in range(1, len(lines)):
        if _FENCE_CLOSE.fullmatch(lines[index]):
            return 1, index
    return 1, None


def _closing_boundary(handler: BaseHandler, text: str) -> int | None:
    """Line index of a block's closing boundary: the handler's second FM_BOUNDARY match, where its
    ``split()`` cuts (the first is at offset 0: ``detect()`` matched it); None where ``split()``
    finds no end."""
    assert handler.FM_BOUNDARY is not None
    boundaries = handler.FM_BOUNDARY.finditer(text)
    next(boundaries, None)
    closing = next(boundaries, None)
    return None if closing is None else text.count("\n", 0, closing.start())


def find_front_matter(text: str, lines: list[str]) -> FrontMatterBlock | None:
    """The front matter block that opens ``text`` (unstripped; ``lines`` is ``text.split("\\n")``)."""
    if _YAML_HANDLER.detect(text):
        # python-frontmatter's YAML boundary (``^-{3,}\s*$``) is looser than DocFX's (markdig's):
        # it also opens on '----' and on '---' followed by any Unicode space (NBSP, form feed, ...),
        # and does not take '...' as the closing fence. Every markdig opening matches it, so it is
        # a cheap filter; markdig's rule (front_matter_span) decides whether and where the block is.
        span = front_matter_span(lines)
        return None if span is None else FrontMatterBlock("yaml", *span)
    if not text.startswith(("+", "{")):
        return None
    for name, handler, _what in _OTHER_FORMATS:
        # JSON's boundary is a line '{' or '}': only '{' opens a block (python-frontmatter's split()
        # rebuilds the JSON as '{' + block + '}'). A TOML or JSON block must be closed to be one.
        if handler.detect(text) and (name != "json" or text.startswith("{")):
            end = _closing_boundary(handler, text)
            return None if end is None else FrontMatterBlock(name, 1, end)
    return None


def load_front_matter(
    lines: list[str], start: int, end: int
) -> tuple[dict[str, Any] | None, tuple[MetaKey, ...], list[Problem]]:
    """The mapping in ``lines[start:end]`` and its top-level keys (file positions); or None and a
    ``front-matter-invalid`` problem (not YAML, not a mapping, duplicate key, alias, tag, too deep)."""
    text = "\n".join(lines[start:end])
    try:
        node = yamlsafe.compose(text)
        if node is None:
            return {}, (), []
        if not isinstance(node, yaml.MappingNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
            mark = node.start_mark
            raise yamlsafe.YamlProblem(
                f"front matter must be a mapping of keys to values, found {kind}", mark.line, mark.column
            )
        keys = tuple(
            MetaKey(str(k.value), start + k.start_mark.line + 1, k.start_mark.column + 1)
            for k, _v in node.value
        )
        data = yamlsafe.construct(node)
    except yamlsafe.YamlProblem as exc:
        message = f"front matter: {exc.message}"
        if exc.first_line is not None:
            message += f" (first defined on line {start + exc.first_line + 1})"
        line = min(start + exc.line + 1, max(end, start + 1))
        return None, (), [Problem(line, exc.column + 1, message, rule="front-matter-invalid")]
    return {str(k): v for k, v in data.items()}, keys, []


def read_front_matter(text: str, lines: list[str]) -> FrontMatter:
    """A page's front matter (``text`` decoded, unstripped; ``lines`` is ``text.split("\\n")``):
    its YAML mapping and keys, or the problems that stop it."""
    block = find_front_matter(text, lines)
    if block is None:
        return _ABSENT
    if block.format != "yaml" and block.end is not None:
        # DocFX publishes the block as page text: the body is read from line 1, as DocFX reads it
        what = next(what for name, _handler, what in _OTHER_FORMATS if name == block.format)
        return FrontMatter(False, None, (), (Problem(
            1, 1, f"DocFX reads YAML front matter only; this {what.format(end=block.end + 1)} is published as "
            "page text: write it as YAML between '---' lines",
            rule="front-matter-invalid",
        ),), 0)
    if block.end is None:
        return FrontMatter(True, None, (), (Problem(
            1, 1, "front matter opened on line 1 is never closed; end it with a line of '---'",
            rule="front-matter-invalid",
        ),), None)
    data, keys, problems = load_front_matter(lines, block.start, block.end)
    return FrontMatter(True, data, keys, tuple(problems), block.end + 1)

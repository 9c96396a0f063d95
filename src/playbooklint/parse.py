"""``path -> Page``: read a file once and extract the facts the rules need, with exact positions.

Pure: no global state beyond a lazily built, read-only Markdown parser. Any file content gives a
Page; problems found on the way (undecodable bytes, broken front matter) are Page.problems, each
naming the rule that reports it.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import os
import re
import signal
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.common.utils import normalizeReference
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from . import yamlsafe
from .model import (
    Anchor,
    Comment,
    Heading,
    Include,
    Link,
    ListBlock,
    ListItem,
    MetaKey,
    Page,
    Problem,
    TocEntry,
    TocSection,
)
from .slug import slugify

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_BUDGET = 5.0
"""Seconds one file may take to parse before it is reported and skipped."""

# --------------------------------------------------------------------------------------- decoding

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


def _position_of_byte(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in bytes) of a byte offset."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def decode(data: bytes) -> tuple[str | None, Problem | None]:
    """Bytes to text with ``\\n`` line ends; or None and a ``file-unreadable`` problem."""
    encoding, bom_len = "utf-8", 0
    for bom, name, _label in _BOMS:
        if data.startswith(bom):
            encoding, bom_len = name, len(bom)
            break
    body = data[bom_len:]
    if encoding == "utf-8" and b"\x00" in body:
        line, col = _position_of_byte(body, body.index(b"\x00"))
        return None, Problem(
            line, col, "binary file (NUL byte), not checked; keep binaries out of the docset's Markdown",
            rule="file-unreadable",
        )
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding == "utf-8":
            line, col = _position_of_byte(body, exc.start)
            where = f"byte offset {exc.start + bom_len}"
        else:
            line, col, where = 1, 1, f"byte offset {exc.start + bom_len}"
        return None, Problem(
            line, col,
            f"not valid {encoding.split('-')[0].upper()}-{encoding.split('-')[1]} text "
            f"(first bad sequence at {where}); save the file as UTF-8",
            rule="file-unreadable",
        )
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    return text, None


# ----------------------------------------------------------------------------------- front matter

_FENCE_OPEN = re.compile(r"---[ \t]*")
_FENCE_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")


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


def _load_front_matter(
    lines: list[str], start: int, end: int
) -> tuple[dict[str, Any] | None, tuple[MetaKey, ...], list[Problem]]:
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


# ------------------------------------------------------------------------------- Markdown parser

# Bounded repetitions: an unclosed construct repeated along a huge line must not make each
# attempt scan to the end of the line (quadratic time in C code no time budget can interrupt).
_BANG_RE = re.compile(
    r"\[!(?P<kind>include|code(?:-[^\s\[\]]{1,40})?)\s{0,20}\[(?P<title>[^\]\n]{0,500})\]\(\s{0,20}"
    r"(?P<target><[^>\n]{0,2000}>|[^)\s]{0,2000})(?:\s{1,20}\"[^\"\n]{0,500}\")?\s{0,20}\)\s{0,20}\]",
    re.IGNORECASE,
)
_TRIPLE_RE = re.compile(r":::(?P<name>[a-z][a-z-]{0,40})(?P<attrs>[^\n]{0,4000}?):::")
_ATTR_RE = re.compile(r"""([A-Za-z_:][-A-Za-z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_TAG_RE = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)(\s[^<>]*?)?/?>")
_COMMENT_RE = re.compile(r"<!--(.*?)(?:-->|\Z)", re.DOTALL)


def _docfx_bang(state: StateInline, silent: bool) -> bool:
    """``[!INCLUDE [title](path)]`` and ``[!code-lang[name](path)]`` (before markdown links)."""
    if not state.src.startswith("[!", state.pos):
        return False
    match = _BANG_RE.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        kind = match["kind"].lower()
        token = state.push("docfx_include" if kind == "include" else "docfx_code", "", 0)
        target = match["target"]
        if target.startswith("<") and target.endswith(">"):
            target = target[1:-1]
        token.meta = {"pos": state.pos, "end": match.end(), "title": match["title"].strip(), "target": target}
    state.pos = match.end()
    return True


def _docfx_triple(state: StateInline, silent: bool) -> bool:
    """``:::image source="..." lightbox="...":::`` and ``:::code source="...":::``."""
    if not state.src.startswith(":::", state.pos):
        return False
    match = _TRIPLE_RE.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        token = state.push("docfx_triple", "", 0)
        attrs = []
        base = match.start("attrs")
        for attr in _ATTR_RE.finditer(match["attrs"]):
            value = next((v for v in attr.groups()[1:] if v is not None), None)
            if value is not None:
                attrs.append((attr.group(1).lower(), value, base + attr.start()))
        token.meta = {"pos": state.pos, "end": match.end(), "name": match["name"], "attrs": attrs}
    state.pos = match.end()
    return True


def _positioned(rule: Callable[[StateInline, bool], bool], kinds: tuple[str, ...]) -> Callable[..., bool]:
    """Wrap an inline rule so the token it creates remembers where it starts and ends."""

    def wrapped(state: StateInline, silent: bool) -> bool:
        start = state.pos
        count = len(state.tokens)
        if not rule(state, silent):
            return False
        if not silent:
            for token in state.tokens[count:]:
                if token.type in kinds:
                    token.meta = {**(token.meta or {}), "pos": start, "end": state.pos}
                    break
        return True

    return wrapped


def _inline_where_needed(state: Any) -> None:
    """markdown-it's core ``inline`` step, trimmed to what the facts need.

    Headings get the full inline parse (their plain text makes the slug, so ``_emphasis_`` must
    lose its underscores). Other blocks are parsed without emphasis and strikethrough (they never
    change where a link is), and only when they contain ``[`` (links, images, includes, snippets),
    ``<`` (HTML, autolinks, comments) or ``:::`` (DocFX directives): about half of a real docset's
    paragraphs contain none of these.
    """
    md = state.md
    heading_md = _heading_parser()
    previous = None
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            content = token.content
            if previous == "heading_open":
                heading_md.inline.parse(content, heading_md, state.env, token.children)
            elif "[" in content or "<" in content or ":::" in content:
                md.inline.parse(content, md, state.env, token.children)
        previous = token.type


def _configured_parser(emphasis: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "typographer": False, "linkify": False})
    md.enable(["table", "strikethrough"] if emphasis else ["table"])
    if not emphasis:
        md.disable(["emphasis"])
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    ruler = md.inline.ruler
    for name, kinds in (
        ("link", ("link_open",)),
        ("image", ("image",)),
        ("autolink", ("link_open",)),
        ("html_inline", ("html_inline",)),
    ):
        original = next(r.fn for r in ruler.__rules__ if r.name == name)
        ruler.at(name, _positioned(original, kinds))
    ruler.before("link", "docfx_bang", _docfx_bang)
    ruler.before("link", "docfx_triple", _docfx_triple)
    return md


@cache
def _heading_parser() -> MarkdownIt:
    return _configured_parser(emphasis=True)


@cache
def markdown_parser() -> MarkdownIt:
    """CommonMark + tables, raw HTML on, typographer and linkify off (markdig agrees with it on
    everything that decides where links, headings and lists are).

    URLs are kept exactly as written (no normalisation, no scheme filtering): the Docset judges
    them.
    """
    md = _configured_parser(emphasis=False)
    md.core.ruler.at("inline", _inline_where_needed)
    return md


# ------------------------------------------------------------------------------ fact extraction


class _Mapper:
    """Maps offsets in a block's text (markers and indentation stripped) back to file positions."""

    __slots__ = ("starts", "cols", "first")

    def __init__(self, content: str, first: int, lines: list[str], cursor: dict[int, int] | None) -> None:
        self.first = first
        self.starts = [0]
        find = content.find
        pos = find("\n")
        while pos >= 0:
            self.starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self.cols = []
        for index, start in enumerate(self.starts):
            end = self.starts[index + 1] - 1 if index + 1 < len(self.starts) else len(content)
            lineno = first + index
            source = lines[lineno] if lineno < len(lines) else ""
            self.cols.append(_locate(source, content[start:end], lineno, cursor))

    def at(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a content offset."""
        index = bisect_right(self.starts, offset) - 1
        return self.first + index + 1, self.cols[index] + offset - self.starts[index] + 1


def _locate(source: str, piece: str, lineno: int, cursor: dict[int, int] | None) -> int:
    """0-based column where ``piece`` (one line of a block's content) sits in ``source``.

    A paragraph line is a suffix of its source line (block markers and indentation stripped);
    table cells share a line, so they are searched left to right from the previous cell (``cursor``).
    """
    indent = len(source) - len(source.lstrip())
    piece = piece.rstrip()
    if not piece:
        return indent
    if cursor is not None:
        found = source.find(piece, cursor.get(lineno, 0))
        if found >= 0:
            cursor[lineno] = found + len(piece)
            return found
    stripped = source.rstrip()
    if stripped.endswith(piece):
        return len(stripped) - len(piece)
    found = source.find(piece)
    return found if found >= 0 else indent


def _plain_text(tokens: list[Token]) -> str:
    """Text of inline tokens as rendered without markup (image alt text)."""
    parts = []
    for token in tokens:
        if token.type in ("text", "text_special", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "image" and token.children:
            parts.append(_plain_text(token.children))
    return "".join(parts)


class _Extractor:
    def __init__(self, lines: list[str], env: dict[str, Any]) -> None:
        self.lines = lines
        self.env = env
        self.cursor: dict[int, int] = {}
        self.headings: list[Heading] = []
        self.anchors: list[Anchor] = []
        self.links: list[Link] = []
        self.includes: list[Include] = []
        self.lists: list[ListBlock] = []
        self.comments: list[Comment] = []
        self.list_stack: list[dict[str, Any]] = []

    # -- helpers
    def _add_link(self, link: Link) -> None:
        if self.list_stack and self.list_stack[-1]["items"]:
            self.list_stack[-1]["items"][-1]["links"].append(len(self.links))
        self.links.append(link)

    def _scan_html(self, text: str, at: Callable[[int], tuple[int, int]], base: int = 0) -> None:
        """Anchors, links and comments in raw HTML (comments blanked so their content is inert)."""
        if "<!--" in text:
            for match in _COMMENT_RE.finditer(text):
                line, col = at(base + match.start())
                self.comments.append(Comment(line, col, match.group(1).strip()))
            text = _COMMENT_RE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
        for tag in _TAG_RE.finditer(text):
            attrs_text = tag.group(2)
            if not attrs_text:
                continue
            name = tag.group(1).lower()
            attrs: dict[str, str] = {}
            for attr in _ATTR_RE.finditer(attrs_text):
                key = attr.group(1).lower()
                if key not in attrs:
                    value = next((v for v in attr.groups()[1:] if v is not None), "")
                    attrs[key] = html.unescape(value)
            line, col = at(base + tag.start())
            if "id" in attrs and attrs["id"]:
                self.anchors.append(Anchor(line, col, attrs["id"]))
            if name == "a":
                if attrs.get("name"):
                    self.anchors.append(Anchor(line, col, attrs["name"]))
                if "href" in attrs:
                    self._add_link(Link(line, col, attrs["href"].strip(), "", "html"))
            elif name == "img" and "src" in attrs:
                self._add_link(Link(line, col, attrs["src"].strip(), attrs.get("alt", ""), "html-image"))

    def _reference_position(self, raw: str, fallback: tuple[int, int], href: str) -> tuple[int, int]:
        """Position of a reference link's destination in its definition (where a fix is made)."""
        match = re.search(r"\]\s*\[([^\[\]]*)\]$", raw)
        label = match.group(1) if match and match.group(1).strip() else raw[1 : raw.find("]")]
        ref = self.env.get("references", {}).get(normalizeReference(label))
        if not ref or not ref.get("map"):
            return fallback
        first, last = ref["map"]
        for lineno in range(first, min(last, len(self.lines))):
            source = self.lines[lineno]
            start = source.find("]:") + 2 if lineno == first and "]:" in source else 0
            found = source.find(href, start) if href else -1
            if found >= 0:
                return lineno + 1, found + 1
        return first + 1, 1

    # -- tokens
    def run(self, tokens: list[Token]) -> None:
        heading: Token | None = None
        in_cell = False
        for token in tokens:
            kind = token.type
            if kind == "inline":
                self._inline(token, heading, self.cursor if in_cell else None)
                heading = None
            elif kind in ("td_open", "th_open", "td_close", "th_close"):
                in_cell = kind.endswith("_open")
            elif kind == "heading_open":
                heading = token
            elif kind == "html_block":
                mapper = _Mapper(token.content, token.map[0], self.lines, None) if token.map else None
                if mapper:
                    self._scan_html(token.content, mapper.at)
            elif kind in ("bullet_list_open", "ordered_list_open"):
                self.list_stack.append({
                    "line": token.map[0] + 1 if token.map else 1, "col": 1, "ordered": kind == "ordered_list_open", "items": [],
                    "heading": len(self.headings) - 1 if self.headings else None,
                })
            elif kind == "list_item_open":
                line, col = self._marker_position(token)
                number = None
                if token.info and token.info.isdigit():
                    number = int(token.info)
                self.list_stack[-1]["items"].append({"line": line, "col": col, "number": number, "links": []})
            elif kind in ("bullet_list_close", "ordered_list_close"):
                data = self.list_stack.pop()
                first = data["items"][0] if data["items"] else data
                block = ListBlock(
                    first["line"], first["col"], data["ordered"],
                    tuple(ListItem(i["line"], i["col"], i["number"], tuple(i["links"])) for i in data["items"]),
                    data["heading"],
                )
                self.lists.append(block)

    def _marker_position(self, token: Token) -> tuple[int, int]:
        if not token.map:
            return 1, 1
        lineno = token.map[0]
        source = self.lines[lineno] if lineno < len(self.lines) else ""
        stripped = source.lstrip(" \t>")
        marker = (token.info or "") + (token.markup or "")
        offset = len(source) - len(stripped)
        found = source.find(marker, offset) if marker else -1
        return lineno + 1, (found if found >= 0 else offset) + 1

    def _inline(self, token: Token, heading: Token | None, cursor: dict[int, int] | None) -> None:
        children = token.children or []
        mapper: _Mapper | None = None
        if cursor is not None:  # table cells share lines: locate every cell, left to right
            mapper = _Mapper(token.content, token.map[0] if token.map else 0, self.lines, cursor)

        def at(offset: int) -> tuple[int, int]:
            nonlocal mapper
            if mapper is None:
                mapper = _Mapper(token.content, token.map[0] if token.map else 0, self.lines, cursor)
            return mapper.at(offset)

        heading_text: list[str] = []
        open_links: list[list[Any]] = []
        content = token.content
        for child in children:
            kind = child.type
            if kind in ("text", "text_special", "code_inline"):
                if heading is not None:
                    heading_text.append(child.content)
                for record in open_links:
                    record[3].append(child.content)
            elif kind in ("softbreak", "hardbreak"):
                if heading is not None:
                    heading_text.append(" ")
                for record in open_links:
                    record[3].append(" ")
            elif kind == "link_open":
                meta = child.meta or {}
                open_links.append([child.attrGet("href") or "", meta.get("pos", 0), meta.get("end", 0), [],
                                   child.markup == "autolink"])
            elif kind == "link_close" and open_links:
                href, pos, end, parts, auto = open_links.pop()
                line, col = at(pos)
                end_line, end_col = at(end)
                raw = content[pos:end]
                link_kind = "autolink" if auto else "link"
                if not auto and raw.endswith("]"):
                    link_kind = "reference"
                    line, col = self._reference_position(raw, (line, col), str(href))
                    end_line, end_col = line, col + len(str(href))
                self._add_link(Link(line, col, str(href), "".join(parts).strip(), link_kind, end_line, end_col))
            elif kind == "image":
                meta = child.meta or {}
                pos, end = meta.get("pos", 0), meta.get("end", 0)
                line, col = at(pos)
                end_line, end_col = at(end)
                src = str(child.attrGet("src") or "")
                raw = content[pos:end]
                image_kind = "image"
                if raw.endswith("]"):
                    line, col = self._reference_position(raw[1:], (line, col), src)
                    end_line, end_col = line, col + len(src)
                alt = _plain_text(child.children) if child.children else child.content
                if heading is not None:
                    heading_text.append(alt)
                for record in open_links:
                    record[3].append(alt)
                self._add_link(Link(line, col, src, alt, image_kind, end_line, end_col))
            elif kind == "html_inline":
                pos = (child.meta or {}).get("pos", 0)
                self._scan_html(child.content, lambda o, p=pos: at(p + o))
            elif kind == "docfx_include":
                meta = child.meta
                line, col = at(meta["pos"])
                inline = bool(content[: meta["pos"]].rsplit("\n", 1)[-1].strip()) or bool(
                    content[meta["end"]:].split("\n", 1)[0].strip()
                )
                self.includes.append(Include(line, col, meta["target"], meta["title"], inline))
            elif kind == "docfx_code":
                meta = child.meta
                line, col = at(meta["pos"])
                end_line, end_col = at(meta["end"])
                self._add_link(Link(line, col, meta["target"], meta["title"], "code", end_line, end_col))
            elif kind == "docfx_triple":
                meta = child.meta
                for name, value, offset in meta["attrs"]:
                    if name in ("source", "lightbox") and meta["name"] in ("image", "code"):
                        line, col = at(offset)
                        self._add_link(Link(line, col, value.strip(), "", "directive"))
        if heading is not None:
            text = "".join(heading_text).strip()
            line = heading.map[0] + 1 if heading.map else 1
            source = self.lines[line - 1] if line - 1 < len(self.lines) else ""
            if heading.markup and heading.markup[0] == "#":
                col = source.find("#") + 1 or 1
            else:
                col = len(source) - len(source.lstrip()) + 1
            self.headings.append(Heading(line, col, int(heading.tag[1]), text, slugify(text)))


def _parse_markdown(lines: list[str], body_start: int) -> dict[str, Any]:
    """Markdown facts. Front matter lines are blanked so token maps are file lines."""
    text = "\n".join([""] * body_start + lines[body_start:])
    env: dict[str, Any] = {}
    tokens = markdown_parser().parse(text, env)
    extractor = _Extractor(lines, env)
    extractor.run(tokens)
    links = extractor.links
    if any(link.kind == "reference" for link in links):
        # a definition used several times is one reference: report it once
        seen: set[tuple[int, int, str]] = set()
        keep: dict[int, int] = {}
        deduped = []
        for index, link in enumerate(links):
            key = (link.line, link.column, link.target)
            if link.kind == "reference" and key in seen:
                continue
            seen.add(key)
            keep[index] = len(deduped)
            deduped.append(link)
        lists = [
            ListBlock(b.line, b.column, b.ordered, tuple(
                ListItem(i.line, i.column, i.number, tuple(keep[n] for n in i.links if n in keep)) for i in b.items
            ), b.heading)
            for b in extractor.lists
        ]
        links, extractor.lists = deduped, lists
    return {
        "headings": tuple(extractor.headings),
        "anchors": tuple(extractor.anchors),
        "links": tuple(links),
        "includes": tuple(extractor.includes),
        "lists": tuple(sorted(extractor.lists, key=lambda b: (b.line, b.column))),
        "comments": tuple(extractor.comments),
    }


# ------------------------------------------------------------------------------------------ TOC

_TOC_KEYS = ("href", "topicHref", "tocHref")


def _parse_toc(text: str) -> tuple[tuple[TocSection, ...], list[Problem]]:
    try:
        node = yamlsafe.compose(text)
    except yamlsafe.YamlProblem as exc:
        return (), [Problem(exc.line + 1, exc.column + 1, f"TOC is not valid YAML: {exc.message}",
                            rule="toc-invalid")]
    if node is None:
        return (), []
    if isinstance(node, yaml.MappingNode):  # ``items:`` at the top (YamlMime:TOC)
        node = next((v for k, v in node.value if getattr(k, "value", None) == "items"), None)
    if not isinstance(node, yaml.SequenceNode):
        return (), []
    sections: list[TocSection] = []
    stack = [node]
    while stack:
        sequence = stack.pop(0)
        entries: list[TocEntry] = []
        for item in sequence.value:
            if not isinstance(item, yaml.MappingNode):
                continue
            fields = {str(getattr(k, "value", "")): v for k, v in item.value}
            name_node = fields.get("name") or fields.get("displayName")
            name = str(name_node.value) if isinstance(name_node, yaml.ScalarNode) else ""
            for key in _TOC_KEYS:
                value = fields.get(key)
                if isinstance(value, yaml.ScalarNode) and str(value.value).strip():
                    mark = value.start_mark
                    entries.append(TocEntry(mark.line + 1, mark.column + 1, name, key, str(value.value).strip()))
            children = fields.get("items")
            if isinstance(children, yaml.SequenceNode):
                stack.append(children)
        if entries:
            sections.append(TocSection(entries[0].line, tuple(entries)))
    return tuple(sections), []


# ------------------------------------------------------------------------------------- the entry


def is_toc(rel_path: str) -> bool:
    return os.path.basename(rel_path).lower() == "toc.yml"


def parse_text(rel_path: str, text: str) -> Page:
    """Facts of a decoded file (``\\n`` line ends)."""
    lines = text.split("\n")
    if is_toc(rel_path):
        sections, problems = _parse_toc(text)
        return Page(rel_path, "toc", problems=tuple(problems), toc=sections, lines=len(lines))
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
            front_matter, keys, fm_problems = _load_front_matter(lines, start, end)
            problems.extend(fm_problems)
            body_start = end + 1
    facts = _parse_markdown(lines, body_start) if span is None or span[1] is not None else {}
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


def read_source(root: str, rel_path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, bytes | None, Page | None]:
    """Read a file once: (content key, bytes, None), or (key, None, Page) when it is not parsed
    (too large: keyed by its size; unreadable: an empty key)."""
    try:
        with open(os.path.join(root, rel_path), "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if max_bytes and size > max_bytes:
                return b"size:%d" % size, None, Page(rel_path, problems=(Problem(
                    1, 1,
                    f"file is {size:,} bytes, over the {max_bytes:,}-byte limit; not checked "
                    "(raise --max-file-size if it is meant to be this large)",
                    rule="file-too-large",
                ),))
            data = handle.read()
    except OSError as exc:
        return b"", None, Page(rel_path, problems=(Problem(1, 1, f"cannot read file: {exc.strerror or exc}",
                                                           rule="file-unreadable"),))
    return hashlib.blake2b(data, digest_size=16).digest(), data, None


class ParseTimeout(Exception):
    """A file's parse ran over its time budget."""


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise ParseTimeout in this thread after ``seconds`` (POSIX main thread; elsewhere, and for
    0, no budget). Pure-Python parsing is interrupted wherever it is; C code is kept linear by
    bounded regular expressions."""
    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: Any) -> None:
        raise ParseTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def parse_bytes(rel_path: str, data: bytes, budget: float = DEFAULT_BUDGET) -> Page:
    """Facts of a file's bytes. Never raises for file content."""
    text, problem = decode(data)
    if text is None:
        return Page(rel_path, problems=(problem,) if problem else ())
    try:
        with time_budget(budget):
            return parse_text(rel_path, text)
    except ParseTimeout:
        return Page(rel_path, problems=(Problem(
            1, 1, f"parsing took longer than the {budget:g}-second budget; not checked (simplify the file, or "
            "raise --file-timeout if it is meant to be like this)", rule="file-too-large",
        ),))
    except RecursionError:
        return Page(rel_path, problems=(Problem(1, 1, "file is nested too deeply to parse; not checked",
                                                rule="internal-error"),))
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
        return Page(rel_path, problems=(Problem(
            1, 1, f"could not parse this file ({type(exc).__name__}: {exc}); please report it",
            rule="internal-error",
        ),))


def parse_source(root: str, rel_path: str, max_bytes: int = DEFAULT_MAX_BYTES,
                 budget: float = DEFAULT_BUDGET) -> tuple[str, bytes, Page]:
    """(path, content key, Page): what a parse worker returns."""
    key, data, page = read_source(root, rel_path, max_bytes)
    if page is None:
        page = parse_bytes(rel_path, data or b"", budget)
    return rel_path, key, page


def parse_file(root: str, rel_path: str, max_bytes: int = DEFAULT_MAX_BYTES, budget: float = DEFAULT_BUDGET) -> Page:
    """Read ``root/rel_path`` once and return its facts. Never raises for file content."""
    return parse_source(root, rel_path, max_bytes, budget)[2]

"""Markdown facts of one page: headings, anchors, links, includes, lists, comments, the page's
outline (H1s, first content), alerts, code snippet selections, DocFX block markers and merge
conflicts, with exact file positions (line and column of what a fix changes)."""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from collections.abc import Callable, Collection
from typing import Any, ClassVar, NamedTuple

from markdown_it.common.utils import normalizeReference
from markdown_it.token import Token

from ..model import (
    Alert,
    Anchor,
    Comment,
    Heading,
    ImageAlt,
    Include,
    Link,
    LinkKind,
    ListBlock,
    ListItem,
    Outline,
    Snippet,
)
from ..slug import slugify
from .blocks import scan_blocks
from .plugins import ATTR_RE as _ATTR_RE
from .plugins import markdown_parser
from .positions import Mapper

_TAG_RE = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)(\s[^<>]*?)?/?>")
_COMMENT_RE = re.compile(r"<!--(.*?)(?:-->|\Z)", re.DOTALL)
_TAB_HREF = re.compile(r"#tab/[A-Za-z0-9-]+(?:\+[A-Za-z0-9-]+)*(?:/[A-Za-z0-9-]*)?$")
"""A DocFX tab title's link (``# [Linux](#tab/linux)``): the heading is a tab, not a heading."""
_ALERT = re.compile(r"\[!([^\s\[\]]{1,40})\]$")
_INCLUDE_ONLY = re.compile(
    r"(?:\[!include[ \t]{0,20}\[[^\]\n]{0,500}\]\([^)\n]{0,2000}\)[ \t]{0,20}\][ \t]*){1,20}", re.IGNORECASE,
)
_HTML_H1 = re.compile(r"<h1[\s>]", re.IGNORECASE)
_ANY_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)[^<>]*>")
_VISIBLE_TAGS = frozenset({"img", "picture", "svg", "video", "audio", "iframe", "embed", "object", "canvas",
                           "input", "button", "select", "textarea", "hr", "table", "math"})
_SNIPPET_TARGET = re.compile(r"([^#?]*)(?:\?([^#]*))?(?:#(.*))?$", re.DOTALL)


def _invisible(html_text: str) -> bool:
    """HTML that shows nothing: comments, empty anchors and wrappers (``<a name="top"></a>``)."""
    if "<!--" in html_text:
        html_text = _COMMENT_RE.sub("", html_text)
    if any(tag.group(1).lower() in _VISIBLE_TAGS for tag in _ANY_TAG.finditer(html_text)):
        return False
    return not _ANY_TAG.sub("", html_text).strip()


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


def _html_image(attrs: dict[str, str]) -> ImageAlt:
    """Whether an ``<img>`` is decoration, has an ``alt`` attribute (a bare ``alt`` is empty), or none."""
    if attrs.get("role", "").strip().lower() in ("presentation", "none") or \
            attrs.get("aria-hidden", "").strip().lower() == "true":
        return "decorative"
    return "alt" if "alt" in attrs else "no-alt"


def _directive_image(values: dict[str, str]) -> ImageAlt:
    """Whether a ``:::image`` is an icon (decoration), has ``alt-text``, or none."""
    if values.get("type", "").strip().lower() == "icon":
        return "decorative"
    return "alt" if "alt-text" in values else "no-alt"


class _OpenLink(NamedTuple):
    """A ``link_open`` waiting for its ``link_close``: its text is collected in ``parts``."""

    href: str
    pos: int
    end: int
    parts: list[str]
    auto: bool


class _InlineScope:
    """One inline token being read: its text, the file position of an offset in it, the heading
    text and the links it has open."""

    __slots__ = ("content", "heading_text", "open_links", "_mapper", "_first", "_lines", "_cursor")

    def __init__(self, token: Token, lines: list[str], cursor: dict[int, int] | None, heading: bool) -> None:
        self.content = token.content
        self.heading_text: list[str] | None = [] if heading else None
        self.open_links: list[_OpenLink] = []
        self._first = token.map[0] if token.map else 0
        self._lines = lines
        self._cursor = cursor
        self._mapper: Mapper | None = None
        if cursor is not None:  # table cells share lines: locate every cell, left to right
            self._mapper = Mapper(self.content, self._first, lines, cursor)

    def at(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of an offset in the token's content."""
        if self._mapper is None:
            self._mapper = Mapper(self.content, self._first, self._lines, self._cursor)
        return self._mapper.at(offset)

    def add_text(self, text: str) -> None:
        """Plain text read: it belongs to the heading (if this is one) and to every open link."""
        if self.heading_text is not None:
            self.heading_text.append(text)
        for record in self.open_links:
            record.parts.append(text)


class _Extractor:
    """Walks a page's block tokens once, collecting its facts in document order."""

    def __init__(self, lines: list[str], env: dict[str, Any], markers: Collection[int] = ()) -> None:
        self.lines = lines
        self.env = env
        self.markers = markers
        """0-based lines holding DocFX block markers (not content)."""
        self._marker_lines = sorted(line + 1 for line in markers)
        self._stretches_seen: set[int] = set()
        self.h1: list[tuple[int, int]] = []
        self.content: list[tuple[int, int]] = []
        self.alerts: list[Alert] = []
        self.snippets: list[Snippet] = []
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
                self._add_link(Link(line, col, attrs["src"].strip(), attrs.get("alt", ""), "html-image",
                                    image=_html_image(attrs)))

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
        quotes: list[int] = []  # levels of the blockquotes open
        alert_next = False  # the next inline token opens a paragraph directly inside a blockquote
        for token in tokens:
            kind = token.type
            if token.level == 0 and token.nesting >= 0 and token.map:
                self._top_level(token)
            if kind == "inline":
                if alert_next:
                    self._alert(token)
                    alert_next = False
                self._inline(token, heading, self.cursor if in_cell else None)
                heading = None
            elif kind in ("td_open", "th_open", "td_close", "th_close"):
                in_cell = kind.endswith("_open")
            elif kind == "heading_open":
                heading = token
            elif kind == "paragraph_open":
                alert_next = bool(quotes) and token.level == quotes[-1] + 1
            elif kind == "blockquote_open":
                quotes.append(token.level)
            elif kind == "blockquote_close":
                if quotes:
                    quotes.pop()
            elif kind == "html_block":
                mapper = Mapper(token.content, token.map[0], self.lines, None) if token.map else None
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

    # -- outline: the H1s and where visible content starts
    def _first_column(self, lineno: int) -> int:
        source = self.lines[lineno] if lineno < len(self.lines) else ""
        return len(source) - len(source.lstrip()) + 1

    def _top_level(self, token: Token) -> None:
        """A block at the top of the page: content, unless it is an H1 (see ``_inline``), only
        includes, comments and DocFX block markers, or an HTML ``<h1>``."""
        kind = token.type
        first, last = token.map  # type: ignore[misc]
        if kind == "heading_open":
            return  # decided with its text: an H1, or a tab title or lower heading (content)
        stretch = bisect_left(self._marker_lines, first + 1)
        if stretch in self._stretches_seen and kind != "html_block" \
                and stretch == bisect_left(self._marker_lines, last):
            return  # this stretch has its first content (blocks come in order); an HTML <h1> still counts
        if kind == "paragraph_open":
            for lineno in range(first, min(last, len(self.lines))):
                text = self.lines[lineno].strip()
                if "<" in text and _invisible(text):
                    continue
                if not text or lineno in self.markers or _INCLUDE_ONLY.fullmatch(text):
                    continue
                self._add_content(lineno + 1, self._first_column(lineno))
                return
            return
        if kind == "html_block":
            text = _COMMENT_RE.sub("", token.content)
            h1 = _HTML_H1.search(text)
            if h1 is None and _invisible(text):
                return
            if h1:
                for lineno in range(first, min(last, len(self.lines))):
                    column = self.lines[lineno].lower().find("<h1")
                    if column >= 0:
                        self.h1.append((lineno + 1, column + 1))
                        return
        self._add_content(first + 1, self._first_column(first))

    def _add_content(self, line: int, column: int) -> None:
        self._stretches_seen.add(bisect_left(self._marker_lines, line))
        self.content.append((line, column))

    def _alert(self, token: Token) -> None:
        """``[!WORD]`` alone on the first line of a paragraph in a blockquote."""
        first_line = token.content.split("\n", 1)[0].strip()
        match = _ALERT.match(first_line)
        if match is None or not token.map:
            return
        lineno = token.map[0]
        source = self.lines[lineno] if lineno < len(self.lines) else ""
        self.alerts.append(Alert(lineno + 1, source.find("[!") + 1 or 1, match.group(1)))

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

    # -- inline tokens: one handler per child token type (others carry no facts)
    def _inline(self, token: Token, heading: Token | None, cursor: dict[int, int] | None) -> None:
        children = token.children or ()
        if not children and heading is None and cursor is None:
            return  # nothing to read, and no table cell to step over
        scope = _InlineScope(token, self.lines, cursor, heading is not None)
        handlers = self._INLINE_HANDLERS
        for child in children:
            handler = handlers.get(child.type)
            if handler is not None:
                handler(self, scope, child)
        if heading is not None and scope.heading_text is not None:
            self._add_heading(heading, "".join(scope.heading_text).strip())
            added = self.headings[-1]
            if added.level == 1 and not _is_tab_title(children):
                self.h1.append((added.line, added.column))
            elif heading.level == 0:
                self._add_content(added.line, added.column)

    def _on_text(self, scope: _InlineScope, child: Token) -> None:
        scope.add_text(child.content)

    def _on_break(self, scope: _InlineScope, child: Token) -> None:
        scope.add_text(" ")

    def _on_link_open(self, scope: _InlineScope, child: Token) -> None:
        meta = child.meta or {}
        scope.open_links.append(_OpenLink(str(child.attrGet("href") or ""), meta.get("pos", 0), meta.get("end", 0), [],
                                          child.markup == "autolink"))

    def _on_link_close(self, scope: _InlineScope, child: Token) -> None:
        if not scope.open_links:
            return
        href, pos, end, parts, auto = scope.open_links.pop()
        line, col = scope.at(pos)
        end_line, end_col = scope.at(end)
        raw = scope.content[pos:end]
        link_kind: LinkKind = "autolink" if auto else "link"
        if not auto and raw.endswith("]"):
            link_kind = "reference"
            line, col = self._reference_position(raw, (line, col), href)
            end_line, end_col = line, col + len(href)
        self._add_link(Link(line, col, href, "".join(parts).strip(), link_kind, end_line, end_col))

    def _on_image(self, scope: _InlineScope, child: Token) -> None:
        meta = child.meta or {}
        pos, end = meta.get("pos", 0), meta.get("end", 0)
        line, col = scope.at(pos)
        end_line, end_col = scope.at(end)
        src = str(child.attrGet("src") or "")
        raw = scope.content[pos:end]
        if raw.endswith("]"):
            line, col = self._reference_position(raw[1:], (line, col), src)
            end_line, end_col = line, col + len(src)
        alt = _plain_text(child.children) if child.children else child.content
        scope.add_text(alt)
        self._add_link(Link(line, col, src, alt, "image", end_line, end_col, "alt"))

    def _on_html_inline(self, scope: _InlineScope, child: Token) -> None:
        pos = (child.meta or {}).get("pos", 0)
        self._scan_html(child.content, scope.at, pos)

    def _on_docfx_include(self, scope: _InlineScope, child: Token) -> None:
        meta = child.meta
        content = scope.content
        line, col = scope.at(meta["pos"])
        inline = bool(content[: meta["pos"]].rsplit("\n", 1)[-1].strip()) or bool(
            content[meta["end"]:].split("\n", 1)[0].strip()
        )
        self.includes.append(Include(line, col, meta["target"], meta["title"], inline))

    def _on_docfx_code(self, scope: _InlineScope, child: Token) -> None:
        meta = child.meta
        line, col = scope.at(meta["pos"])
        end_line, end_col = scope.at(meta["end"])
        self._add_link(Link(line, col, meta["target"], meta["title"], "code", end_line, end_col))
        region, ranges = _code_selection(meta["target"])
        if region or ranges:
            self.snippets.append(Snippet(line, col, meta["target"], region, ranges))

    def _on_docfx_triple(self, scope: _InlineScope, child: Token) -> None:
        meta = child.meta
        if meta["name"] not in ("image", "code"):
            return
        values: dict[str, str] = {}
        for name, value, _offset in meta["attrs"]:
            values.setdefault(name, value)
        for name, value, offset in meta["attrs"]:
            if name in ("source", "lightbox"):
                line, col = scope.at(offset)
                text = ""
                image: ImageAlt = ""  # a lightbox is the image's zoom, not an image of its own
                if meta["name"] == "image" and name == "source":
                    text, image = values.get("alt-text", ""), _directive_image(values)
                self._add_link(Link(line, col, value.strip(), text, "directive", image=image))
        if meta["name"] == "code":
            attrs = {name: value for name, value, _offset in reversed(meta["attrs"])}
            region = attrs.get("id", "").strip()
            ranges = "" if region else _line_ranges(attrs.get("range", ""))
            source = attrs.get("source", "").strip()
            if source and (region or ranges):
                line, col = scope.at(meta["pos"])
                self.snippets.append(Snippet(line, col, source, region, ranges))

    _INLINE_HANDLERS: ClassVar[dict[str, Callable[[_Extractor, _InlineScope, Token], None]]] = {
        "text": _on_text,
        "text_special": _on_text,
        "code_inline": _on_text,
        "softbreak": _on_break,
        "hardbreak": _on_break,
        "link_open": _on_link_open,
        "link_close": _on_link_close,
        "image": _on_image,
        "html_inline": _on_html_inline,
        "docfx_include": _on_docfx_include,
        "docfx_code": _on_docfx_code,
        "docfx_triple": _on_docfx_triple,
    }

    def _add_heading(self, heading: Token, text: str) -> None:
        line = heading.map[0] + 1 if heading.map else 1
        source = self.lines[line - 1] if line - 1 < len(self.lines) else ""
        if heading.markup and heading.markup[0] == "#":
            col = source.find("#") + 1 or 1
        else:
            col = len(source) - len(source.lstrip()) + 1
        self.headings.append(Heading(line, col, int(heading.tag[1]), text, slugify(text)))

def _is_tab_title(children: list[Token] | tuple[Token, ...]) -> bool:
    """A heading that is a single link to ``#tab/...``: DocFX makes it a tab, not a heading."""
    if len(children) < 2 or children[0].type != "link_open" or children[-1].type != "link_close":
        return False
    if sum(1 for child in children if child.type == "link_open") != 1:
        return False
    return _TAB_HREF.match(str(children[0].attrGet("href") or "")) is not None


def _line_range(text: str, with_l: bool) -> str | None:
    """DocFX's line range (``3-5``, ``3``, ``3-``; ``L3-L5`` after ``#``) as ``start-end`` with
    an empty bound for "to the end"; None when it is not one."""
    parts = text.split("-")
    if len(parts) > 2:
        return None
    numbers = []
    for part in parts:
        if not part:
            numbers.append("")
            continue
        if with_l:
            if len(part) < 2 or part[0] not in "Ll":
                return None
            part = part[1:]
        if not part.isdigit():
            return None
        numbers.append(str(int(part)))
    return numbers[0] if len(numbers) == 1 else f"{numbers[0]}-{numbers[1]}"


def _line_ranges(text: str) -> str:
    """``range="3-5,10"`` as DocFX reads it; empty when it does not parse (DocFX shows the file)."""
    ranges = [_line_range(part, False) for part in text.split(",")] if text else []
    return "" if not ranges or None in ranges else ",".join(r for r in ranges if r is not None)


def _code_selection(target: str) -> tuple[str, str]:
    """(region, lines) a ``[!code-x[](path?query#fragment)]`` asks for, as DocFX reads it: the
    fragment is a region unless it is a line range (``#L3-L5``); the query gives ``name``,
    ``start``/``end`` and ``range``. A region wins over lines; ``#L`` over ``start``/``end`` over
    ``range``."""
    match = _SNIPPET_TARGET.match(target)
    if match is None:
        return "", ""
    query, fragment = match.group(2) or "", match.group(3)
    region = ""
    start = end = ranges = ""
    for item in query.split("&") if query else ():
        key, equals, value = item.partition("=")
        if not equals or "=" in value:
            break
        key = key.lower()
        if key == "name":
            region = value
        elif key in ("start", "end"):
            if not value.isdigit():
                break
            if key == "start":
                start = end = str(int(value))
            else:
                end = str(int(value))
        elif key == "range":
            ranges = _line_ranges(value)
            if not ranges:
                break
        elif key not in ("highlight", "dedent"):
            break
    if fragment is not None:
        bookmark = _line_range(fragment.strip(), True)
        if bookmark is not None:
            ranges, start = bookmark, ""
        elif fragment.strip():
            region = fragment.strip()
    if region:
        return region.strip(), ""
    if start:
        return "", f"{start}-{end}"
    return "", ranges


def extract_facts(lines: list[str], body_start: int) -> dict[str, Any]:
    """Page fields (headings, anchors, links, includes, lists, comments, and the outline, alerts,
    snippets, DocFX block markers and conflicts) of the Markdown from line index ``body_start``
    on. Front matter lines are blanked so token maps are file lines."""
    text = "\n".join([""] * body_start + lines[body_start:])
    env: dict[str, Any] = {}
    tokens = markdown_parser().parse(text, env)
    code: dict[int, int] = {}
    html: dict[int, int] = {}
    for token in tokens:
        if token.type in ("code_block", "html_block") and token.map:
            first, last = token.map
            (code if token.type == "code_block" else html).update(dict.fromkeys(range(first, last), first))
    directives, conflicts = scan_blocks(lines, body_start, code, html)
    markers = frozenset(d.line - 1 for d in directives)
    extractor = _Extractor(lines, env, markers)
    extractor.run(tokens)
    links = extractor.links
    if any(link.kind == "reference" for link in links):
        # a definition used several times is one reference: report it once
        seen: set[tuple[int, int, str]] = set()
        keep: dict[int, int] = {}
        deduped: list[Link] = []
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
        "outline": Outline(tuple(extractor.h1),
                           _first_per_stretch(extractor.content, sorted(d.line for d in directives))),
        "directives": directives,
        "alerts": tuple(extractor.alerts),
        "conflicts": conflicts,
        "snippets": tuple(extractor.snippets),
    }


def _first_per_stretch(content: list[tuple[int, int]], marker_lines: list[int]) -> tuple[tuple[int, int], ...]:
    """The first content position between consecutive DocFX block markers (and before the first)."""
    found: dict[int, tuple[int, int]] = {}
    for position in sorted(content):
        found.setdefault(bisect_left(marker_lines, position[0]), position)
    return tuple(found[key] for key in sorted(found))


"""The Markdown parser: markdown-it-py configured as DocFX reads pages, plus DocFX's inline syntax.

Two inline rules are added (``[!INCLUDE ...]``/``[!code-...]`` and ``:::directive ...:::``), and
the tokens of links, images, autolinks and inline HTML remember where they start and end in their
block's text (``token.meta["pos"]``/``["end"]``), so facts get exact positions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

# Bounded repetitions: an unclosed construct repeated along a huge line must not make each
# attempt scan to the end of the line (quadratic time in C code no time budget can interrupt).
_BANG_RE = re.compile(
    r"\[!(?P<kind>include|code(?:-[^\s\[\]]{1,40})?)\s{0,20}\[(?P<title>[^\]\n]{0,500})\]\(\s{0,20}"
    r"(?P<target><[^>\n]{0,2000}>|[^)\s]{0,2000})(?:\s{1,20}\"[^\"\n]{0,500}\")?\s{0,20}\)\s{0,20}\]",
    re.IGNORECASE,
)
_TRIPLE_RE = re.compile(r":::(?P<name>[a-z][a-z-]{0,40})(?P<attrs>[^\n]{0,4000}?):::")
ATTR_RE = re.compile(r"""([A-Za-z_:][-A-Za-z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
"""One HTML-style attribute (``name``, ``name=value``, ``name="value"``, ``name='value'``)."""


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
        for attr in ATTR_RE.finditer(match["attrs"]):
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

"""The fixes rules offer: new link targets and list numbers, as Edits of the Page facts.

Rules see facts, not file text, so an edit names the span it is made in (the link, from its
first character to just past its last) and the exact text it replaces there, with the syntax
around it (``before``/``after``, regular expressions) that pins it to the link's destination
rather than its text or title. The applier (``playbooklint.fixes``) finds it in the file.

Every new target is checked here before it is offered: it must resolve, with the Docset's own
rules, to the file meant. A target that cannot be rewritten exactly (escapes, entities, a
symlinked folder on the way) gets no fix.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from ..model import Edit, Fix, Include, Link, ListBlock, TocEntry

if TYPE_CHECKING:
    from ..docset import Docset, Resolved

# The text of a link's span around its destination, per syntax (the span starts at the link's
# first character; a span without a known end ends with its line).
_INLINE = (r"(?s).*\]\(\s*<?", r"(?s)>?(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?\s*\)")
_BANG = (r"(?s).*?\]\(\s*<?", r"(?s)>?(?:\s+\"[^\"]*\")?\s*\)\s*\].*")
_HTML_HREF = (r"(?is)<[a-z][^<>]*?(?<![\w:.-])href\s*=\s*[\"']?\s*", r"(?s)(?:[\"'\s/>].*)?")
_HTML_SRC = (r"(?is)<[a-z][^<>]*?(?<![\w:.-])src\s*=\s*[\"']?\s*", r"(?s)(?:[\"'\s/>].*)?")
_DIRECTIVE = (r"(?i)[a-z-]+\s*=\s*[\"']?", r"(?s)(?:[\"'\s:].*)?")
_TOC_VALUE = (r"[\"']?", r"[\"']?\s*(?:[,}\]#].*)?")
_EXACT = ("", "")

_SYNTAX: dict[str, tuple[str, str]] = {
    "link": _INLINE,
    "image": _INLINE,
    "reference": _EXACT,  # the span is the destination in the definition
    "code": _BANG,
    "html": _HTML_HREF,
    "html-image": _HTML_SRC,
    "directive": _DIRECTIVE,
}


def link_edit(path: str, link: Link, replacement: str) -> Edit | None:
    """An edit of a link's destination, or None for syntax whose destination cannot be pinned."""
    syntax = _SYNTAX.get(link.kind)
    if syntax is None or not link.target or link.target == replacement:
        return None
    end_line, end_column = (link.end_line, link.end_column) if link.kind not in ("html", "html-image", "directive") \
        else (None, None)
    return Edit(path, link.line, link.column, end_line, end_column, link.target, replacement, *syntax)


def include_edit(path: str, include: Include, replacement: str) -> Edit:
    """An edit of an ``[!INCLUDE [title](target)]`` target (the span is the rest of its line)."""
    return Edit(path, include.line, include.column, None, None, include.target, replacement, *_BANG)


def toc_edit(path: str, entry: TocEntry, replacement: str) -> Edit:
    """An edit of a ``toc.yml`` href value (plain or quoted)."""
    return Edit(path, entry.line, entry.column, None, None, entry.href, replacement, *_TOC_VALUE)


def one_edit(edit: Edit | None, message: str, safe: bool = True) -> Fix | None:
    return Fix((edit,), safe, message) if edit is not None else None


Reference = Link | Include | TocEntry
"""What can carry a target: a link (image, snippet, HTML...), an include, a TOC entry."""


def _written(item: Reference) -> str:
    return item.href if isinstance(item, TocEntry) else item.target


def edit_of(path: str, item: Reference, replacement: str) -> Edit | None:
    """An edit of the target of a link, include or TOC entry of the file ``path``."""
    if isinstance(item, TocEntry):
        return toc_edit(path, item, replacement)
    if isinstance(item, Include):
        return include_edit(path, item, replacement)
    return link_edit(path, item, replacement)


def new_target_fix(path: str, item: Reference, replacement: str | None, safe: bool = True) -> Fix | None:
    """A fix writing ``replacement`` as the target of ``item``."""
    if replacement is None:
        return None
    return one_edit(edit_of(path, item, replacement), f"write '{replacement}'", safe)


def case_fix(docset: Docset, source: str, item: Reference, resolved: Resolved) -> Fix | None:
    """link-case-mismatch: each path segment spelt as on disk."""
    toc = isinstance(item, TocEntry)
    return new_target_fix(source, item, recased(docset, source, _written(item), resolved, toc))


def redirect_fix(docset: Docset, source: str, item: Reference, resolved: Resolved) -> Fix | None:
    """link-redirected: the file the redirect leads to, when it is a file of this docset."""
    toc = isinstance(item, TocEntry)
    return new_target_fix(source, item, redirect_target(docset, source, _written(item), resolved.detail, toc))


def broken_fix(docset: Docset, source: str, item: Reference, resolved: Resolved) -> Fix | None:
    """link-broken (unsafe): the one file of the docset with the name written."""
    if resolved.path is None or resolved.detail or resolved.docset is not None or resolved.url:
        return None
    same = docset.files_named(posixpath.basename(resolved.path))
    if len(same) != 1:
        return None
    toc = isinstance(item, TocEntry)
    return new_target_fix(source, item, retargeted(docset, source, _written(item), same[0], toc), safe=False)


def anchor_fix(source: str, item: Link, fragment: str, anchors: Collection[str] | None) -> Fix | None:
    """link-anchor-missing (unsafe): the one anchor of the target that matches ignoring case and
    punctuation."""
    if not anchors:
        return None
    found = anchor_target(item.target, fragment, anchors)
    if found is None:
        return None
    return new_target_fix(source, item, found[0], safe=False)


# ---------------------------------------------------------------------- targets


def _split(target: str) -> tuple[str, str, str, str] | None:
    """(opening ``<``, path, ``?query#fragment``, closing ``>``) of a target, as the Docset reads it."""
    if target != target.strip():
        return None
    opening = closing = ""
    inner = target
    if inner.startswith("<") and inner.endswith(">") and len(inner) >= 2:
        opening, closing, inner = "<", ">", inner[1:-1]
    cut = len(inner)
    for mark in "?#":
        found = inner.find(mark)
        if found >= 0:
            cut = min(cut, found)
    return opening, inner[:cut], inner[cut:], closing


_UNITS = re.compile(r"(?:%[0-9A-Fa-f]{2})+|.", re.DOTALL)


def _respell(raw: str, real: str) -> str | None:
    """``raw`` (a path segment as written) spelt like ``real``, keeping each percent-escape that
    still stands for the same character; None when they are not the same name but for case."""
    if "%" not in raw:
        return real if raw.lower() == real.lower() else None
    out: list[str] = []
    at = 0
    for match in _UNITS.finditer(raw):
        unit = match.group(0)
        escaped = len(unit) > 1
        decoded = unquote(unit) if escaped else unit
        piece = real[at: at + len(decoded)]
        if len(piece) != len(decoded) or piece.lower() != decoded.lower():
            return None
        if piece == decoded:
            out.append(unit)
        elif escaped:
            encoded = quote(piece, safe="")
            out.append(encoded.lower() if unit != unit.upper() else encoded)
        else:
            out.append(piece)
        at += len(decoded)
    return "".join(out) if at == len(real) else None


def recased(docset: Docset, source: str, target: str, resolved: Resolved, toc: bool = False) -> str | None:
    """``target`` with every path segment spelt as on disk (the link's own form kept: relative
    stays relative, ``./``, ``~/``, backslashes, the query, the fragment and percent-escapes stay
    where they were); None when it cannot be rewritten exactly."""
    parts = _split(target)
    if parts is None or resolved.path is None:
        return None
    opening, path, rest, closing = parts
    tokens = re.split(r"([/\\])", path)
    segments = tokens[0::2]
    first = 0
    stack: list[tuple[str, int | None]] = []
    if path.startswith(("~/", "~\\")):
        first = 1
    elif path.startswith(("/", "\\")):
        slashed = unquote(path.replace("\\", "/"))
        base = next((b for b in docset.config.url_base if slashed.startswith(b) or slashed + "/" == b), None)
        if base is None:
            return None  # a site URL: case does not matter there
        first = 1 + len([s for s in base.split("/") if s])
    else:
        stack = [(segment, None) for segment in posixpath.dirname(source).split("/") if segment]
    for index in range(first, len(segments)):
        decoded = unquote(segments[index])
        if "/" in decoded or "\\" in decoded:
            return None
        if decoded in ("", "."):
            continue
        if decoded == "..":
            if not stack:
                return None
            stack.pop()
        else:
            stack.append((decoded, index))
    real = resolved.path.split("/")
    for depth, (decoded, position) in enumerate(stack):
        if depth >= len(real):
            return None
        want = real[depth]
        if decoded == want:
            continue
        if position is None:
            return None
        if decoded.lower() != want.lower():
            last = depth == len(stack) - 1
            if not (last and want.lower().startswith(decoded.lower()) and want[len(decoded):].lower() in (".md", ".yml")):
                return None
            want = want[: len(decoded)]  # a site URL without its extension
        spelt = _respell(segments[position], want)
        if spelt is None:
            return None
        segments[position] = spelt
    tokens[0::2] = segments
    fixed = f"{opening}{''.join(tokens)}{rest}{closing}"
    if fixed == target:
        return None
    check = docset.resolve(source, fixed, toc=toc)
    return fixed if check.status == "ok" and check.path == resolved.path else None


def _styled(docset: Docset, source: str, written_path: str, path: str) -> str:
    """``path`` (root-relative) written from ``source`` in the written link's form."""
    if written_path.startswith(("~/", "~\\")):
        return f"~/{path}"
    relative = docset.relative(source, path)
    if written_path.startswith(("./", ".\\")) and not relative.startswith("../"):
        return f"./{relative}"
    return relative


def retargeted(docset: Docset, source: str, target: str, path: str, toc: bool = False,
               query: str = "", fragment: str = "") -> str | None:
    """``target`` pointing to the file ``path`` instead, in the same form, its own query and
    fragment kept (else ``query``/``fragment``); None when the result would not resolve there."""
    parts = _split(target)
    if parts is None:
        return None
    opening, written, rest, closing = parts
    new_path = _styled(docset, source, written, path)
    if opening != "<" and re.search(r"[\s()<>]", new_path):
        return None
    own_fragment = rest.partition("#")[2] if "#" in rest else None
    own_query = rest.partition("#")[0]
    tail = own_query or (f"?{query}" if query else "")
    if own_fragment is not None:
        tail += f"#{own_fragment}"
    elif fragment:
        tail += f"#{fragment}"
    fixed = f"{opening}{new_path}{tail}{closing}"
    if fixed == target:
        return None
    check = docset.resolve(source, fixed, toc=toc)
    return fixed if check.status == "ok" and check.path == path and check.docset is None else None


_LEARN = re.compile(r"^https?://(?:learn|docs)\.microsoft\.com(/[^?#]*)?", re.IGNORECASE)
_LOCALE = re.compile(r"^/[a-z]{2}-[a-z]{2,4}(?=/)", re.IGNORECASE)


def redirect_target(docset: Docset, source: str, target: str, redirect_url: str, toc: bool = False) -> str | None:
    """The file of this docset a redirect leads to, linked from ``source`` in the form of
    ``target`` (keeping its query and anchor); None when the redirect leaves the docset."""
    url = redirect_url.strip()
    match = _LEARN.match(url)
    if match:
        url = _LOCALE.sub("", match.group(1) or "/") + url[match.end():]
    if not url.startswith("/"):
        return None
    location, _, fragment = url.partition("#")
    site_path, _, query = location.partition("?")
    found = docset.resolve(source, site_path, toc=toc)
    if found.status != "ok" or found.docset is not None or not found.path:
        return None
    return retargeted(docset, source, target, found.path, toc, query, fragment)


def _loose(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.casefold())


def anchor_target(target: str, wanted: str, anchors: Collection[str]) -> tuple[str, str] | None:
    """(new target, anchor) when exactly one anchor matches ``wanted`` ignoring case and
    punctuation; the rest of the fragment (a misplaced query) is kept."""
    loose = _loose(wanted)
    if not loose:
        return None
    matches = [anchor for anchor in anchors if _loose(anchor) == loose]
    if len(matches) != 1 or re.search(r"[\s()<>\"'#]", matches[0]):
        return None
    parts = _split(target)
    if parts is None or "#" not in parts[2]:
        return None
    opening, path, rest, closing = parts
    query, _, fragment = rest.partition("#")
    written_anchor = re.split(r"[?&]", fragment, maxsplit=1)[0]
    return f"{opening}{path}{query}#{matches[0]}{fragment[len(written_anchor):]}{closing}", matches[0]


# ---------------------------------------------------------------------- lists


def renumbered(numbers: Sequence[int | None], allowed: Collection[int]) -> list[int] | None:
    """The numbers an ordered list should carry: all the same as the first when the list starts
    lazily (``1.`` ``1.``) and that changes no more numbers than counting would (a lazy list stays
    lazy); else consecutive from the first number (from 1 when that one is not allowed)."""
    values = [n for n in numbers if n is not None]
    if len(values) != len(numbers) or not values:
        return None
    start = values[0] if values[0] in allowed else 1
    lazy = sum(1 for v in values if v == values[0])
    counted = sum(1 for i, v in enumerate(values) if v == start + i)
    if len(values) > 1 and values[0] == values[1] and lazy >= counted:
        return [values[0]] * len(values)
    return [start + i for i in range(len(values))]


def numbering_fix(path: str, block: ListBlock, allowed: Collection[int]) -> Fix | None:
    """Renumber an ordered list's items in order (a lazy list stays lazy)."""
    wanted = renumbered([item.number for item in block.items], allowed)
    if wanted is None:
        return None
    edits = []
    for item, number in zip(block.items, wanted):
        if item.number is not None and item.number != number:
            written = str(item.number)
            edits.append(Edit(path, item.line, item.column, item.line, item.column + len(written), written,
                              str(number)))
    if not edits:
        return None
    how = f"number every item {wanted[0]}." if len(set(wanted)) == 1 else f"number the items {wanted[0]} to {wanted[-1]}"
    return Fix(tuple(edits), True, how)

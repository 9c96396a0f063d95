"""Line-level facts markdown-it does not see: DocFX's block extension markers (``::: zone``,
``::: moniker``, ``:::row:::``, ``:::column:::``, complex ``:::image``) and git merge conflicts.

DocFX (Markdig) opens these blocks on a line of their own, anywhere a block may start, and resets
the indentation inside them: content indented by four spaces inside a ``:::column:::`` is not a
code block there, though CommonMark would make it one. So this scan follows fenced code itself
(indentation ignored) and honours markdown-it's indented code blocks only outside any open
DocFX block.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from collections.abc import Mapping

from ..model import Conflict, Directive

_PREFIX = re.compile(r"[ \t]*(?:>[ \t]?[ \t]*){0,20}")
"""Indentation and blockquote markers before a block starts."""
_FENCE_OPEN = re.compile(r"(`{3,}|~{3,})(.{0,2000})")
_MAX_ARGS = 300

# DocFX's parsers, in the order it tries them: the name decides the block, the rest of the line
# is kept as written. Zones and images are "triple colon" extensions (exactly three colons; end
# markers compared case-sensitively); monikers, rows and columns take three colons or more.
_DIRECTIVES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("zone-end", re.compile(r":::(?!:)[ \t]*zone-end(?![\w-])(.{0,2000})")),
    ("zone", re.compile(r":::(?!:)[ \t]*(?i:zone)(?![\w-])(.{0,2000})")),
    ("moniker-end", re.compile(r":{3,}[ \t]*(?i:moniker-end)(?![\w-])(.{0,2000})")),
    ("moniker", re.compile(r":{3,}[ \t]*(?i:moniker)[ \t]+((?i:range)=\".{0,2000})")),
    ("row-end", re.compile(r":{3,}[ \t]*(?i:row-end:::)(.{0,2000})")),
    ("row", re.compile(r":{3,}[ \t]*(?i:row:::)(.{0,2000})")),
    ("column-end", re.compile(r":{3,}[ \t]*(?i:column-end:::)(.{0,2000})")),
    ("column", re.compile(r":{3,}[ \t]*(?i:column)((?:[ \t]+(?i:span)=\"[^\"\n]{0,100}\")?[ \t]*:::.{0,2000})")),
    ("image-end", re.compile(r":::(?!:)[ \t]*image-end[ \t]*:::(.{0,2000})")),
    ("image", re.compile(r":::(?!:)[ \t]*(?i:image)[ \t]+(.{0,2000}\btype[ \t]*=[ \t]*\"complex\".{0,2000})")),
)

_CONFLICT_START = re.compile(r"<{7}(?: |$)")
_CONFLICT_MIDDLE = re.compile(r"={7}[ \t]*$")
_CONFLICT_END = re.compile(r">{7}(?: |$)")
_OPENERS = frozenset({"zone", "moniker", "row", "column", "image"})


def _directive(text: str) -> tuple[str, str] | None:
    """(name, args) of a DocFX block marker line (indentation and quote markers removed)."""
    for name, pattern in _DIRECTIVES:
        match = pattern.match(text)
        if match:
            return name, match.group(1).strip()[:_MAX_ARGS]
    return None


def scan_blocks(lines: list[str], body_start: int, code_blocks: Mapping[int, int],
                html_blocks: Mapping[int, int]) -> tuple[tuple[Directive, ...], tuple[Conflict, ...]]:
    """DocFX block markers and git conflicts in the lines from ``body_start`` (0-based) on.

    ``code_blocks`` and ``html_blocks``: for each 0-based line markdown-it reads as indented code
    or as an HTML block, the first line of that block. A marker in an HTML block (``<!-- ... -->``,
    a ``<div>`` block) is HTML text, and so is one in indented code outside DocFX blocks. Inside a
    DocFX block, DocFX asks the open blocks first, so their end markers close them even in fenced
    code or HTML (which ends there too). A conflict counts wherever its first line is outside
    fenced code.
    """
    directives: list[Directive] = []
    starts: list[int] = []
    middles: list[int] = []
    ends: list[int] = []
    fence: tuple[str, int, int] | None = None  # (character, length, DocFX blocks open) inside fenced code
    stack: list[str] = []  # the DocFX blocks open, outermost first
    last_end = -1  # the last line where an end marker closed blocks around fenced code or HTML
    for index in range(body_start, len(lines)):
        line = lines[index]
        if not line:
            continue
        first = line[0]
        if first == "=" and _CONFLICT_MIDDLE.match(line):
            middles.append(index)
        elif first == ">" and _CONFLICT_END.match(line):
            ends.append(index)
        text = line.lstrip(" \t")
        if not text:
            continue
        lead = text[0]
        if lead == ">":
            prefix = _PREFIX.match(line)
            offset = prefix.end() if prefix else 0
            if offset >= len(line):
                continue
            lead = line[offset]
        else:
            offset = len(line) - len(text)
        if lead not in ":`~<":
            continue
        found = _directive(line[offset:]) if lead == ":" else None
        if found is not None and stack and found[0].endswith("-end") and found[0][:-4] in stack:
            directives.append(Directive(index + 1, offset + 1, *found))
            del stack[len(stack) - 1 - stack[::-1].index(found[0][:-4]):]
            if fence is not None and fence[2] > len(stack):
                fence = None
            last_end = index
            continue
        if fence is not None:
            if lead == fence[0]:
                rest = line[offset:].lstrip(lead)
                if len(line) - offset - len(rest) >= fence[1] and not rest.strip():
                    fence = None
            continue
        if first == "<" and _CONFLICT_START.match(line):
            starts.append(index)
            continue
        if html_blocks.get(index, -2) > last_end or (not stack and code_blocks.get(index, -2) > last_end):
            continue
        if lead in "`~":
            match = _FENCE_OPEN.match(line, offset)
            if match and not (lead == "`" and "`" in match.group(2)):
                fence = (lead, len(match.group(1)), len(stack))
            continue
        if found is None:
            continue
        name, args = found
        directives.append(Directive(index + 1, offset + 1, name, args))
        if name in _OPENERS and not (name == "zone" and "zone" in stack):  # DocFX nests no zones
            stack.append(name)
    return tuple(directives), _conflicts(starts, middles, ends)


def _conflicts(starts: list[int], middles: list[int], ends: list[int]) -> tuple[Conflict, ...]:
    """Whole conflicts: a start (outside code), then a separator, then an end, before the next start."""
    found: list[Conflict] = []
    for number, start in enumerate(starts):
        limit = starts[number + 1] if number + 1 < len(starts) else sys.maxsize
        at = bisect_right(middles, start)
        if at == len(middles) or middles[at] >= limit:
            continue
        middle = middles[at]
        at = bisect_right(ends, middle)
        if at < len(ends) and ends[at] < limit:
            found.append(Conflict(start + 1, middle + 1, ends[at] + 1))
    return tuple(found)

"""Code snippet files as DocFX reads them: their lines and named regions.

Pure: text in, facts out. DocFX finds a region with one "extractor" per comment style (``//
<x>`` ... ``// </x>``, ``# <x>``, ``<!-- <x> -->``, ``' <x>``, ``-- <x>``, ``rem <x>``, ``% <x>``,
``; <x>``, ``/* <x> */``, and ``#region x`` ... ``#endregion``, nested), each chosen by the
snippet's language. Here every style is read whatever the language: a region any of them finds
counts as there, so a region is reported missing only when DocFX cannot find it in any style.
Whitespace inside a tag line is ignored and names compare case-insensitively, as in DocFX; a
snippet may name a region with or without its ``snippet`` prefix (``#1`` finds ``<Snippet1>``).
"""

from __future__ import annotations

import re
from typing import NamedTuple

_TAG_NAME = re.compile(r"[\w.-]+")
_PLACEHOLDER = "{tagname}"

# (start template, end template, whether the end names its region): DocFX's extractors
_STYLES: tuple[tuple[str, str, bool], ...] = (
    ("'<{tagname}>", "'</{tagname}>", True),  # Visual Basic
    ("//<{tagname}>", "//</{tagname}>", True),  # C family
    ("<!--<{tagname}>-->", "<!--</{tagname}>-->", True),  # markup
    ("--<{tagname}>", "--</{tagname}>", True),  # SQL, Haskell, Lua
    ("#<{tagname}>", "#</{tagname}>", True),  # Python, PowerShell, shell, ...
    ("rem<{tagname}>", "rem</{tagname}>", True),  # batch files
    ("#region{tagname}", "#endregion", False),  # C#, Visual Basic regions
    ("%<{tagname}>", "%</{tagname}>", True),  # Erlang, MATLAB
    (";<{tagname}>", ";</{tagname}>", True),  # Lisp
    ("/*<{tagname}>*/", "/*</{tagname}>*/", False),  # CSS
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class Region(NamedTuple):
    """A named region of a snippet file."""

    line: int
    """1-based line of its start tag."""
    closed: bool
    """False when no end tag follows (DocFX then shows nothing)."""


class SnippetFile(NamedTuple):
    """What a snippet can select from a file."""

    lines: int
    """Number of lines (a final line break ends the last line, as .NET's ReadLine counts)."""
    regions: dict[str, Region]
    """Lower-case region name -> where it starts and whether it ends."""

    def region(self, name: str) -> Region | None:
        """The region a snippet's ``name`` means (``x``, else ``snippetx``), case-insensitively."""
        name = name.strip().lower()
        return self.regions.get(name) or self.regions.get("snippet" + name)


def _match(line: str, template: str, named: bool = True) -> str | None:
    """The tag name when ``line`` is ``template`` with whitespace anywhere (DocFX's MatchTag)."""
    before, _, after = template.partition(_PLACEHOLDER)
    column = index = 0
    length = len(line)
    while column < length and index < len(before):
        char = line[column]
        if not char.isspace():
            if char.lower() != before[index]:
                return None
            index += 1
        column += 1
    if index != len(before):
        return None
    start = column
    if after:
        stop = line.find(after[0], column)
        column = length if stop < 0 else stop
    else:
        column = length
    name = line[start:column].strip().lower()
    index = 0
    while column < length and index < len(after):
        char = line[column]
        if not char.isspace():
            if char.lower() != after[index]:
                return None
            index += 1
        column += 1
    if index != len(after) or line[column:].strip():
        return None
    if named and not _TAG_NAME.fullmatch(name):
        return None
    return name


def read_snippet(text: str) -> SnippetFile:
    """Lines and regions of a snippet file's text."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    candidates = [(index, line) for index, line in enumerate(lines)
                  if "<" in line or "region" in line.lower()]
    regions: dict[str, Region] = {}
    for start_template, end_template, end_named in _STYLES:
        found: dict[str, Region] = {}
        stack: list[str] = []
        for index, line in candidates:
            name = _match(line, end_template, end_named)
            if name is not None:
                if not end_named:
                    name = stack.pop() if stack else ""
                region = found.get(name)
                if region is not None and not region.closed:
                    found[name] = region._replace(closed=True)
                continue
            name = _match(line, start_template)
            if name is not None:
                found[name] = Region(index + 1, False)
                stack.append(name)
        for name, region in found.items():
            known = regions.get(name)
            if known is None or (region.closed and not known.closed):
                regions[name] = region
    return SnippetFile(len(lines), regions)

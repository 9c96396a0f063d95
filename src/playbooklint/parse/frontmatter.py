"""Front matter: where the YAML block is (DocFX's fences, exact line offsets) and its mapping, with
the position of each top-level key, loaded by the safe loader of ``yamlsafe``."""

from __future__ import annotations

import re
from typing import Any

import yaml

from .. import yamlsafe
from ..model import MetaKey, Problem

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


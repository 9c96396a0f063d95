"""``toc.yml`` -> the entries each ``items:`` list shows, with the line and column of each href."""

from __future__ import annotations

import os

import yaml

from .. import yamlsafe
from ..model import Problem, TocEntry, TocSection

_TOC_KEYS = ("href", "topicHref", "tocHref")


def is_toc(rel_path: str) -> bool:
    """True for a DocFX table of contents (``toc.yml``, any case, in any folder)."""
    return os.path.basename(rel_path).lower() == "toc.yml"


def parse_toc(text: str) -> tuple[tuple[TocSection, ...], list[Problem]]:
    """Each ``items:`` list (top level first) with its entries' hrefs; or a ``toc-invalid`` problem."""
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


"""Safe YAML for untrusted front matter and TOC files, with positions.

- PyYAML's safe loader (libyaml's when present), with dates kept as text: ``ms.date: 2019-02-18``
  stays the string the schema judges;
- aliases refused before anything is constructed (an alias bomb costs one event scan);
- duplicate keys reported at the repeated key;
- python tags refused (the safe constructor knows no python tags), in what is only composed
  (``toc.yml``) as in what is constructed;
- deep nesting reported: more than ``MAX_DEPTH`` levels, libyaml's nesting limit, and pure-Python
  PyYAML's ``RecursionError`` (not a ``YAMLError``) all become a problem, so no data deep enough to
  break ``pickle``, ``repr`` or ``json`` later on ever leaves this module.
"""

from __future__ import annotations

from typing import Any

import yaml

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
MAX_DEPTH = 100
"""Deepest nesting of collections accepted (a TOC nests two levels per ``items:``)."""
_SAFE_TAGS = frozenset(tag for tag in yaml.SafeLoader.yaml_constructors if tag) | {
    "tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"}
"""Tags the safe constructor builds (plus the merge and value keys it handles itself)."""


_RESOLVERS = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class SafeTextLoader(_Base):  # type: ignore[misc,valid-type,unused-ignore]
    """Safe loader (libyaml's when installed) that does not turn dates into ``datetime`` objects."""

    yaml_implicit_resolvers = _RESOLVERS


class PureSafeTextLoader(yaml.SafeLoader):
    """The same in pure Python (PyYAML without libyaml): deep nesting raises RecursionError."""

    yaml_implicit_resolvers = _RESOLVERS


_TOO_DEEP = f"YAML is nested too deeply to read (more than {MAX_DEPTH} levels)"


class YamlProblem(Exception):
    """A YAML document that must not be used, with the 0-based position inside the YAML text."""

    def __init__(self, message: str, line: int, column: int, first_line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.first_line = first_line
        """For a duplicate key: the 0-based line of its first definition."""


def _mark(exc: yaml.MarkedYAMLError, text: str = "") -> tuple[int, int]:
    """Where to point: the problem, unless it was only noticed at the end of the text (an
    unterminated quote or bracket), then where the unfinished construct started."""
    mark = exc.problem_mark
    if exc.context_mark is not None and (mark is None or mark.index >= len(text.rstrip())):
        mark = exc.context_mark
    return (mark.line, mark.column) if mark is not None else (0, 0)


def _refuse_aliases(text: str, loader_class: Any) -> None:
    """Scan events (cheap, nothing constructed) and refuse the first alias."""
    loader = loader_class(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                raise YamlProblem(
                    f"YAML alias '*{event.anchor}' is not allowed; write the value out in full",
                    mark.line if mark else 0,
                    mark.column if mark else 0,
                )
    finally:
        loader.dispose()


def _scalar_key(node: yaml.Node) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else f"<{getattr(node, 'id', 'complex')} key>"


def _check_duplicates(root: yaml.Node) -> None:
    """Walk the composed tree (iteratively) and refuse a mapping that repeats a key, a tag the
    safe constructor does not build (``!!python/object``), or nesting deeper than ``MAX_DEPTH``."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if node.tag not in _SAFE_TAGS:
            mark = node.start_mark
            raise YamlProblem(f"YAML tag '{node.tag}' is not allowed; use plain values",
                              mark.line if mark else 0, mark.column if mark else 0)
        if isinstance(node, yaml.MappingNode):
            if depth > MAX_DEPTH:
                raise YamlProblem(_TOO_DEEP, node.start_mark.line, node.start_mark.column)
            seen: dict[str, int] = {}
            for key, value in node.value:
                name = _scalar_key(key)
                if name in seen and key.tag != "tag:yaml.org,2002:merge":
                    raise YamlProblem(
                        f"duplicate key '{name}'",
                        key.start_mark.line,
                        key.start_mark.column,
                        first_line=seen[name],
                    )
                seen[name] = key.start_mark.line
                stack.append((value, depth + 1))
                stack.append((key, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            if depth > MAX_DEPTH:
                raise YamlProblem(_TOO_DEEP, node.start_mark.line, node.start_mark.column)
            stack.extend((child, depth + 1) for child in node.value)


def compose(text: str, loader_class: Any = SafeTextLoader) -> yaml.Node | None:
    """Compose one YAML document safely; raise YamlProblem for anything we refuse."""
    try:
        if "*" in text:
            _refuse_aliases(text, loader_class)
    except yaml.MarkedYAMLError:
        pass  # not valid YAML: the composer below says where
    except RecursionError:
        raise YamlProblem("YAML is nested too deeply to read", 0, 0) from None
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        line, column = _mark(exc, text)
        raise YamlProblem(_describe(exc), line, column) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"not valid YAML: {exc}", 0, 0) from None
    except RecursionError:
        raise YamlProblem("YAML is nested too deeply to read", 0, 0) from None
    finally:
        loader.dispose()
    if node is not None:
        _check_duplicates(node)
    return node


def construct(node: yaml.Node) -> Any:
    """Build Python data from a composed node (safe constructor, dates as text)."""
    loader = SafeTextLoader("")
    try:
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        line, column = _mark(exc)
        raise YamlProblem(_describe(exc), line, column) from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise YamlProblem(f"cannot use this YAML value: {exc}", 0, 0) from None
    except RecursionError:
        raise YamlProblem("YAML is nested too deeply to read", 0, 0) from None
    finally:
        loader.dispose()


def _describe(exc: yaml.MarkedYAMLError) -> str:
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    if problem.startswith("could not determine a constructor for the tag"):
        tag = problem.split("tag", 1)[1].strip().strip("'")
        return f"YAML tag '{tag}' is not allowed; use plain values"
    if "maximum nesting depth" in problem:
        return "YAML is nested too deeply to read"
    if context and problem:
        return f"not valid YAML: {problem} ({context})"
    return f"not valid YAML: {problem or context or exc}"

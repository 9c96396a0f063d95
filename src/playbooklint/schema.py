"""The page metadata schema: bundled default or a user's own, never fetched over the network.

Checking a page against it takes time linear in the page: the schema's regular expressions
(``pattern``, ``patternProperties``, ``format: regex``) are run by RE2, which never backtracks, so
no page value can make ``"^(a+)+$"`` run for ever. A pattern RE2 cannot run (lookaround,
backreferences) makes the schema unusable (exit 2, naming it), as does a ``$ref`` that cannot be
resolved, wherever it is.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import re2  # type: ignore[import-untyped,unused-ignore]
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource, Unresolvable
from referencing.jsonschema import DRAFT202012, specification_with

from .config import Config, ConfigError
from .docfx import DocfxInfo, nested_deeper_than
from .model import Page
from .readfile import read_regular_text

SCHEMA_NAME = "playbook-page.schema.json"
BUNDLED = {"playbook": SCHEMA_NAME, "learn": "learn-page.schema.json"}
"""The bundled schemas by name: ``schema = "learn"`` or ``"playbook"`` in config."""
_MS_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")

FORMAT_CHECKER = jsonschema.FormatChecker()
MAX_SCHEMA_DEPTH = 64
"""Deepest nesting of a schema file accepted (validation descends it recursively)."""

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a bad pattern is reported by us, not printed on stderr by RE2


def _re2(pattern: str) -> Any:
    """``pattern`` compiled by RE2 (linear-time matching); ``re2.error`` when RE2 cannot run it."""
    return re2.compile(pattern, _RE2_OPTIONS)


_schema_regex = functools.lru_cache(maxsize=1024)(_re2)
"""The schema's own patterns, compiled once (page values checked as ``format: regex`` are not kept)."""


def _re2_error(exc: Exception) -> str:
    detail = exc.args[0] if exc.args else exc
    return detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)


def _search(pattern: str, text: str) -> bool:
    """True when the schema ``pattern`` matches somewhere in ``text`` (as JSON Schema's ``pattern``)."""
    regex = _schema_regex(pattern)
    try:
        return regex.search(text) is not None
    except UnicodeEncodeError:  # a lone surrogate (a YAML escape): matched as the bytes it stands for
        return regex.search(text.encode("utf-8", "surrogatepass")) is not None


@FORMAT_CHECKER.checks("regex", raises=re2.error)
def is_regex(value: object) -> bool:
    """A regular expression RE2 can run (a page value: compiled in bounded time and memory, never kept)."""
    if isinstance(value, str):
        _re2(value)
    return True


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not _search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if _search(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(validator: Any, additional: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    properties = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    extras = {key for key in instance
              if key not in properties and not any(_search(pattern, key) for pattern in patterns)}
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        names = ", ".join(repr(each) for each in sorted(extras, key=str))
        if patterns:
            verb = "does" if len(extras) == 1 else "do"
            listed = ", ".join(repr(each) for each in sorted(patterns))
            yield ValidationError(f"{names} {verb} not match any of the regexes: {listed}")
        else:
            verb = "was" if len(extras) == 1 else "were"
            yield ValidationError(f"Additional properties are not allowed ({names} {verb} unexpected)")


_RE2_KEYWORDS = {"pattern": _pattern, "patternProperties": _pattern_properties,
                 "additionalProperties": _additional_properties}
"""The keywords that run regular expressions, run by RE2 instead of Python's backtracking ``re``."""


@FORMAT_CHECKER.checks("ms-date", raises=ValueError)
def is_ms_date(value: object) -> bool:
    """``M/D/YYYY`` or ``MM/DD/YYYY``, and a real calendar date (``2/30/2019`` is not)."""
    if not isinstance(value, str):
        return True  # type is the "type" keyword's business
    match = _MS_DATE.fullmatch(value)
    if not match:
        return False
    month, day, year = (int(g) for g in match.groups())
    _dt.date(year, month, day)  # ValueError for impossible dates
    return True


def bundled_schema_text(name: str = "playbook") -> str:
    """A bundled schema, from the installed package (or the checkout's ``schemas/``)."""
    filename = BUNDLED[name]
    packaged = resources.files("playbooklint").joinpath("schemas").joinpath(filename)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[2] / "schemas" / filename
    return checkout.read_text(encoding="utf-8")


def is_playbook(metadata: Iterable[Mapping[str, Any]], lifecycle_configured: bool) -> bool:
    """A docset is a playbook when its lifecycle is configured or any page's metadata (front
    matter merged with docfx.json's) carries a FastTrack ``ft.*`` key; other docsets are plain
    Learn docsets and are not asked for ``ft.*`` keys."""
    return lifecycle_configured or any(
        isinstance(key, str) and key.startswith("ft.") for meta in metadata for key in meta
    )


def choose_schema(schema: Path | str | None, playbook: Callable[[], bool]) -> Path | str:
    """The schema a docset is checked with: the configured one (a path, or a bundled name), else
    the playbook schema for playbooks and the Learn schema for other docsets."""
    if schema is not None:
        return schema
    return "playbook" if playbook() else "learn"


def _no_network(base: Path | None) -> Callable[[str], Resource]:
    retrieved: dict[str, Resource] = {}

    def retrieve(uri: str) -> Resource:
        if uri in retrieved:
            return retrieved[uri]
        if base is not None and "://" not in uri and not uri.startswith("/"):
            candidate = (base / uri).resolve()
            if candidate.is_file() and base in candidate.parents:
                try:
                    contents = json.loads(read_regular_text(candidate))
                except (OSError, ValueError, RecursionError):
                    raise NoSuchResource(ref=uri) from None  # type: ignore[call-arg]
                if nested_deeper_than(contents, MAX_SCHEMA_DEPTH):
                    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]
                found = retrieved[uri] = Resource.from_contents(contents, default_specification=DRAFT202012)
                return found
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg]

    return retrieve


def _check_subschemas(schema: dict[str, Any], registry: Registry[Any], where: str) -> None:
    """Every subschema the validator may reach, through ``$ref`` too, checked before any page is:
    each ``$ref`` resolves, each pattern compiles in RE2, and ``unevaluatedProperties`` is not used
    with ``patternProperties`` (jsonschema would run those patterns with Python's ``re``)."""
    dialect = schema.get("$schema")
    specification = specification_with(dialect, default=DRAFT202012) if isinstance(dialect, str) else DRAFT202012
    root = specification.create_resource(schema)
    stack = [(root, registry.resolver_with_root(root))]
    seen: set[int] = set()
    keywords: set[str] = set()
    while stack:
        resource, resolver = stack.pop()
        contents = resource.contents
        if id(contents) in seen:
            continue
        seen.add(id(contents))
        if isinstance(contents, dict):
            keywords.update(k for k in ("patternProperties", "unevaluatedProperties") if k in contents)
            ref = contents.get("$ref")
            if isinstance(ref, str):
                try:
                    resolved = resolver.lookup(ref)
                except Unresolvable:
                    raise ConfigError(f"schema {where}: $ref '{ref}' cannot be resolved; remote $ref are never "
                                      "fetched, local ones must sit beside the schema") from None
                target = Resource.from_contents(resolved.contents, default_specification=specification)
                stack.append((target, resolved.resolver))
            patterns = [contents.get("pattern")]
            if isinstance(contents.get("patternProperties"), dict):
                patterns += list(contents["patternProperties"])
            for pattern in patterns:
                if isinstance(pattern, str):
                    try:
                        _schema_regex(pattern)
                    except re2.error as exc:
                        raise ConfigError(
                            f"schema {where}: pattern '{pattern[:80]}' cannot be used ({_re2_error(exc)}): patterns "
                            "are run by RE2 so that no page can make a check run for ever, and RE2 has no "
                            "lookaround or backreferences") from None
        for sub in resource.subresources():
            stack.append((sub, resolver.in_subresource(sub)))
    if keywords == {"patternProperties", "unevaluatedProperties"}:
        raise ConfigError(f"schema {where}: unevaluatedProperties cannot be used together with patternProperties "
                          "(their patterns would be run by a backtracking regular expression engine)")


def load_validator(path: Path | str | None) -> jsonschema.protocols.Validator:
    """A format-checking validator for a schema file, or a bundled one by name (None: the playbook
    schema); ConfigError (exit 2) when it is unusable."""
    bundled = "playbook" if path is None else path if isinstance(path, str) else None
    if isinstance(path, str):
        path = None
    where = str(path) if path else f"bundled {bundled} schema"
    try:
        text = read_regular_text(path, "utf-8-sig") if path else bundled_schema_text(bundled or "playbook")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read schema {where}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        schema: Any = json.loads(text)
    except RecursionError:
        raise ConfigError(f"schema {where} is not valid JSON: nested too deeply to read") from None
    except ValueError as exc:
        raise ConfigError(f"schema {where} is not valid JSON: {exc}") from None
    if not isinstance(schema, dict):
        raise ConfigError(f"schema {where} must be a JSON object")
    if nested_deeper_than(schema, MAX_SCHEMA_DEPTH):
        raise ConfigError(f"schema {where} is nested more than {MAX_SCHEMA_DEPTH} levels deep")
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        location = "/".join(str(p) for p in exc.absolute_path) or "(top level)"
        raise ConfigError(f"schema {where} is not a valid JSON Schema at {location}: {exc.message}") from None
    registry: Registry = Registry(retrieve=_no_network(path.parent if path else None))  # type: ignore[call-arg]
    _check_subschemas(schema, registry, where)
    cls = jsonschema.validators.extend(cls, _RE2_KEYWORDS)
    validator = cls(schema, format_checker=FORMAT_CHECKER, registry=registry)
    try:  # follow the $refs an empty page reaches now: an unreachable one is a config error
        validator.is_valid({})
    except Exception as exc:  # noqa: BLE001 - referencing errors have no public common base
        raise ConfigError(
            f"schema {where} cannot be used ({exc}); remote $ref are never fetched, "
            "local ones must sit beside the schema"
        ) from None
    return validator


_KEY_ONLY = frozenset({
    "$schema", "$id", "$comment", "$defs", "definitions", "title", "description", "examples", "default",
    "type", "required", "properties", "propertyNames", "minProperties", "maxProperties", "dependentRequired",
})


class PageValidator:
    """Validates page metadata; for schemas whose top level only constrains keys (``required``,
    ``type``, ``properties``...), each (key, value) is validated once and remembered, so ten
    thousand pages sharing ``ms.author`` values cost little more than their distinct values."""

    def __init__(self, validator: Any) -> None:
        self.validator = validator
        self.schema = validator.schema
        schema = self.schema if isinstance(self.schema, dict) else {}
        properties: Any = schema.get("properties")
        additional = schema.get("additionalProperties", True)
        self.simple = (
            isinstance(properties, dict)
            and set(schema) <= _KEY_ONLY | {"additionalProperties"}
            and isinstance(additional, bool)
        )
        self._memo: dict[tuple[str, Any], list[Any]] = {}
        self._properties: dict[str, Any] = {}
        if self.simple:
            top = {k: v for k, v in schema.items() if k != "properties"}
            top["properties"] = {name: True for name in properties}
            self._top = validator.evolve(schema=top)
            self._properties = properties

    def iter_errors(self, instance: Any) -> list[Any]:
        if not self.simple or not isinstance(instance, dict):
            return list(self.validator.iter_errors(instance))
        errors = list(self._top.iter_errors(instance))
        # only the keys the schema describes (docfx.json may give every page a hundred thousand others)
        keys = [k for k in instance if k in self._properties] if len(instance) <= len(self._properties) \
            else [k for k in self._properties if k in instance]
        for key in keys:
            value, subschema = instance[key], self._properties[key]
            if value is None or isinstance(value, (str, int, float, bool)):
                memo_key: tuple[str, Any] | None = (key, (type(value).__name__, value))
            else:
                try:
                    memo_key = (key, json.dumps(value, sort_keys=True, default=repr))
                except (TypeError, ValueError):
                    memo_key = None
            found = self._memo.get(memo_key) if memo_key else None
            if found is None:
                found = list(self.validator.descend(value, subschema, path=key, schema_path=key))
                if memo_key:
                    self._memo[memo_key] = found
            errors.extend(found)
        return errors


def schema_text(schema: Path | str | None) -> str:
    """What a configured schema says (for cache keys): a file's text with the text of every local
    file its ``$ref`` reach (the way the validator retrieves them, beside the schema), else the name."""
    if not isinstance(schema, Path):
        return repr(schema)
    try:
        texts = [read_regular_text(schema, "utf-8-sig")]
    except OSError:
        return str(schema)
    base = schema.parent.resolve()
    seen: set[Path] = set()
    pending = [texts[0]]
    while pending and len(seen) < 256:
        try:
            document = json.loads(pending.pop())
        except (ValueError, RecursionError):
            continue
        for uri in _refs(document):
            if "://" in uri or uri.startswith("/"):
                continue
            candidate = (base / uri.split("#", 1)[0]).resolve()
            if candidate in seen or base not in candidate.parents:
                continue
            seen.add(candidate)
            try:
                text = read_regular_text(candidate)
            except OSError:
                texts.append(f"{uri}: unreadable")
                continue
            texts.append(f"{uri}\0{text}")
            pending.append(text)
    return "\0".join(texts)


def _refs(node: Any) -> Iterator[str]:
    """Every ``$ref`` string of a JSON document (without recursion: documents may be deep)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                yield ref
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


_VALIDATORS: dict[str, PageValidator] = {}


def validator_for(config: Config, pages: Mapping[str, Page], docfx: DocfxInfo) -> PageValidator:
    """The page validator of a docset (see ``choose_schema``); the bundled ones are built once."""
    def playbook() -> bool:
        # docfx.json's metadata keys as written (a fileMetadata key applies to some pages), then
        # each page's own: no glob is matched here
        declared = [docfx.global_metadata, {key: True for key, _globs, _value in docfx.file_metadata}]
        metadata = (page.front_matter or {} for page in pages.values() if page.kind == "markdown")
        return is_playbook([*declared, *metadata], bool(config.lifecycle_phases))

    chosen = choose_schema(config.schema, playbook)
    if isinstance(chosen, str):
        if chosen not in _VALIDATORS:
            _VALIDATORS[chosen] = PageValidator(load_validator(chosen))
        return _VALIDATORS[chosen]
    return PageValidator(load_validator(chosen))

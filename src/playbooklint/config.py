"""Configuration: ``.playbooklint.toml`` or ``[tool.playbooklint]`` in ``pyproject.toml``.

Found by walking up from the checked path (``--config`` overrides); validated with a JSON Schema so
a bad key is reported with its name. Merge order: rule defaults < file < command line.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jsonschema

from .globs import simple_enough

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

CONFIG_NAMES = (".playbooklint.toml", "pyproject.toml")
DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024
DEFAULT_FILE_TIMEOUT = 5.0
MAX_FILE_SIZE_LIMIT = 1024 * 1024 * 1024
"""The largest ``max-file-size`` accepted (1 GiB): a Markdown page is never near it."""
FILE_TIMEOUT_LIMIT = 3600.0
"""The largest ``file-timeout`` accepted (an hour): a valid page parses in milliseconds."""
RUN_TIMEOUT_LIMIT = 86400.0
"""The largest ``run-timeout`` accepted (a day)."""

_SEVERITY = {"enum": ["error", "warning", "off"]}
_RULE_VALUE = {
    "oneOf": [
        {"type": "boolean"},
        _SEVERITY,
        {
            "type": "object",
            "properties": {"severity": _SEVERITY},
            "required": ["severity"],
        },
    ]
}
_GLOBS = {"type": "array", "items": {"type": "string", "minLength": 1}}

CONFIG_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "root": {"type": "string", "minLength": 1},
        "schema": {"type": "string", "minLength": 1},
        "index": {"type": "string", "minLength": 1},
        "includes": _GLOBS,
        "exclude": _GLOBS,
        "extend-exclude": _GLOBS,
        "url-base": {
            "oneOf": [
                {"type": "string", "pattern": "^/"},
                {"type": "array", "items": {"type": "string", "pattern": "^/"}},
                {"type": "object", "additionalProperties": {
                    "oneOf": [
                        {"type": "string", "pattern": "^/"},
                        {"type": "array", "items": {"type": "string", "pattern": "^/"}},
                    ]}},
            ]
        },
        "allow-outside": _GLOBS,
        "external-includes": _GLOBS,
        "redirects": _GLOBS,
        "max-file-size": {"type": "integer", "minimum": 0, "maximum": MAX_FILE_SIZE_LIMIT},
        "file-timeout": {"type": "number", "minimum": 0, "maximum": FILE_TIMEOUT_LIMIT},
        "run-timeout": {"type": "number", "minimum": 0, "maximum": RUN_TIMEOUT_LIMIT},
        "lifecycle": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "heading": {"type": "string", "minLength": 1},
                "phases": {"type": "array", "items": {"type": "string", "minLength": 1}},
                "previous": {"type": "array", "items": {"type": "string", "minLength": 1}},
                "next": {"type": "array", "items": {"type": "string", "minLength": 1}},
            },
        },
        "rules": {"type": "object", "additionalProperties": _RULE_VALUE},
        "per-file-ignores": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string", "minLength": 1}},
        },
        "external": {"type": "boolean"},
        "external-exclude": _GLOBS,
        "external-accept": {"type": "array", "items": {"type": "integer", "minimum": 100, "maximum": 599}},
        "external-timeout": {"type": "number", "exclusiveMinimum": 0, "maximum": 600},
        "external-max-concurrency": {"type": "integer", "minimum": 1, "maximum": 256},
        "external-per-host": {"type": "integer", "minimum": 1, "maximum": 64},
        "external-host-interval": {"type": "number", "minimum": 0, "maximum": 60},
        "external-cache-max-age": {"type": "number", "minimum": 0, "maximum": 366 * 86400},
        "external-retries": {"type": "integer", "minimum": 0, "maximum": 10},
        "external-max-retry-wait": {"type": "number", "minimum": 0, "maximum": 3600},
        "external-short-links": _GLOBS,
        "external-fragments": {"type": "boolean"},
        "deprecated-metadata": {
            "type": "object",
            "propertyNames": {"minLength": 1},
            "additionalProperties": {"type": "string"},
        },
    },
}


class ConfigError(Exception):
    """A configuration or usage problem: reported in one line, exit code 2."""


@dataclass(frozen=True)
class Config:
    """Settings for one run. Paths are absolute; globs are relative to the docset root."""

    path: Path | None = None
    """The config file read, if any."""
    root: Path | None = None
    """``root`` from config (absolute); None lets discovery decide."""
    schema: Path | str | None = None
    """A user's page schema (a path), or a bundled one by name ("learn", "playbook"); None lets
    each docset choose: the playbook schema for playbooks, the Learn schema otherwise."""
    index: str = "index.md"
    """The index page, relative to the root."""
    includes: tuple[str, ...] = ()
    """Extra globs of include files (any ``includes/`` folder always counts)."""
    exclude: tuple[str, ...] = ()
    """Globs of files and folders not to check."""
    url_base: tuple[str, ...] = ()
    """Site paths that map onto the docset (or onto every docset of the run), e.g. ``/iis/``."""
    url_bases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Per docset (its folder in the repository, "." for the root): its site paths."""
    allow_outside: tuple[str, ...] = ()
    """Globs (relative to the root, may start with ``../``) that links may leave the root for."""
    external_includes: tuple[str, ...] = ()
    """Globs of includes that come from another repository at build time."""
    redirects: tuple[str, ...] = ()
    """Redirection files (relative to the config file); default: found beside the docset."""
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    """Files larger than this are reported and skipped; 0 means no limit."""
    file_timeout: float = DEFAULT_FILE_TIMEOUT
    """Seconds one file may take to parse before it is reported and skipped; 0 means no limit."""
    run_timeout: float | None = None
    """Seconds the run may take before it stops parsing (the files left are reported); 0 means no
    limit, None a budget that grows with the number of files (``pages.RunBudget``)."""
    lifecycle_heading: str = "Phases"
    """Heading (substring, any case) above the index page's phase list."""
    lifecycle_phases: tuple[str, ...] = ()
    """Phase pages in order, relative to the root; empty means read them from the index page."""
    lifecycle_expected: bool = False
    """The config's ``[lifecycle]`` names a ``heading`` or ``phases``: a docset without a lifecycle is reported."""
    previous_words: tuple[str, ...] = ("Previous",)
    """Link texts that start a "previous phase" link."""
    next_words: tuple[str, ...] = ("Next",)
    """Link texts that start a "next phase" link."""
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Rule name or code -> {"severity": "error"|"warning"|"off", ...options}."""
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Glob -> rule names, codes or code prefixes ignored in matching files."""
    deprecated_metadata: dict[str, str] = field(default_factory=dict)
    """Retired metadata key -> its replacement ("" means remove it), merged over the built-in
    list of ``metadata-deprecated``."""
    external: bool = False
    """Check http(s) links by requesting them (``--external``; ``--offline`` forces it off)."""
    external_exclude: tuple[str, ...] = ()
    """URL patterns (fnmatch, on the URL without its fragment) never requested."""
    external_accept: tuple[int, ...] = tuple(range(200, 300))
    """HTTP status codes that mean the page is there."""
    external_timeout: float = 10.0
    """Seconds one request may take."""
    external_max_concurrency: int = 16
    """Requests in flight at once, over all hosts."""
    external_per_host: int = 2
    """Requests in flight at once to one host."""
    external_host_interval: float = 0.1
    """Seconds between the starts of two requests to one host."""
    external_cache_max_age: float = 86400.0
    """Seconds a cached answer is trusted (0: never)."""
    external_retries: int = 2
    """Retries of a request that timed out or was answered 429 or 5xx."""
    external_max_retry_wait: float = 30.0
    """The longest wait before a retry, whatever ``Retry-After`` asks."""
    external_short_links: tuple[str, ...] = ("https://aka.ms/*", "http://aka.ms/*")
    """URL patterns of short links: requested without following their redirect; one that leads to
    a search page is dead."""
    external_fragments: bool = False
    """Read external HTML pages whose links name a fragment, and check the fragment is an id there."""

    def __post_init__(self) -> None:
        # a Config built in code may say rules={"PB201": False} or {"link-broken": "warning"}, as the file does
        object.__setattr__(self, "rules", {str(k): normalize_rule_value(v) for k, v in self.rules.items()})


def _error_path(error: jsonschema.ValidationError) -> str:
    parts = [str(p) for p in error.absolute_path]
    return ".".join(parts) if parts else "(top level)"


def _non_finite(data: Any, where: str = "") -> str | None:
    """The key and value of the first ``nan`` or ``inf`` in the data (TOML has both), if any."""
    if isinstance(data, float) and not math.isfinite(data):
        return f"{where or '(top level)'}: must be a finite number, not {data}"
    if isinstance(data, dict):
        items: Any = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        return None
    for key, value in items:
        found = _non_finite(value, f"{where}.{key}" if where else str(key))
        if found is not None:
            return found
    return None


def validate(data: dict[str, Any], source: str) -> None:
    """ConfigError naming the first bad key: unknown, of the wrong type, out of range, or not a
    finite number (every number has a maximum, and ``nan`` compares as in range)."""
    problem = _non_finite(data)
    if problem is not None:
        raise ConfigError(f"{source}: {problem}")
    validator = jsonschema.Draft202012Validator(CONFIG_SCHEMA)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if not errors:
        return
    error = errors[0]
    if error.validator == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - known)
        where = _error_path(error)
        prefix = "" if where == "(top level)" else f"{where}."
        from .fuzzy import closest

        near = closest(unknown[0], sorted(known), cutoff=0.6)
        hint = f"; did you mean '{prefix}{near}'?" if near else ""
        raise ConfigError(f"{source}: unknown key '{prefix}{unknown[0]}'{hint}")
    if error.validator == "oneOf" and error.absolute_path and error.absolute_path[0] == "rules":
        raise ConfigError(
            f"{source}: {_error_path(error)} must be \"error\", \"warning\", \"off\", true, false "
            f"or a table with a severity, not {error.instance!r}"
        )
    raise ConfigError(f"{source}: {_error_path(error)}: {error.message}")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: nested too deeply to read") from None
    except ValueError as exc:  # not UTF-8, or an integer of thousands of digits
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _section(path: Path) -> dict[str, Any] | None:
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        return tool.get("playbooklint") if isinstance(tool, dict) else None
    return data


def find_config_file(start: Path) -> Path | None:
    """The nearest ``.playbooklint.toml``, or ``pyproject.toml`` with ``[tool.playbooklint]``."""
    here = start if start.is_dir() else start.parent
    for folder in (here, *here.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                if name == "pyproject.toml" and _section(candidate) is None:
                    continue
                return candidate
    return None


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def normalize_rule_value(value: Any) -> dict[str, Any]:
    if value is True:
        return {}
    if value is False:
        return {"severity": "off"}
    if isinstance(value, str):
        return {"severity": value}
    return dict(value)


def _check_globs(data: dict[str, Any], source: str) -> None:
    lists = {key: data.get(key, []) for key in ("includes", "exclude", "extend-exclude", "allow-outside",
                                                 "external-includes")}
    lists.update({f"per-file-ignores.{k}": [k] for k in data.get("per-file-ignores", {})})
    for key, patterns in lists.items():
        for pattern in patterns:
            if not simple_enough(pattern):
                raise ConfigError(f"{source}: {key}: glob '{pattern[:60]}' is too complex")


def _bases(value: Any) -> tuple[str, ...]:
    return tuple(b if b.endswith("/") else b + "/" for b in _tuple(value))


def _schema(value: str | None, base: Path) -> Path | str | None:
    if value is None:
        return None
    if value in ("learn", "playbook"):
        return value
    return (base / value).resolve()


def load_config(path: Path | None) -> Config:
    """Read and validate a config file (None -> defaults)."""
    if path is None:
        return Config()
    path = path.resolve()
    data = _section(path)
    if data is None:
        if path.name == "pyproject.toml":
            return Config(path=path)
        data = {}
    validate(data, str(path))
    _check_globs(data, str(path))
    base = path.parent
    lifecycle = data.get("lifecycle", {})
    max_size = data.get("max-file-size", DEFAULT_MAX_FILE_SIZE)
    return Config(
        path=path,
        root=(base / data["root"]).resolve() if "root" in data else None,
        schema=_schema(data.get("schema"), base),
        index=data.get("index", "index.md"),
        includes=_tuple(data.get("includes")),
        exclude=_tuple(data.get("exclude")) + _tuple(data.get("extend-exclude")),
        url_base=() if isinstance(data.get("url-base"), dict) else _bases(data.get("url-base")),
        url_bases={str(k).strip("/") or ".": _bases(v) for k, v in data.get("url-base", {}).items()}
        if isinstance(data.get("url-base"), dict) else {},
        allow_outside=_tuple(data.get("allow-outside")),
        external_includes=_tuple(data.get("external-includes")),
        redirects=tuple(str((base / r).resolve()) for r in _tuple(data.get("redirects"))),
        max_file_size=max_size,
        file_timeout=float(data.get("file-timeout", DEFAULT_FILE_TIMEOUT)),
        run_timeout=float(data["run-timeout"]) if "run-timeout" in data else None,
        lifecycle_heading=lifecycle.get("heading", "Phases"),
        lifecycle_phases=_tuple(lifecycle.get("phases")),
        lifecycle_expected="heading" in lifecycle or "phases" in lifecycle,
        previous_words=_tuple(lifecycle.get("previous")) or ("Previous",),
        next_words=_tuple(lifecycle.get("next")) or ("Next",),
        rules={str(k): normalize_rule_value(v) for k, v in data.get("rules", {}).items()},
        per_file_ignores={str(k): tuple(v) for k, v in data.get("per-file-ignores", {}).items()},
        deprecated_metadata={str(k): str(v) for k, v in data.get("deprecated-metadata", {}).items()},
        **_external(data),
    )


def _external(data: dict[str, Any]) -> dict[str, Any]:
    """The ``external-*`` keys present in the file, as Config fields."""
    found: dict[str, Any] = {}
    for key, value in data.items():
        if key == "external" or key.startswith("external-") and key != "external-includes":
            name = key.replace("-", "_")
            found[name] = tuple(value) if isinstance(value, list) else value
    return found


def with_overrides(config: Config, **changes: Any) -> Config:
    """A copy with command-line values applied (None values are ignored); numbers are checked
    against the config file's ranges (ConfigError)."""
    given = {k: v for k, v in changes.items() if v is not None}
    keys = CONFIG_SCHEMA["properties"]
    checked = {k.replace("_", "-"): v for k, v in given.items() if k.replace("_", "-") in keys
               and isinstance(v, (int, float)) and not isinstance(v, bool)}
    if checked:
        validate(checked, "option")
    return replace(config, **given)

"""Front matter and metadata rules."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..model import Page, Problem
from .base import Rule, parse_problems

if TYPE_CHECKING:
    from ..docset import Docset

def _is_checked_page(page: Page, docset: Docset) -> bool:
    """A published Markdown page (not an include file) that could be read."""
    return (
        page.kind == "markdown"
        and not docset.is_include(page.path)
        and docset.docfx.is_content(page.path)
        and page.readable
    )


def front_matter_missing(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    A page (not an include file) that does not start with a YAML front matter block.

    Why
    DocFX and Microsoft Learn take a page's title, description, author and review date from its
    front matter; without it the page is published with missing or inherited metadata.

    Example
    A page whose first line is ``# Assess Phase``.

    Use instead
    Start the file with::

        ---
        title: Assess Phase
        description: What happens in the assess phase
        ms.date: 9/28/2019
        ---

    Options
    Pages that are not published (docfx.json ``build.content`` excludes them) and include files
    (any ``includes/`` folder, or config ``includes`` globs) are not checked.
    """
    if not _is_checked_page(page, docset) or page.has_front_matter or page.problems:
        return
    required = _required_keys(docset)
    hint = f" with {', '.join(required)}" if required else ""
    yield Problem(1, 1, f"page has no front matter; start it with a '---' block{hint}")


def _required_keys(docset: Docset) -> list[str]:
    required = docset.schema.get("required", [])
    return [str(k) for k in required][:8]


def front_matter_invalid(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    Front matter that cannot be used: YAML that does not parse, a block that is never closed, a
    document that is not a mapping (a list or a bare value), a duplicate key, a YAML alias
    (``*name``), or a tag (``!!python/...``). Aliases and tags are refused for safety: front matter
    is untrusted input in a pull request. Also front matter written in TOML (between ``+++``
    lines) or JSON (between ``{`` and ``}`` lines): DocFX reads YAML only, and publishes such a
    block as page text.

    Why
    DocFX fails or silently drops such metadata. One finding is reported at the offending line;
    the page then gets no metadata findings (one root cause, one finding).

    Example
    ::

        ---
        title: Assess
        title: Assess phase
        ---

    Use instead
    Fix the YAML at the line given: remove the duplicate key, write aliased values out, close
    the block with ``---``; write TOML or JSON front matter as YAML between ``---`` lines.

    Options
    None.
    """
    return parse_problems(page, "front-matter-invalid")


def _type_name(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


_EXPECTED_TYPE = {
    "string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
    "array": "a list", "object": "a mapping", "null": "empty",
}


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "...'"


def _describe(key: str, error: Any, root_schema: dict[str, Any]) -> str:
    value = error.instance
    validator = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    where = key + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in list(error.absolute_path)[1:])
    description = schema.get("description") or (
        root_schema.get("properties", {}).get(key, {}).get("description") if len(error.absolute_path) == 1 else None
    )
    if validator == "format" and error.validator_value == "ms-date":
        if error.cause is not None:  # the right shape, but no such day
            return f"{where} {_show(value)} is not a real calendar date ({error.cause})"
        return f"{where} {_show(value)} is not a valid M/D/YYYY date (for example 2/18/2019)"
    if validator == "format":
        return f"{where} {_show(value)} is not a valid {error.validator_value}"
    if validator == "type":
        expected = error.validator_value
        names = [expected] if isinstance(expected, str) else list(expected)
        wanted = " or ".join(_EXPECTED_TYPE.get(n, n) for n in names)
        extra = " (quote it)" if "string" in names and isinstance(value, (int, float, bool)) else ""
        return f"{where} must be {wanted}, not {_type_name(value)}{extra}"
    if validator == "enum":
        options = ", ".join(repr(v) if not isinstance(v, str) else f"'{v}'" for v in error.validator_value)
        return f"{where} {_show(value)} is not one of: {options}"
    if validator == "const":
        return f"{where} must be {error.validator_value!r}"
    if validator in ("minLength", "pattern") and isinstance(value, str) and not value.strip():
        return f"{where} must not be empty"
    if validator == "pattern":
        expected = description or f"text matching {error.validator_value}"
        return f"{where} {_show(value)} is not valid: expected {expected[0].lower() + expected[1:]}"
    return f"{where}: {error.message}"


def metadata_problems(page: Page, docset: Docset) -> list[tuple[str, Problem]]:
    """(rule name, problem) for the page's merged metadata against the schema."""
    if not _is_checked_page(page, docset):
        return []
    if not page.has_front_matter or page.front_matter is None or page.problems:
        return []
    instance = docset.metadata(page.path)
    positions = {key.name: (key.line, key.column) for key in page.meta_keys}
    results: list[tuple[str, Problem]] = []
    reported: set[str] = set()
    root_schema = docset.schema
    for error in docset.schema_errors(page.path):
        path = list(error.absolute_path)
        if error.validator == "required" and not path:
            for name in error.validator_value:
                if name not in instance and name not in reported:
                    reported.add(name)
                    results.append(("metadata-required", Problem(
                        1, 1, f"required metadata '{name}' is missing; add it to the front matter",
                    )))
            continue
        if error.validator == "additionalProperties" and not path:
            allowed = set(error.schema.get("properties", {}))
            for name in sorted(set(instance) - allowed):
                if name not in reported:
                    reported.add(name)
                    line, col = positions.get(name, (1, 1))
                    results.append(("metadata-invalid", Problem(
                        line, col, f"metadata '{name}' is not allowed by the schema; remove it or fix its name",
                    )))
            continue
        key = str(path[0]) if path else "(front matter)"
        if key in reported:
            continue
        reported.add(key)
        message = _describe(key, error, root_schema)
        if key in positions:
            line, col = positions[key]
        else:
            line, col = 1, 1
            message += " (value from docfx.json metadata)"
        results.append(("metadata-invalid", Problem(line, col, message)))
    return results


def metadata_required(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    Every key the page schema requires is present in the page's metadata — its front matter
    merged over ``docfx.json``'s ``globalMetadata`` and matching ``fileMetadata`` (as DocFX does,
    the page's own value wins). One finding per missing key, at the front matter's first line.

    Why
    Learn needs ``title``, ``description`` and ``ms.date`` on every page; a playbook also tracks
    its audience and owner (``ft.audience``, ``ft.owner``). A missing key is found before publish,
    not by a reader.

    Example
    A page without ``ms.date`` when the schema requires it.

    Use instead
    Add the key to the front matter, or to ``docfx.json`` ``fileMetadata`` for a whole folder.

    Options
    ``schema`` in config names your own JSON Schema (2020-12) instead of the bundled
    ``playbook-page.schema.json``.
    """
    return (p for rule, p in metadata_problems(page, docset) if rule == "metadata-required")


def metadata_invalid(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    Metadata values against the page schema: type, pattern, enum and format. ``ms.date`` must be a
    real calendar date written ``M/D/YYYY`` or ``MM/DD/YYYY`` (``2/30/2019`` fails). The finding
    points at the key's own line and says what is expected.

    Why
    A misspelt audience or a date in the wrong format is published silently and breaks the
    reports built on it.

    Example
    ``ms.date: 13/45/2019`` -> ``ms.date '13/45/2019' is not a valid M/D/YYYY date``.

    Use instead
    ``ms.date: 9/28/2019``; an audience from the schema's list.

    Options
    ``schema`` in config names your own JSON Schema. YAML dates stay text, so
    ``ms.date: 2019-02-18`` is judged by the schema, not turned into a date object.
    """
    return (p for rule, p in metadata_problems(page, docset) if rule == "metadata-invalid")


RULES = (
    Rule("PB101", "front-matter-missing", "error", "page", front_matter_missing,
         "Page has no YAML front matter."),
    Rule("PB102", "front-matter-invalid", "error", "page", front_matter_invalid,
         "Front matter does not parse, repeats a key, or uses an alias or tag."),
    Rule("PB103", "metadata-required", "error", "page", metadata_required,
         "A key the schema requires is missing."),
    Rule("PB104", "metadata-invalid", "error", "page", metadata_invalid,
         "A metadata value violates the schema (type, pattern, enum, format)."),
)

"""What every reporter shares: display paths, counts and the summary line, findings in report
order, and stable fingerprints.

Reporters need only the run result's shape (``result.results``, each with ``.root``,
``.diagnostics`` and ``.files``; ``result.diagnostics``), so the engine is imported for type
checking only, here and nowhere else in the package.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..engine import Result as RunResult
    from ..model import Diagnostic


def display_path(root: Path, rel: str, cwd: Path | None = None) -> str:
    """The path a user can click: relative to the working directory when below it."""
    where = str(cwd) if cwd else os.getcwd()
    if rel in ("", ".") or ".." in rel.split("/"):
        return _display_path(root, rel, where)
    base = _display_path(root, "", where)  # once per root: the file's path follows from its root's
    if os.path.isabs(base):
        return str(root / rel)
    return rel.replace("/", os.sep) if base == "." else os.path.join(base, rel.replace("/", os.sep))


@functools.lru_cache(maxsize=256)
def _display_path(root: Path, rel: str, cwd: str) -> str:
    absolute = root / rel if rel not in ("", ".") else root
    try:
        shown = os.path.relpath(absolute, cwd)
    except ValueError:  # another drive on Windows
        return str(absolute)
    if shown.startswith(".." + os.sep) or shown == "..":
        return str(absolute)
    return shown


def counts(result: RunResult) -> dict[str, int]:
    diagnostics = result.diagnostics
    errors = sum(1 for d in diagnostics if d.severity == "error")
    return {
        "errors": errors,
        "warnings": len(diagnostics) - errors,
        "files_with_findings": sum(len({d.path for d in r.diagnostics}) for r in result.results),
        "files_checked": sum(r.files for r in result.results),
        "docsets": len(result.results),
        "skipped": getattr(result, "skipped", 0),
    }


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary_line(result: RunResult) -> str:
    """One line: what was found, in how many files, out of how many (and docsets, when several)."""
    c = counts(result)
    several = c["docsets"] > 1
    skipped = f"; {_plural(c['skipped'], 'file')} outside every docset not checked" if c["skipped"] else ""
    if not c["errors"] and not c["warnings"]:
        where = f" ({_plural(c['docsets'], 'docset')})" if several else ""
        return f"No problems found in {_plural(c['files_checked'], 'file')}{where}{skipped}."
    checked = f"{_plural(c['docsets'], 'docset')}, {c['files_checked']:,} files checked" if several \
        else f"{c['files_checked']} checked"
    return (f"Found {_plural(c['errors'], 'error')} and {_plural(c['warnings'], 'warning')} "
            f"in {_plural(c['files_with_findings'], 'file')} ({checked}){skipped}.")


def findings(result: RunResult, cwd: Path | None) -> Iterator[tuple[str, Diagnostic]]:
    """Every diagnostic with its display path (POSIX), in report order."""
    for docset in result.results:
        for d in docset.diagnostics:
            yield display_path(docset.root, d.path, cwd).replace(os.sep, "/"), d


def docset_name(docset: object) -> str:
    """The docset a result belongs to, as reports name it: its folder in the repository, or '.'."""
    return getattr(docset, "prefix", "") or "."


def located(result: RunResult, cwd: Path | None) -> Iterator[tuple[str, Diagnostic, str]]:
    """Like ``findings``, with the docset of each finding."""
    for docset in result.results:
        name = docset_name(docset)
        for d in docset.diagnostics:
            yield display_path(docset.root, d.path, cwd).replace(os.sep, "/"), d, name


def fingerprints(items: list[tuple[str, Diagnostic]]) -> list[str]:
    """A stable, unique id per finding: sha256 of rule, path, message and occurrence number.

    The line is left out so the id survives edits above the finding; identical findings in one
    file are told apart by their order.
    """
    seen: Counter[tuple[str, str, str]] = Counter()
    out = []
    for path, d in items:
        key = (d.code, path, d.message)
        seen[key] += 1
        text = "\0".join((*key, str(seen[key])))
        out.append(hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())
    return out


def lines(items: list[str]) -> str:
    """One item per line, each ending with a newline (nothing at all for no items)."""
    return "".join(item + "\n" for item in items)


def statistics(result: RunResult) -> list[dict[str, object]]:
    """Findings per rule, most frequent first: ``count``, ``code``, ``name`` and ``fixable`` (how
    many carry a fix, safe or not)."""
    found: Counter[tuple[str, str]] = Counter()
    fixable: Counter[tuple[str, str]] = Counter()
    for d in result.diagnostics:
        found[(d.code, d.rule)] += 1
        if d.fix is not None:
            fixable[(d.code, d.rule)] += 1
    ordered = sorted(found.items(), key=lambda item: (-item[1], item[0][0]))
    return [{"count": n, "code": code, "name": name, "fixable": fixable[(code, name)]}
            for (code, name), n in ordered]


class SourceLines:
    """The lines of the files findings point into, each file read once (decoded as the parser
    decodes it); a file that cannot be read has no lines."""

    def __init__(self) -> None:
        self._files: dict[Path, list[str] | None] = {}

    def line(self, root: Path, rel: str, number: int) -> str | None:
        path = root / rel
        if path not in self._files:
            self._files[path] = self._read(path)
        found = self._files[path]
        if found is None or not 1 <= number <= len(found):
            return None
        return found[number - 1]

    @staticmethod
    def _read(path: Path) -> list[str] | None:
        from ..parse.decode import decode
        from ..readfile import read_regular

        try:
            data = read_regular(path)  # a FIFO with a finding must not block the report
        except (OSError, ValueError):
            return None
        text, _problem = decode(data)
        return None if text is None else text.split("\n")

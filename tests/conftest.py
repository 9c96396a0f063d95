"""Shared helpers: build small docsets in a temporary folder and run the engine on them."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from playbooklint.engine import lint
from playbooklint.rules import RULES

SHARED = Path(__file__).resolve().parents[2] / "shared"

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared (examples and corpora) is not beside the checkout")

FILE_MARK = "=== "


@pytest.fixture(autouse=True, scope="session")
def _private_cache_key(tmp_path_factory):
    """Keep the cache-signing key of test runs out of the user's own cache folder."""
    os.environ["PLAYBOOKLINT_CACHE_KEY_DIR"] = str(tmp_path_factory.mktemp("cache-key"))
    os.environ["PLAYBOOKLINT_NO_CACHE"] = "1"  # the CLI in tests writes no cache into the checkout
    yield


def split_files(text: str, default: str = "page.md") -> dict[str, str | bytes]:
    """Fixture input -> files. ``=== path`` starts a new file; text before it is ``default``."""
    files: dict[str, list[str]] = {}
    named: set[str] = set()
    current = default
    for line in text.splitlines(keepends=True):
        if line.startswith(FILE_MARK):
            current = line[len(FILE_MARK):].strip()
            named.add(current)
            files.setdefault(current, [])
            continue
        files.setdefault(current, []).append(line)
    result: dict[str, str | bytes] = {}
    for name, lines in files.items():
        if name in named or "".join(lines).strip():
            if name.endswith(" !bytes"):
                result[name[: -len(" !bytes")].strip()] = ast.literal_eval("".join(lines).strip())
            else:
                result[name] = "".join(lines)
    return result


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return root


def only_rules(*names: str) -> dict[str, dict[str, str]]:
    """A rules table enabling exactly these rules (at their default severity)."""
    table = {rule.name: {"severity": "off"} for rule in RULES}
    for name in names:
        rule = next(r for r in RULES if r.name == name)
        table[name] = {"severity": rule.severity}
    return table


def run(root: Path, *paths: str | Path, rules: tuple[str, ...] | None = None, **overrides):
    """lint() on a tree; returns the diagnostics (paths relative to the root)."""
    if rules is not None:
        overrides["rules"] = only_rules(*rules)
    cwd = os.getcwd()
    try:
        os.chdir(root)
        result = lint([Path(p) for p in paths] or [root], overrides=overrides or None)
    finally:
        os.chdir(cwd)
    return result.diagnostics


def brief(diagnostics, default: str = "page.md") -> list[str]:
    """``line:col CODE`` (prefixed by the path when it is not the default page)."""
    out = []
    for d in diagnostics:
        prefix = "" if d.path == default else f"{d.path}:"
        out.append(f"{prefix}{d.line}:{d.column} {d.code}")
    return out

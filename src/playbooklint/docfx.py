"""What DocFX's own files tell us: ``docfx.json`` metadata and content globs, and redirections.

These are configuration files: they are read from the docset root (``docfx.json``) and from the
root and its parents up to the repository root (``.openpublishing.redirection*.json``).
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .discover import is_within
from .globs import Globs, bucket, is_literal
from .model import Problem
from .readfile import read_regular, read_regular_text

REPO_MARKERS = (".git", ".openpublishing.publish.config.json")


def strip_json_comments(text: str) -> str:
    """Remove ``//`` and ``/* */`` comments outside strings (DocFX's files allow them)."""
    out: list[str] = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        ch = text[i]
        if in_string:
            out.append(ch)
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if ch == '"':
                in_string = False
            i += 1
        elif ch == '"':
            in_string = True
            out.append(ch)
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            segment = text[i: n if end < 0 else end + 2]
            out.append("\n" * segment.count("\n"))  # keep line numbers for error messages
            i = n if end < 0 else end + 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


MAX_METADATA_DEPTH = 64
"""Deepest nesting of a docfx.json metadata value accepted: such values travel into every page's
metadata (and its schema check, cache and reports), where deeper ones could exhaust the stack."""


def parse_json(text: str, name: str) -> tuple[Any, str | None]:
    """A DocFX settings file's text (JSON with comments) parsed; (None, why) when it does not parse,
    is nested too deeply to read, or holds a number too long to convert."""
    try:
        return json.loads(text), None
    except RecursionError:
        return None, f"{name} is nested too deeply to read"
    except ValueError:
        pass
    try:
        return json.loads(strip_json_comments(text)), None
    except json.JSONDecodeError as exc:
        return None, f"{name} is not valid JSON ({exc.msg}, line {exc.lineno} column {exc.colno})"
    except RecursionError:
        return None, f"{name} is nested too deeply to read"
    except ValueError as exc:  # an integer of thousands of digits
        return None, f"{name} is not valid JSON ({exc})"


def load_json(path: Path) -> tuple[Any, str | None]:
    """A DocFX settings file (JSON with comments). A symbolic link is not followed: it could lead
    out of the repository."""
    if path.is_symlink():
        return None, f"{path.name} is a symbolic link; not read"
    try:
        text = read_regular_text(path, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"cannot read {path.name}: {getattr(exc, 'strerror', None) or exc}"
    return parse_json(text, path.name)


def nested_deeper_than(value: Any, limit: int) -> bool:
    """True when lists and objects in ``value`` nest more than ``limit`` levels (looked at level by
    level, without recursion)."""
    level = [value]
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        below: list[Any] = []
        for item in level:
            children = item.values() if isinstance(item, dict) else item
            below += [child for child in children if isinstance(child, (dict, list))]
        level = below
    return False


MAX_METADATA_KEYS = 1000
"""Most distinct keys docfx.json's metadata may set (real ones set a few dozen): every page carries
them all, so a hundred thousand would cost memory and time per page times the number of pages."""


def _metadata_too_deep(data: Any) -> str | None:
    """Why docfx.json's metadata cannot be used: a value nested deeper than MAX_METADATA_DEPTH, or
    more than MAX_METADATA_KEYS keys."""
    build = data.get("build") if isinstance(data, dict) else None
    if not isinstance(build, dict):
        return None
    keys = set(build["globalMetadata"]) if isinstance(build.get("globalMetadata"), dict) else set()
    if isinstance(build.get("fileMetadata"), dict):
        keys.update(build["fileMetadata"])
    if len(keys) > MAX_METADATA_KEYS:
        return f"docfx.json's metadata sets {len(keys):,} keys, more than {MAX_METADATA_KEYS:,}"
    for key in ("globalMetadata", "fileMetadata"):
        value = build.get(key)
        if isinstance(value, (dict, list)) and nested_deeper_than(value, MAX_METADATA_DEPTH):
            return f"docfx.json's {key} is nested more than {MAX_METADATA_DEPTH} levels deep"
    return None


def _folder(value: Any) -> str | None:
    """A ``src``/``dest`` folder as a normalised docset-relative path ("" for the root); None when
    it is not a usable folder (not a string, or outside the docset)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return None
    path = posixpath.normpath(value.strip().replace("\\", "/").removeprefix("~/").strip("/") or ".")
    if path == ".":
        return ""
    return path if is_within(path) else None


@dataclass(frozen=True)
class ContentEntry:
    """One ``build.content`` entry: the files of ``src`` it builds, published under ``dest``."""

    src: str
    """Docset-relative folder the globs are relative to ("" for the docset root)."""
    dest: str
    """Site folder the files are published under ("" for the docset's site root)."""
    files: Globs
    """Files built, relative to ``src``."""
    exclude: Globs
    """Files not built, relative to ``src``."""
    include: Globs
    """Files built even when ``exclude`` matches (the ``include`` key some repositories use)."""

    def local(self, rel: str) -> str | None:
        """``rel`` relative to ``src``, or None when it is not under it."""
        if not self.src:
            return rel
        return rel[len(self.src) + 1:] if rel.startswith(self.src + "/") else None

    def builds(self, rel: str) -> bool:
        local = self.local(rel)
        if local is None:
            return False
        if self.include and self.include.match(local):
            return True
        return self.files.match(local) and not self.exclude.match(local)


@dataclass
class DocfxInfo:
    """Metadata and content globs from ``docfx.json`` (empty when there is none)."""

    global_metadata: dict[str, Any] = field(default_factory=dict)
    file_metadata: list[tuple[str, Globs, Any]] = field(default_factory=list)
    content: list[ContentEntry] = field(default_factory=list)
    """The ``build.content`` entries, in order."""
    alerts: tuple[str, ...] = ()
    """Alert types added in ``build.markdownEngineProperties.alerts`` (``> [!TODO]``)."""
    _content_memo: dict[str, bool] = field(default_factory=dict, repr=False)
    _indexes: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    # A docfx.json may hold hundreds of thousands of globs and entries (20 MB): each file is
    # matched only against those that can match it, found through indexes built once, so the
    # cost is linear in the size of docfx.json, not in its size times the number of files.

    def _entries_by(self, attribute: str) -> dict[str, list[int]]:
        """``build.content`` entry positions by their ``src`` or ``dest`` folder."""
        index = self._indexes.get(attribute)
        if index is None:
            index = self._indexes[attribute] = {}
            for position, entry in enumerate(self.content):
                index.setdefault(getattr(entry, attribute), []).append(position)
        return index

    def _entries_for(self, path: str, attribute: str) -> list[ContentEntry]:
        """The entries whose ``src`` (or ``dest``) is ``path`` or one of its folders, in order."""
        index = self._entries_by(attribute)
        positions: list[int] = []
        folder = path
        while True:
            positions += index.get(folder, ())
            if not folder:
                break
            folder = posixpath.dirname(folder)
        return [self.content[p] for p in sorted(positions)]

    def _metadata_index(self) -> tuple[dict[str, list[int]], dict[tuple[str, str | None], list[tuple[Globs, list[int]]]]]:
        """``fileMetadata`` positions by literal path, and the other globs (each distinct one once)
        grouped as ``Globs`` groups them."""
        found = self._indexes.get("metadata")
        if found is None:
            literals: dict[str, list[int]] = {}
            distinct: dict[str, tuple[Globs, list[int]]] = {}
            for position, (_key, globs, _value) in enumerate(self.file_metadata):
                for pattern in globs.patterns:
                    if is_literal(pattern):
                        literals.setdefault(pattern, []).append(position)
                    else:
                        distinct.setdefault(pattern, (globs, []))[1].append(position)
            groups: dict[tuple[str, str | None], list[tuple[Globs, list[int]]]] = {}
            for pattern, entry in distinct.items():
                groups.setdefault(bucket(pattern), []).append(entry)
            found = self._indexes["metadata"] = (literals, groups)
        return found

    @property
    def breadcrumb_path(self) -> str | None:
        value = self.global_metadata.get("breadcrumb_path")
        return value if isinstance(value, str) else None

    def url_path(self, rel: str) -> str | None:
        """The site path a built file is published at, relative to the docset's site root and
        without its extension (``index`` kept): ``dest`` + the path below ``src``."""
        if not self.content:
            local: str | None = rel
            dest = ""
        else:
            for entry in self._entries_for(rel, "src"):
                if entry.builds(rel):
                    local, dest = entry.local(rel), entry.dest
                    break
            else:
                return None
        assert local is not None
        stem = posixpath.splitext(local)[0]
        return f"{dest}/{stem}" if dest else stem

    def sources_of(self, site_path: str, folders: Container[str] | None = None) -> list[str]:
        """Docset-relative source paths (without extension) that could be published at a site
        path relative to the docset's site root: each entry's ``dest`` mapped back to its ``src``
        (only the entries whose ``src`` is one of ``folders``, when given: an entry whose folder
        does not exist publishes nothing, and a docfx.json may name a hundred thousand)."""
        found: list[str] = []
        entries = self._entries_for(site_path, "dest") if self.content else \
            [ContentEntry("", "", Globs(()), Globs(()), Globs(()))]
        for entry in entries:
            if folders is not None and entry.src and entry.src not in folders:
                continue
            if not entry.dest:
                rest: str | None = site_path
            elif site_path == entry.dest or site_path.startswith(entry.dest + "/"):
                rest = site_path[len(entry.dest):].lstrip("/")
            else:
                rest = None
            if rest is None:
                continue
            found.append(f"{entry.src}/{rest}".strip("/") if entry.src else rest)
        return list(dict.fromkeys(found))

    def metadata_for(self, rel: str) -> dict[str, Any]:
        """Global metadata, then each matching ``fileMetadata`` glob in order (later wins)."""
        merged = dict(self.global_metadata)
        if not self.file_metadata:
            return merged
        literals, groups = self._metadata_index()
        positions = list(literals.get(rel, ()))
        name = rel.rsplit("/", 1)[-1]
        folder = rel
        while True:
            folder = posixpath.dirname(folder) if folder else ""
            for group in ((folder, None), (folder, name)):
                for globs, where in groups.get(group, ()):
                    if globs.match(rel):
                        positions += where
            if not folder:
                break
        for position in sorted(set(positions)):
            key, _globs, value = self.file_metadata[position]
            merged[key] = value
        return merged

    def is_content(self, rel: str) -> bool:
        """True when ``build.content`` publishes this file (always True without docfx.json)."""
        if not self.content:
            return True
        known = self._content_memo.get(rel)
        if known is None:
            known = any(entry.builds(rel) for entry in self._entries_for(rel, "src"))
            self._content_memo[rel] = known
        return known


def _strings(value: Any) -> list[str]:
    """A glob or list of globs as DocFX accepts them; anything else is ignored."""
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def load_docfx(root: Path) -> tuple[DocfxInfo, list[Problem]]:
    path = root / "docfx.json"
    if not path.exists() or path.is_dir():  # a FIFO or device in its place is reported, never opened
        return DocfxInfo(), []
    data, error = load_json(path)
    error = error or _metadata_too_deep(data)
    if error is not None:
        return DocfxInfo(), [Problem(1, 1, f"{error}; its metadata is not applied", path="docfx.json",
                                     rule="config-file-invalid")]
    return docfx_info(data), []


def docfx_info(data: Any) -> DocfxInfo:
    """What a parsed docfx.json says (anything malformed is ignored, as DocFX ignores it)."""
    build = data.get("build", {}) if isinstance(data, dict) else {}
    if not isinstance(build, dict):
        build = {}
    info = DocfxInfo()
    global_metadata = build.get("globalMetadata")
    if isinstance(global_metadata, dict):
        info.global_metadata = global_metadata
    file_metadata = build.get("fileMetadata")
    if isinstance(file_metadata, dict):
        compiled: dict[str, Globs] = {}  # a glob repeated under many keys is compiled once
        for key, mapping in file_metadata.items():
            if isinstance(mapping, dict):
                for pattern, value in mapping.items():
                    globs = compiled.get(pattern)
                    if globs is None:
                        globs = compiled[pattern] = Globs([pattern], lenient=True)
                    info.file_metadata.append((key, globs, value))
    properties = build.get("markdownEngineProperties")
    if isinstance(properties, dict):
        alerts = next((v for k, v in properties.items() if isinstance(k, str) and k.lower() == "alerts"), None)
        if isinstance(alerts, dict):
            info.alerts = tuple(str(name) for name in alerts)
    content = build.get("content")
    # consecutive entries that differ only in their files are one entry (the same files are built,
    # to the same place): a docfx.json of a hundred thousand one-file entries is matched as one
    merged: list[tuple[str, str, list[str], list[str], list[str]]] = []
    for entry in content if isinstance(content, list) else []:
        if not isinstance(entry, dict):
            continue
        src, dest = _folder(entry.get("src")), _folder(entry.get("dest"))
        if src is None or dest is None:
            continue  # a src outside the docset (``../x``): its files are not this docset's
        files, exclude, include = (_strings(entry.get(k)) for k in ("files", "exclude", "include"))
        if merged and merged[-1][:2] == (src, dest) and merged[-1][3:] == (exclude, include):
            merged[-1][2].extend(files)
        else:
            merged.append((src, dest, files, exclude, include))
    for src, dest, files, exclude, include in merged:
        info.content.append(ContentEntry(src, dest, Globs(files, lenient=True), Globs(exclude, lenient=True),
                                         Globs(include, lenient=True)))
    return info


def _repository_folders(root: Path) -> list[Path]:
    """The root and its parents up to (and including) the repository root."""
    folders = []
    for folder in (root, *root.parents):
        folders.append(folder)
        if any((folder / marker).exists() for marker in REPO_MARKERS):
            break
    else:
        return [root]
    return folders


def _display(path: Path, root: Path) -> str:
    try:
        return os.path.relpath(path, root).replace(os.sep, "/")
    except ValueError:  # another drive on Windows: certainly not inside the root
        return "../" + path.as_posix()


def load_redirects(root: Path, configured: tuple[str, ...] = (), repo_root: Path | None = None,
                   found: tuple[str, ...] = (), cache: Path | None = None) -> tuple[dict[str, str], list[Problem]]:
    """Root-relative source path -> redirect URL, from the redirection files: those configured,
    else those of the repository (``found``, relative to ``repo_root``), else every one in the
    root and its parents up to the repository root. With a ``cache`` folder, each file is parsed
    once per content: a redirection file of a million entries is not read again on every run."""
    files: list[Path]
    if configured:
        files = [Path(p) for p in configured]
        repo_root = files[0].parent if files else root
    elif repo_root is not None:
        files = [repo_root / rel for rel in found]
    else:
        folders = _repository_folders(root)
        repo_root = folders[-1]
        files = []
        for folder in folders:
            files.extend(sorted(folder.glob(".openpublishing.redirection*.json")))
    redirects: dict[str, str] = {}
    problems: list[Problem] = []
    where = (_absolute(root), _absolute(repo_root))
    for path in files:
        shown = _display(path, root)
        found_here, error = _redirect_file(path, (_absolute(path.parent), *where), cache)
        if error is not None:
            problems.append(Problem(1, 1, f"{error}; its redirections are ignored", path=shown,
                                    rule="config-file-invalid"))
            continue
        redirects.update(found_here)
    return redirects, problems


def _absolute(path: Path) -> str:
    """An absolute POSIX path, normalised as ``os.path.relpath`` would see it."""
    return posixpath.normpath(os.path.abspath(path).replace(os.sep, "/"))


def _redirect_file(path: Path, where: tuple[str, str, str],
                   cache: Path | None) -> tuple[dict[str, str], str | None]:
    """One redirection file's redirects (root-relative source -> URL), or why it cannot be read;
    ``where``: the absolute folder of the file, root and repository root."""
    if path.is_symlink():
        return {}, f"{path.name} is a symbolic link; not read"
    try:
        data = read_regular(path)  # a FIFO in its place would block: only regular files are read
    except OSError as exc:
        return {}, f"cannot read {path.name}: {getattr(exc, 'strerror', None) or exc}"

    def parse() -> tuple[dict[str, str], str | None]:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return {}, f"cannot read {path.name}: {exc}"
        parsed, error = parse_json(text, path.name)
        if error is not None:
            return {}, error
        return _redirections(parsed, *where), None

    if cache is None:
        return parse()
    from .cache import remember

    digest = hashlib.blake2b(data, digest_size=24)
    digest.update("\0".join((path.name, *where)).encode("utf-8", "surrogatepass"))
    result: tuple[dict[str, str], str | None] = remember(cache, "redirects", str(path), digest.digest(), parse)
    return result


def _redirections(data: Any, folder: str, root: str, repo: str) -> dict[str, str]:
    """The ``redirections`` of a parsed redirection file, by normalised root-relative source path
    (``source_path`` is relative to the file's ``folder``, ``source_path_from_root`` to the
    repository root ``repo``; all three absolute POSIX paths); entries without a string source
    and URL, or leaving the root, are skipped. String operations only: a million entries take
    about a second."""
    entries = data.get("redirections", []) if isinstance(data, dict) else []
    redirects: dict[str, str] = {}
    inside = root.rstrip("/") + "/"
    normpath = posixpath.normpath
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        url = entry.get("redirect_url")
        if not isinstance(url, str):
            continue
        if "source_path_from_root" in entry:
            source = entry["source_path_from_root"]
            if not isinstance(source, str):
                continue
            full = normpath(f"{repo}/{source.lstrip('/')}")
        elif "source_path" in entry:
            source = entry["source_path"]
            if not isinstance(source, str):
                continue
            source = source.replace("\\", "/")
            full = normpath(source if source.startswith("/") else f"{folder}/{source}")
        else:
            continue
        if full.startswith(inside):
            redirects[full[len(inside):]] = url
        elif full == root:
            redirects["."] = url
    return redirects


def docfx_from_text(text: str | None) -> tuple[DocfxInfo, list[Problem]]:
    """What a docfx.json held in memory says (None: there is none)."""
    if text is None:
        return DocfxInfo(), []
    data, error = parse_json(text, "docfx.json")
    error = error or _metadata_too_deep(data)
    if error is not None:
        return DocfxInfo(), [Problem(1, 1, f"{error}; its metadata is not applied", path="docfx.json",
                                     rule="config-file-invalid")]
    return docfx_info(data), []

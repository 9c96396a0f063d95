"""A persistent cache of Page facts, keyed by file content.

Files under ``.playbooklint_cache/`` (beside the config file, else in the docset root;
``--cache-dir`` overrides) map each root-relative path to the BLAKE2 digest of the file's bytes
and the Page parsed from them; their names carry the tool version, the version of the Page facts
(``model.FACTS_VERSION``), the docset and the parse-relevant settings, so an upgrade, a change of
what a Page holds or another ``max-file-size`` never reads stale facts.
Pages are spread over shards, so editing a few files rewrites a few shards, not the whole cache.
A second file keeps the last run's findings with a key of everything they depend on, and the
content keys of the other files the rules read (code snippet files, zone pivot groups): the
findings are reused only while those are unchanged too.

The cache is written atomically (temporary file + rename), so concurrent runs never see half a
file; anything that does not load is ignored and rewritten (self-healing). It is a pickle, and a
pickle from a pull request must never be loaded: every cache file is signed with HMAC-SHA256
under a random key kept in the user's own cache folder (never in the repository, never in the
cache folder), or derived from a secret that CI provides (``PLAYBOOKLINT_CACHE_KEY``), and a file
whose signature does not verify is discarded unread. Nothing in a cache file's name or content
depends on where the repository is checked out, or on file times, so a cache restored by a CI
cache step on another machine is reused when it is signed with the same secret.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import os
import pickle
import stat
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from . import __version__
from .atomic import write_atomic
from .model import FACTS_VERSION, Page
from .readfile import read_regular

CACHE_DIR_NAME = ".playbooklint_cache"
_MAGIC = b"PBLC1\n"
_KEY_ENV = "PLAYBOOKLINT_CACHE_KEY_DIR"
_SECRET_ENV = "PLAYBOOKLINT_CACHE_KEY"
SECRET_MIN_LENGTH = 32
_KEY_FILE = "cache-key"


def _key_folder() -> Path:
    if os.environ.get(_KEY_ENV):
        return Path(os.environ[_KEY_ENV])
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "playbooklint"


def _secret_key() -> tuple[bytes | None, str | None] | None:
    """The key derived from the secret CI provides in ``PLAYBOOKLINT_CACHE_KEY``; None when there is
    none: unset, empty (GitHub gives a fork's pull request an empty secret) or an Azure macro left
    unexpanded (``$(PLAYBOOKLINT_CACHE_KEY)``, what a fork's build sees)."""
    value = os.environ.get(_SECRET_ENV, "").strip()
    if not value or (value.startswith("$(") and value.endswith(")")):
        return None
    if len(value) < SECRET_MIN_LENGTH:
        return None, (f"cache off: {_SECRET_ENV} is shorter than {SECRET_MIN_LENGTH} characters; set it to a long "
                      "random secret (such as the output of 'openssl rand -hex 32')")
    return hashlib.sha256(b"playbooklint cache key\0" + value.encode("utf-8", "surrogateescape")).digest(), None


def _read_key(path: Path) -> bytes | None:
    """The key file's first bytes (at most 33: enough to tell a damaged one); None when there is none.
    Raises OSError, also for something that is not a regular file (a FIFO would block)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
    except (FileNotFoundError, NotADirectoryError):  # no key yet (creating it will say what is wrong)
        return None
    with open(path, "rb") as handle:
        return handle.read(33)


def key_status(*refuse: Path) -> tuple[bytes | None, str | None]:
    """This user's secret for signing cache files (created on first use, replaced when damaged),
    or None and a one-line reason why the cache is off. A key file inside one of the ``refuse``
    folders (the repository checked, the cache folder) is never used: whoever can write there could
    sign a cache."""
    provided = _secret_key()
    if provided is not None:
        return provided
    folder = _key_folder()
    path = folder / _KEY_FILE
    hint = (f"make that folder writable, set {_KEY_ENV} to a writable folder outside the repository, or set "
            f"{_SECRET_ENV}; --no-cache turns the cache off without this warning")
    real = os.path.realpath(path)
    for place in refuse:
        top = os.path.realpath(place)
        if real == top or real.startswith(top.rstrip(os.sep) + os.sep):
            return None, (f"cache off: the cache key {path} is inside {place}, where the files checked or cached "
                          f"could replace it; set {_KEY_ENV} to a folder outside it, or set {_SECRET_ENV}")
    try:
        key = _read_key(path)
    except OSError as exc:
        return None, f"cache off: cannot read the cache key {path} ({exc.strerror or exc}); {hint}"
    if key is not None and len(key) == 32:
        return key, None
    damaged = key is not None  # a key of the wrong size signs nothing that verifies: replace it
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # first writer wins (a concurrent run reads the winner's key); a damaged key is replaced
        write_atomic(path, os.urandom(32), mode=0o600, replace=damaged)
        key = _read_key(path)
    except OSError as exc:
        what = "replace the damaged" if damaged else "create the"
        return None, f"cache off: cannot {what} cache key {path} ({exc.strerror or exc}); {hint}"
    if key is None or len(key) != 32:
        return None, f"cache off: the cache key {path} is damaged; delete it"
    return key, None


def signing_key() -> bytes | None:
    """This user's secret for signing cache files (created on first use); None if unavailable."""
    return key_status()[0]


SHARDS = 32


def _shard(rel: str) -> int:
    return hashlib.blake2b(rel.encode("utf-8", "surrogatepass"), digest_size=1).digest()[0] % SHARDS


class PageCache:
    """Digest and Page per root-relative path, for one docset and parse setting."""

    def __init__(self, folder: Path, root: Path, settings: str, repository: Path | None = None) -> None:
        self.folder = folder
        # where the repository is checked out differs between machines (CI runners): the name holds
        # the docset's place in the repository and the repository folder's name, not the full path
        place = str(root)
        if repository is not None and (root == repository or repository in root.parents):
            place = f"{repository.name}/{root.relative_to(repository).as_posix()}"
        self.name = hashlib.blake2b(f"{__version__}\0{FACTS_VERSION}\0{place}\0{settings}".encode(
            "utf-8", "surrogateescape"), digest_size=8).hexdigest()
        self.results_path = folder / f"results-{self.name}.bin"
        self.state_path = folder / f"state-{self.name}.bin"
        self.stats_path = folder / f"stats-{self.name}.bin"
        self._stats_saved: Mapping[str, Any] | None = None
        self.key, self.problem = key_status(folder, *([repository] if repository is not None else []))
        self.entries: dict[str, tuple[bytes, Page]] = {}
        self.dirty: set[int] = set()

    def shard_path(self, shard: int) -> Path:
        return self.folder / f"pages-{self.name}-{shard:02d}.bin"

    @property
    def usable(self) -> bool:
        return self.key is not None

    def _read(self, path: Path) -> Any:
        """Unpickle a signed file; None for anything missing, damaged, unsigned or foreign."""
        if self.key is None:
            return None
        try:
            blob = read_regular(path)  # a FIFO or /dev/zero put in its place is not read
        except OSError:
            return None
        if not blob.startswith(_MAGIC) or len(blob) < len(_MAGIC) + 32:
            return None
        signature = blob[len(_MAGIC): len(_MAGIC) + 32]
        payload = blob[len(_MAGIC) + 32:]
        if not hmac.compare_digest(signature, hmac.new(self.key, payload, hashlib.sha256).digest()):
            return None
        try:
            return pickle.loads(payload)
        except Exception:  # noqa: BLE001 - a damaged cache is rebuilt, never fatal
            return None

    def _write(self, path: Path, data: Any) -> bool:
        """Sign and write atomically; False when the folder cannot be written."""
        if self.key is None:
            return False
        payload = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        blob = _MAGIC + hmac.new(self.key, payload, hashlib.sha256).digest() + payload
        return write_cache_file(path, blob)

    def load(self) -> None:
        """Read the cached pages; a shard with any problem (missing, corrupt, unsigned, foreign)
        is left out and rebuilt."""
        for shard in range(SHARDS):
            entries = self._read(self.shard_path(shard))
            if isinstance(entries, dict):
                self.entries.update(entries)

    @property
    def cold(self) -> bool:
        """True when nothing is cached for this docset yet: no findings and no pages."""
        try:
            return not self.results_path.exists() and not any(self.folder.glob(f"pages-{self.name}-*.bin"))
        except OSError:
            return True

    def load_results(self, run_key: bytes, current: Callable[[str], bytes] | None = None) -> list[Any] | None:
        """The findings of the last run, if its inputs had exactly this key and each other file its
        rules read still has the same content key (``current(path)``)."""
        data = self._read(self.results_path)
        if not (isinstance(data, tuple) and len(data) == 3 and data[0] == run_key and isinstance(data[1], list)
                and isinstance(data[2], dict)):
            return None
        if data[2] and (current is None or any(current(rel) != key for rel, key in data[2].items())):
            return None
        return data[1]

    def save_results(self, run_key: bytes, diagnostics: list[Any], reads: Mapping[str, bytes] | None = None) -> None:
        """Keep a run's findings with its key and the content keys of the other files its rules read."""
        self._write(self.results_path, (run_key, diagnostics, dict(reads or {})))

    def load_stats(self) -> dict[str, Any]:
        """Each file's signature (size, times, inode) and content key at the last run."""
        stats = self._read(self.stats_path)
        self._stats_saved = stats if isinstance(stats, dict) else {}
        return self._stats_saved

    def save_stats(self, stats: Mapping[str, Any]) -> None:
        if stats != self._stats_saved:
            self._write(self.stats_path, dict(stats))

    def load_state(self) -> Any:
        """What the last run saw and each page's findings (``incremental.State``), or None."""
        return self._read(self.state_path)

    def save_state(self, state: Any) -> None:
        self._write(self.state_path, state)

    def get(self, rel: str, key: bytes) -> Page | None:
        entry = self.entries.get(rel)
        if entry is not None and entry[0] == key:
            return entry[1]
        return None

    def put(self, rel: str, key: bytes, page: Page) -> None:
        self.entries[rel] = (key, page)
        self.dirty.add(_shard(rel))

    def retain(self, paths: set[str]) -> None:
        """Forget files that are gone."""
        for rel in [rel for rel in self.entries if rel not in paths]:
            del self.entries[rel]
            self.dirty.add(_shard(rel))

    def save(self) -> None:
        """Write the changed shards atomically; a cache that cannot be written is simply not written."""
        if not self.dirty:
            return
        shards: dict[int, dict[str, tuple[bytes, Page]]] = {shard: {} for shard in self.dirty}
        for rel, entry in self.entries.items():
            shard = _shard(rel)
            if shard in shards:
                shards[shard][rel] = entry
        for shard, entries in shards.items():
            if self._write(self.shard_path(shard), entries):
                self.dirty.discard(shard)


def write_cache_file(path: Path, blob: bytes) -> bool:
    """Write a file of the cache folder atomically, creating the folder (which git-ignores itself);
    False when it cannot be written (a read-only checkout): the cache is simply not written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = path.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# created by playbooklint\n*\n", encoding="utf-8")
        write_atomic(path, blob)
    except OSError:
        return False
    return True


def open_cache(folder: Path, root: Path, settings: str, repository: Path | None = None) -> PageCache | None:
    """The cache of a docset (not loaded yet), or None when no signing key can be had
    (``key_status`` says why)."""
    cache = PageCache(folder, root, settings, repository)
    return cache if cache.usable else None


def run_key(parts: Iterable[str], contents: Iterable[tuple[str, bytes]]) -> bytes:
    """A digest of everything a run's findings depend on: text parts (settings, listings) and
    (path, content key) pairs."""
    digest = hashlib.blake2b(digest_size=24)
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    for rel, key in contents:
        digest.update(rel.encode("utf-8", "surrogatepass") + b"\0" + key + b"\0")
    return digest.digest()


def remember(folder: Path, kind: str, source: str, digest: bytes, compute: Callable[[], Any]) -> Any:
    """What ``compute()`` makes of an input (a settings file) whose content and context have this
    digest, computed once: kept in a signed file of the cache folder, one per ``kind`` and
    ``source``, and recomputed when the digest changes. Without a signing key it is just computed."""
    store = PageCache(folder, folder, kind)
    name = hashlib.blake2b(f"{__version__}\0{kind}\0{source}".encode("utf-8", "surrogatepass"),
                           digest_size=8).hexdigest()
    path = folder / f"{kind}-{name}.bin"
    found = store._read(path)
    if isinstance(found, tuple) and len(found) == 2 and found[0] == digest:
        return found[1]
    value = compute()
    store._write(path, (digest, value))
    return value

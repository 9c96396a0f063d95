"""Files -> Pages: read a file once, then parse it within a time budget (the impure side of parsing).

The parse itself (``playbooklint.parse``) is pure; here are the file system (regular files only),
the content key the cache uses, the size limit, the per-file time budget (SIGALRM) and the run's
deadline, and the guard that turns any failure on one file into a problem on that file.
"""

from __future__ import annotations

import hashlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from . import parse
from .config import DEFAULT_FILE_TIMEOUT, DEFAULT_MAX_FILE_SIZE
from .model import Page, Problem
from .readfile import open_regular

DEFAULT_MAX_BYTES = DEFAULT_MAX_FILE_SIZE
DEFAULT_BUDGET = DEFAULT_FILE_TIMEOUT
"""Seconds one file may take to parse before it is reported and skipped."""


def read_source(root: str, rel_path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, bytes | None, Page | None]:
    """Read a file once: (content key, bytes, None), or (key, None, Page) when it is not parsed
    (too large: keyed by its size; unreadable, or not a regular file: an empty key). A FIFO, socket
    or device is never opened, and no more than ``max_bytes + 1`` bytes are ever read."""
    try:
        with open_regular(os.path.join(root, rel_path)) as handle:  # never a FIFO or a device
            size = os.fstat(handle.fileno()).st_size
            data = b""
            if not max_bytes or size <= max_bytes:
                data = handle.read(max_bytes + 1) if max_bytes else handle.read()
                size = max(size, len(data))  # it may have grown since
            if max_bytes and size > max_bytes:
                return b"size:%d" % size, None, Page(rel_path, problems=(Problem(
                    1, 1,
                    f"file is {size:,} bytes, over the {max_bytes:,}-byte limit; not checked "
                    "(raise --max-file-size if it is meant to be this large)",
                    rule="file-too-large",
                ),))
    except OSError as exc:
        return b"", None, Page(rel_path, problems=(Problem(1, 1, f"cannot read file: {exc.strerror or exc}",
                                                           rule="file-unreadable"),))
    return hashlib.blake2b(data, digest_size=16).digest(), data, None


def current_key(root: str, rel_path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The content key ``read_source`` gives a file now; a path that a symbolic link leads out of
    ``root`` is never opened (its key is ``b"outside"``)."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(root, rel_path))
    if real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep):
        return b"outside"
    return read_source(root, rel_path, max_bytes)[0]


class ParseTimeout(Exception):
    """A file's parse ran over its time budget."""


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise ParseTimeout in this thread after ``seconds`` (POSIX main thread; elsewhere, and for
    0, no budget). Pure-Python parsing is interrupted wherever it is; C code is kept linear by
    bounded regular expressions."""
    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: Any) -> None:
        raise ParseTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


OUT_OF_TIME = "run-budget-exceeded"
"""The rule of a file the run had no time left to parse (or whose parse the run's end cut off)."""


class Deadline(NamedTuple):
    """When the run stops parsing (``time.time()``: the same clock in every worker process)."""

    at: float
    seconds: float
    """The run's budget, for the message."""

    def left(self) -> float:
        return self.at - time.time()


def out_of_time(rel_path: str, deadline: Deadline, cut: bool = False) -> Page:
    """The Page of a file the run's time budget left unparsed."""
    when = "ran out while this file was being parsed" if cut else "ran out before this file was parsed"
    return Page(rel_path, problems=(Problem(
        1, 1, f"not checked: the run's {deadline.seconds:g}-second time budget {when} (look for files that are "
        "slow to parse, or raise --run-timeout)", rule=OUT_OF_TIME,
    ),))


def parse_bytes(rel_path: str, data: bytes, budget: float = DEFAULT_BUDGET, deadline: Deadline | None = None) -> Page:
    """Facts of a file's bytes, within ``budget`` seconds and before the run's ``deadline``.
    Never raises for file content."""
    text, problem = parse.decode(data)
    if text is None:
        return Page(rel_path, problems=(problem,) if problem else ())
    limit, by_run = budget, False
    if deadline is not None:
        left = deadline.left()
        if left <= 0:
            return out_of_time(rel_path, deadline)
        if not limit or left < limit:
            limit, by_run = left, True
    try:
        with time_budget(limit):
            return parse.parse_text(rel_path, text)  # looked up at call time: tests replace it
    except ParseTimeout:
        if by_run:
            assert deadline is not None
            return out_of_time(rel_path, deadline, cut=True)
        return Page(rel_path, problems=(Problem(
            1, 1, f"parsing took longer than the {budget:g}-second budget; not checked (simplify the file, or "
            "raise --file-timeout if it is meant to be like this)", rule="file-too-large",
        ),))
    except RecursionError:
        return Page(rel_path, problems=(Problem(1, 1, "file is nested too deeply to parse; not checked",
                                                rule="internal-error"),))
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
        return Page(rel_path, problems=(Problem(
            1, 1, f"could not parse this file ({type(exc).__name__}: {exc}); please report it",
            rule="internal-error",
        ),))


def parse_source(root: str, rel_path: str, max_bytes: int = DEFAULT_MAX_BYTES,
                 budget: float = DEFAULT_BUDGET, deadline: Deadline | None = None) -> tuple[str, bytes, Page]:
    """(path, content key, Page): what a parse worker returns. Past the ``deadline`` the file is
    not even read (its key is empty)."""
    if deadline is not None and deadline.left() <= 0:
        return rel_path, b"", out_of_time(rel_path, deadline)
    key, data, page = read_source(root, rel_path, max_bytes)
    if page is None:
        page = parse_bytes(rel_path, data or b"", budget, deadline)
    return rel_path, key, page


def parse_file(root: str, rel_path: str, max_bytes: int = DEFAULT_MAX_BYTES, budget: float = DEFAULT_BUDGET) -> Page:
    """Read ``root/rel_path`` once and return its facts. Never raises for file content."""
    return parse_source(root, rel_path, max_bytes, budget)[2]

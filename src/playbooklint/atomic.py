"""Atomic file writes: a temporary file in the same folder, renamed over the target, so a crash or
Ctrl-C leaves the old file or the new one, never half of either."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, *, mode: int | None = None, replace: bool = True,
                 keep_mode: bool = False, durable: bool = False) -> bool:
    """Write ``data`` to ``path`` atomically. With ``replace=False`` an existing file wins (the
    first writer of a shared file keeps it) and False is returned. ``mode`` sets the permissions
    before the file becomes visible; ``keep_mode`` gives the new file the permissions of the one it
    replaces (a temporary file starts private). ``durable`` flushes the new bytes to disk before
    the rename, so even a power cut leaves the old file or the whole new one."""
    if keep_mode and mode is None:
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            pass
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        if replace:
            os.replace(temp, path)
            return True
        try:
            os.link(temp, path)
            return True
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links
            os.replace(temp, path)
            return True
    finally:
        if os.path.exists(temp):
            os.unlink(temp)

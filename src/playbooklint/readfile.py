"""Open and read regular files only.

A named pipe (FIFO) blocks whoever opens it until a writer comes, and a character device such as
``/dev/zero`` never ends: a repository can hold either (or a symbolic link to one), so every file
playbooklint reads goes through here. The file is ``stat``'ed first and refused unless it is a
regular file; it is then opened with ``O_NONBLOCK`` (a FIFO swapped in between the two calls
cannot block the open) and checked again on the open descriptor, so what is read is always the
regular file that was checked.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


class NotRegularFile(OSError):
    """A path that exists but is not a regular file (a FIFO, socket, device or folder)."""


def kind_of(mode: int) -> str | None:
    """What a ``st_mode`` that is not a regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def _refuse(path: str | os.PathLike[str], what: str) -> NotRegularFile:
    import errno

    return NotRegularFile(errno.EINVAL, f"{what}, not a regular file; not read", os.fspath(path))


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """``open(path, "rb")`` for a regular file (symbolic links followed); NotRegularFile (an
    OSError) for anything else, without opening it."""
    what = kind_of(os.stat(path).st_mode)
    if what is not None:
        raise _refuse(path, what)
    fd = os.open(path, _OPEN_FLAGS)
    try:
        what = kind_of(os.fstat(fd).st_mode)
        if what is not None:
            raise _refuse(path, what)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_regular(path: str | os.PathLike[str], limit: int = 0) -> bytes:
    """The bytes of a regular file (OSError otherwise). With ``limit``, at most ``limit + 1`` bytes
    are read, so a caller can tell a file that is over it without reading all of it."""
    with open_regular(path) as handle:
        return handle.read(limit + 1) if limit > 0 else handle.read()


def read_regular_text(path: Path, encoding: str = "utf-8") -> str:
    """``Path.read_text`` for a regular file (OSError otherwise; UnicodeDecodeError as usual),
    line ends made ``\\n`` as text mode makes them."""
    return read_regular(path).decode(encoding).replace("\r\n", "\n").replace("\r", "\n")

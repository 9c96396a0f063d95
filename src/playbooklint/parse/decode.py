"""``bytes -> text``: BOMs (UTF-8, UTF-16, UTF-32), ``\\n`` line ends, and undecodable files as a problem."""

from __future__ import annotations

import codecs

from ..model import Problem

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


def _position_of_byte(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in bytes) of a byte offset."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def decode(data: bytes) -> tuple[str | None, Problem | None]:
    """Bytes to text with ``\\n`` line ends; or None and a ``file-unreadable`` problem."""
    encoding, bom_len = "utf-8", 0
    for bom, name, _label in _BOMS:
        if data.startswith(bom):
            encoding, bom_len = name, len(bom)
            break
    body = data[bom_len:]
    if encoding == "utf-8" and b"\x00" in body:
        line, col = _position_of_byte(body, body.index(b"\x00"))
        return None, Problem(
            line, col, "binary file (NUL byte), not checked; keep binaries out of the docset's Markdown",
            rule="file-unreadable",
        )
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding == "utf-8":
            line, col = _position_of_byte(body, exc.start)
            where = f"byte offset {exc.start + bom_len}"
        else:
            line, col, where = 1, 1, f"byte offset {exc.start + bom_len}"
        return None, Problem(
            line, col,
            f"not valid {encoding.split('-')[0].upper()}-{encoding.split('-')[1]} text "
            f"(first bad sequence at {where}); save the file as UTF-8",
            rule="file-unreadable",
        )
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    return text, None

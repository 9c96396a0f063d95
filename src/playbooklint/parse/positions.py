"""Offsets in a block's text (markers and indentation stripped) back to 1-based file positions."""

from __future__ import annotations

from bisect import bisect_right


class Mapper:
    """Maps offsets in a block's text (markers and indentation stripped) back to file positions."""

    __slots__ = ("starts", "cols", "first")

    def __init__(self, content: str, first: int, lines: list[str], cursor: dict[int, int] | None) -> None:
        self.first = first
        self.starts = [0]
        find = content.find
        pos = find("\n")
        while pos >= 0:
            self.starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self.cols = []
        for index, start in enumerate(self.starts):
            end = self.starts[index + 1] - 1 if index + 1 < len(self.starts) else len(content)
            lineno = first + index
            source = lines[lineno] if lineno < len(lines) else ""
            self.cols.append(locate(source, content[start:end], lineno, cursor))

    def at(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a content offset."""
        index = bisect_right(self.starts, offset) - 1
        return self.first + index + 1, self.cols[index] + offset - self.starts[index] + 1


def locate(source: str, piece: str, lineno: int, cursor: dict[int, int] | None) -> int:
    """0-based column where ``piece`` (one line of a block's content) sits in ``source``.

    A paragraph line is a suffix of its source line (block markers and indentation stripped);
    table cells share a line, so they are searched left to right from the previous cell (``cursor``).
    """
    indent = len(source) - len(source.lstrip())
    piece = piece.rstrip()
    if not piece:
        return indent
    if cursor is not None:
        found = source.find(piece, cursor.get(lineno, 0))
        if found >= 0:
            cursor[lineno] = found + len(piece)
            return found
    stripped = source.rstrip()
    if stripped.endswith(piece):
        return len(stripped) - len(piece)
    found = source.find(piece)
    return found if found >= 0 else indent

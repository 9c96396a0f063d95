"""What reports print of untrusted text: messages, paths, link targets, metadata values and
config values all come from the repository being checked, so none may start a line, hide a
character, or read as a CI command when a report is printed in a build log.

The hazards:

* line breaks (LF, CR, U+0085, U+2028, U+2029; the CI runners end a line at a bare CR) would let a
  value start a line of its own: ``::error ...`` is a GitHub workflow command at the start of a
  line (after whitespace);
* ``##vso[`` is an Azure Pipelines logging command *anywhere* in a line (the agent looks for it with
  ``IndexOf``), and ``##[`` is the legacy form the GitHub runner still reads anywhere in a line;
* control characters (ESC sequences recolour or rewrite the terminal and the log viewer), Unicode
  format characters (bidi overrides that reorder what is shown, zero-width characters that are
  invisible and that culture-aware comparisons skip), and lone surrogates (bytes of a file name
  that are not UTF-8, as ``os.fsdecode`` gives them), which no UTF-8 output can hold.

One representation everywhere text is shown (``shown``): LF as ``\\n``, CR as ``\\r``, any other
control or format character as ``\\xNN`` / ``\\uNNNN`` / ``\\UNNNNNNNN``, a byte of a file name that
is not UTF-8 as ``\\xNN`` (the byte: ``bad\\xff.md``), and the second ``#`` of ``##`` as ``\\x23``. The
tab is kept. Backslashes are not doubled: this is for reading, not for decoding back.

The machine formats keep the data exact where their syntax can (``json_text``: JSON escapes,
``xml_text``: character references), so a parser reads the same string, while the bytes printed
stay one inert line each; the one thing no valid UTF-8 document can hold, a byte of a file name
that is not UTF-8, is written as the same ``\\xNN`` text everywhere (and as ``%NN`` in a URI).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Control, format, surrogate, line and paragraph separator characters."""
_NOT_ASCII = re.compile(r"[^\x00-\x7e]+")
"""Runs of DEL, C1 and everything above ASCII (serialized JSON and XML hold no raw C0 but tab, LF, CR)."""
_CONTROL_OR_NOT_ASCII = re.compile(r"[^\t\x20-\x7e]+")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def hidden(char: str) -> bool:
    """A character that must not reach a report as is (the tab excepted)."""
    return char != "\t" and unicodedata.category(char) in _HIDDEN_CATEGORIES


def _visible(char: str) -> str:
    """One hidden character as ``\\n``, ``\\r``, ``\\xNN``, ``\\uNNNN`` or ``\\UNNNNNNNN``; a
    surrogate-escaped byte (U+DC80..U+DCFF) as the byte it stands for."""
    code = ord(char)
    if char == "\n":
        return "\\n"
    if char == "\r":
        return "\\r"
    if code < 0x100:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _each_hidden(text: str, pattern: re.Pattern[str], render: Callable[[str], str]) -> str:
    """``text`` with every hidden character in a run ``pattern`` matches replaced by ``render(char)``.
    Runs of ordinary characters (most non-ASCII text) are kept whole without a per-character look."""

    def replace(found: re.Match[str]) -> str:
        run = found[0]
        if run.isprintable():
            return run
        return "".join(render(c) if hidden(c) else c for c in run)

    return pattern.sub(replace, text)


def shown(text: str) -> str:
    """``text`` as a report shows it to people (text, concise, full, HTML, the body of a JUnit
    failure, the messages of GitHub and Azure annotations): on one line, every hidden character
    visible, no ``##``."""
    if text.isprintable() and "##" not in text:
        return text
    return _each_hidden(text, _CONTROL_OR_NOT_ASCII, _visible).replace("##", "#\\x23")


def shown_keeping_breaks(text: str) -> str:
    """Like ``shown``, with LF and CR kept: for a CI command's data, whose own escaping
    (``%0A``, ``%0D``) carries them to the annotation."""
    if text.isprintable() and "##" not in text:
        return text
    parts = re.split(r"(\r\n|\r|\n)", text)
    return "".join(part if i % 2 else shown(part) for i, part in enumerate(parts))


def shown_path(path: str) -> str:
    """A path as ``shown``, made safe at the start of a line: a relative path that begins with
    ``:`` or a space (``::error::x.md``) is written ``./::error::x.md``."""
    path = shown(path)
    if path[:1] == ":" or path[:1].isspace():
        return "./" + path
    return path


def json_text(serialized: str) -> str:
    """Serialized JSON (``ensure_ascii=False``) made inert where it is printed: control, format
    and separator characters ``json.dumps`` leaves raw become ``\\uNNNN`` escapes and ``##`` becomes
    ``#\\u0023`` (a parser reads the same strings); a lone surrogate becomes the text ``\\xNN``."""

    def render(char: str) -> str:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            return _visible(char).replace("\\", "\\\\")
        if code > 0xFFFF:
            high, low = divmod(code - 0x10000, 0x400)
            return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"
        return f"\\u{code:04x}"

    if serialized.replace("\n", "").isprintable():  # the common case: nothing hidden
        return serialized.replace("##", "#\\u0023")
    return _each_hidden(serialized, _NOT_ASCII, render).replace("##", "#\\u0023")


def xml_value(text: str) -> str:
    """A string for an XML 1.0 element or attribute: the characters XML 1.0 cannot hold at all (C0
    controls other than tab, LF and CR; lone surrogates; U+FFFE, U+FFFF) written visibly as
    ``shown`` writes them."""
    return _XML_INVALID.sub(lambda found: _visible(found[0]), text)


def xml_text(serialized: str) -> str:
    """Serialized XML made inert where it is printed: the other hidden characters become character
    references, ``##`` becomes ``#&#35;`` (a parser reads the same text)."""

    def render(char: str) -> str:
        return _visible(char) if 0xD800 <= ord(char) <= 0xDFFF else f"&#x{ord(char):x};"

    if serialized.replace("\n", "").replace("\t", "").isprintable():  # the common case: nothing hidden
        return serialized.replace("##", "#&#35;")
    return _each_hidden(serialized, _NOT_ASCII, render).replace("##", "#&#35;")

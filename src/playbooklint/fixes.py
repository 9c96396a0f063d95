"""Applying fixes: the one applier behind ``--fix``, ``--diff`` (and an editor's quick fixes).

A finding may carry a Fix: Edits a rule built from the Page facts. Here they meet the file text:

1. **Read** each file a fix edits, once, as bytes; refuse a file that is not in the docset, is a
   symbolic link (or lies under one), changed since it was checked (its BLAKE2 digest differs from
   the one its facts were read from), or whose bytes do not decode and re-encode to themselves.
2. **Locate** each edit inside its span (``locate``) and apply a file's fixes in order, skipping
   one that overlaps a fix already taken (it is retried on the re-checked text).
3. **Validate** in memory before anything is written: the edited files are parsed again and must
   keep their structure (headings, lists, links, includes on the same lines); the rules run again
   over them, and a fix that leaves its finding in place or causes a new one is rolled back.
   Findings the re-check brings (a fix skipped for an overlap) are fixed in a further pass, so
   a second ``--fix`` has nothing left to do.
4. **Write** each changed file atomically (temporary file in the same folder, renamed over the
   original, permissions kept), after checking once more that it is still the file that was read.

Only the edited characters change: the encoding, the BOM, every line ending and the end of the
file are kept, because the edited text is re-encoded only after checking that the original text
re-encodes to exactly the original bytes.
"""

from __future__ import annotations

import codecs
import difflib
import hashlib
import os
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .atomic import write_atomic
from .discover import is_within
from .model import Diagnostic, Edit, Fix, Page
from .readfile import read_regular
from .reporters.common import display_path, docset_name
from .rules.runner import run_rules
from .source import parse_bytes

if TYPE_CHECKING:
    from .docset import Docset
    from .engine import DocsetResult, Result
    from .rules.settings import RuleSettings

MAX_PASSES = 8
"""Fix, re-check, fix what the re-check offers: at most this many rounds."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_BREAK = re.compile(r"\r\n|\r|\n")


def digest(data: bytes) -> bytes:
    """The content key the engine records for a file's bytes (``source.read_source``'s)."""
    return hashlib.blake2b(data, digest_size=16).digest()


# ---------------------------------------------------------------------- lossless text


@dataclass(frozen=True)
class Text:
    """A file's text exactly as stored: its encoding and BOM, line ends not normalised."""

    text: str
    """The decoded text (``\\r\\n`` and lone ``\\r`` kept)."""
    encoding: str = "utf-8"
    """The codec that re-encodes it."""
    bom: bytes = b""
    """The byte-order mark it starts with, if any."""
    starts: tuple[int, ...] = field(default=(), repr=False)
    """Offset where each line starts (lines end at ``\\r\\n``, ``\\r`` or ``\\n``, as parsing reads them)."""

    @classmethod
    def of(cls, text: str, encoding: str = "utf-8", bom: bytes = b"") -> Text:
        starts = [0]
        starts.extend(match.end() for match in _BREAK.finditer(text))
        return cls(text, encoding, bom, tuple(starts))

    @classmethod
    def decode(cls, data: bytes) -> Text | None:
        """The text of a file's bytes; None unless it re-encodes to exactly these bytes."""
        encoding, bom = "utf-8", b""
        for mark, name in _BOMS:
            if data.startswith(mark):
                encoding, bom = name, mark
                break
        try:
            text = data[len(bom):].decode(encoding)
        except UnicodeDecodeError:
            return None
        found = cls.of(text, encoding, bom)
        return found if found.encode() == data else None

    def encode(self) -> bytes:
        return self.bom + self.text.encode(self.encoding)

    def with_text(self, text: str) -> Text:
        return Text.of(text, self.encoding, self.bom)

    def line_end(self, line: int) -> int:
        """Offset just past the last character of a 1-based line (before its line break)."""
        if line < len(self.starts):
            following = self.starts[line]
            text = self.text
            if following >= 2 and text[following - 2: following] == "\r\n":
                return following - 2
            return following - 1
        return len(self.text)

    def offset(self, line: int, column: int) -> int | None:
        """Offset of a 1-based line and column (code points); None when there is no such place."""
        if line < 1 or line > len(self.starts) or column < 1:
            return None
        at = self.starts[line - 1] + column - 1
        return at if at <= self.line_end(line) else None

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of an offset."""
        index = bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1


# ---------------------------------------------------------------------- locating and applying


@dataclass(frozen=True, order=True)
class Span:
    """A located edit: replace ``text[start:end]`` by ``replacement``."""

    start: int
    end: int
    replacement: str


def locate(text: Text, edit: Edit) -> Span | None:
    """Where an edit applies in the file: the one place in its span where ``expected`` is written
    with the span's text before and after it matching the edit's patterns; None when there is no
    such place or more than one, or when the edit would touch a line break."""
    if not edit.expected or any(c in edit.expected or c in edit.replacement for c in "\r\n"):
        return None
    start = text.offset(edit.line, edit.column)
    if start is None:
        return None
    if edit.end_line is None or edit.end_column is None:
        end: int | None = text.line_end(edit.line)
    else:
        end = text.offset(edit.end_line, edit.end_column)
    if end is None or end < start:
        return None
    window = text.text[start:end]
    before = re.compile(edit.before)
    after = re.compile(edit.after)
    found: list[int] = []
    at = window.find(edit.expected)
    while at >= 0:
        if before.fullmatch(window, 0, at) and after.fullmatch(window, at + len(edit.expected)):
            found.append(at)
        at = window.find(edit.expected, at + 1)
    if len(found) != 1:
        return None
    return Span(start + found[0], start + found[0] + len(edit.expected), edit.replacement)


def apply_spans(text: str, spans: Iterable[Span]) -> str:
    """The text with non-overlapping spans replaced."""
    out: list[str] = []
    at = 0
    for span in sorted(spans):
        out.append(text[at:span.start])
        out.append(span.replacement)
        at = span.end
    out.append(text[at:])
    return "".join(out)


def _overlaps(span: Span, taken: Sequence[Span]) -> bool:
    return any(span.start < other.end and other.start < span.end or span.start == other.start for other in taken)


def plan(text: Text, fixes: Sequence[Fix]) -> tuple[list[tuple[int, list[Span]]], list[int], list[int]]:
    """Which fixes of one file to apply, in the order they appear in it: (fix index, its spans)
    for each taken; the indexes of fixes that overlap one taken first; and of fixes that cannot be
    located."""
    located: list[tuple[int, list[Span]]] = []
    lost: list[int] = []
    for index, fix in enumerate(fixes):
        found = [locate(text, edit) for edit in fix.edits]
        if not found or any(s is None for s in found):
            lost.append(index)
        else:
            located.append((index, sorted(s for s in found if s is not None)))
    located.sort(key=lambda item: (item[1][0].start, item[0]))
    taken: list[tuple[int, list[Span]]] = []
    spans_taken: list[Span] = []
    overlapping: list[int] = []
    for index, spans in located:
        if any(_overlaps(span, spans_taken) for span in spans) or any(
                _overlaps(span, spans[:n]) for n, span in enumerate(spans)):
            overlapping.append(index)
            continue
        taken.append((index, spans))
        spans_taken.extend(spans)
    return taken, overlapping, lost


def fix_text(text: str, fixes: Sequence[Fix]) -> str:
    """``text`` (a page held in memory, ``\\n`` line ends) with the fixes that can be located and
    do not overlap an earlier one applied: what an editor's "fix all" does (no re-check)."""
    found = Text.of(text)
    taken, _overlapping, _lost = plan(found, fixes)
    return apply_spans(text, [span for _index, spans in taken for span in spans])


class _Moves:
    """Offsets of a text before its spans were replaced, to and from offsets after."""

    def __init__(self, spans: Sequence[Span]) -> None:
        self.spans = sorted(spans)

    def back(self, offset: int) -> int:
        """The offset in the old text of an offset in the new one (inside an edit: its start)."""
        shift = 0
        for span in self.spans:
            new_start = span.start + shift
            new_end = new_start + len(span.replacement)
            if offset < new_start:
                break
            if offset < new_end:
                return span.start
            shift += len(span.replacement) - (span.end - span.start)
        return offset - shift


# ---------------------------------------------------------------------- what a run reports


@dataclass(frozen=True)
class Outcome:
    """What became of one finding's fix."""

    root: Path
    """The docset root."""
    prefix: str
    """The docset's folder in its repository ("" for the root)."""
    diagnostic: Diagnostic
    """The finding (its position in the file as it was when the fix was applied)."""
    applied: bool
    """True when the fix is in the file written (or in the diff)."""
    reason: str = ""
    """Why it was not applied."""
    edits: tuple[tuple[int, int, int, str, str], ...] = ()
    """Applied edits: (line, column, end column, old text, new text), in the file as it was."""

    def as_dict(self, cwd: Path | None = None) -> dict[str, Any]:
        d = self.diagnostic
        item: dict[str, Any] = {
            "file": display_path(self.root, d.path, cwd).replace(os.sep, "/"),
            "path": d.path,
            "docset": self.prefix or ".",
            "line": d.line,
            "column": d.column,
            "rule": d.rule,
            "code": d.code,
            "message": d.message,
            "fix": d.fix.message if d.fix else "",
            "applicability": "safe" if d.fix is None or d.fix.safe else "unsafe",
        }
        if self.applied:
            item["edits"] = [{"line": line, "column": column, "end_column": end, "old": old, "new": new}
                             for line, column, end, old, new in self.edits]
        else:
            item["reason"] = self.reason
        return item


@dataclass(frozen=True)
class Changed:
    """A file the fixes change."""

    root: Path
    path: str
    """Root-relative POSIX path."""
    before: str
    """Its text as read."""
    after: str
    """Its text fixed."""
    written: bool
    """True once written to disk."""


@dataclass
class FixSummary:
    """What ``--fix`` (``write``) or ``--diff`` did: fixes applied, fixes not applied and why,
    files changed."""

    write: bool
    """True for --fix, False for --diff (nothing written)."""
    applied: list[Outcome] = field(default_factory=list)
    not_applied: list[Outcome] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)

    @property
    def fixed(self) -> int:
        """Findings fixed."""
        return len(self.applied)

    @property
    def files(self) -> int:
        """Files changed."""
        return len(self.changed)

    def diff(self, cwd: Path | None = None) -> str:
        """A unified diff of every changed file (``a/``/``b/`` paths, line ends as in the file)."""
        out: list[str] = []
        for changed in self.changed:
            shown = display_path(changed.root, changed.path, cwd).replace(os.sep, "/")
            lines = difflib.unified_diff(_lines(changed.before), _lines(changed.after), f"a/{shown}", f"b/{shown}")
            for line in lines:
                out.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
        return "".join(out)

    def as_dict(self, cwd: Path | None = None) -> dict[str, Any]:
        return {
            "written": self.write,
            "fixed": self.fixed,
            "files": self.files,
            "applied": [o.as_dict(cwd) for o in self.applied],
            "not_applied": [o.as_dict(cwd) for o in self.not_applied],
        }


def _lines(text: str) -> list[str]:
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


# ---------------------------------------------------------------------- fixing a run


def _shape(page: Page) -> tuple[Any, ...]:
    """What a fix must not move: where headings, anchors, links, lists, includes, comments and
    TOC entries are, and what the front matter says."""
    return (
        page.kind, page.readable, page.front_matter, page.lines,
        tuple((h.line, h.level, h.slug) for h in page.headings),
        tuple((a.line, a.name) for a in page.anchors),
        tuple((link.line, link.kind, link.end_line) for link in page.links),
        tuple((b.line, b.ordered, tuple((i.line, i.links) for i in b.items)) for b in page.lists),
        tuple(i.line for i in page.includes),
        tuple((c.line, c.text) for c in page.comments),
        tuple((s.line, tuple((e.line, e.key) for e in s.entries)) for s in page.toc),
        tuple((p.rule, p.line) for p in page.problems),
    )


def _blocks(page: Page, text: Text) -> tuple[Any, ...]:
    """The Markdown block structure (what nests in what, on which lines), which the facts alone
    do not show: a list item whose marker grows a digit may lose the list nested under it."""
    if page.kind != "markdown":
        return ()
    from markdown_it.token import Token

    from .parse import markdown_parser

    md = markdown_parser()
    tokens: list[Token] = []
    md.block.parse(text.text.replace("\r\n", "\n").replace("\r", "\n"), md, {}, tokens)  # blocks only
    return tuple((t.type, t.level, tuple(t.map) if t.map else None) for t in tokens if t.type != "inline")


@dataclass
class _File:
    """A file being fixed: as read, as fixed so far, and its facts now."""

    path: Path
    original: Text
    data: bytes
    current: Text
    page: Page


def _key(d: Diagnostic) -> tuple[Any, ...]:
    """A finding and its fix, the same from one pass to the next (a fix never moves a line; a
    column moves only when an earlier fix on its line changed length)."""
    fix = d.fix
    return (d.path, d.rule, d.line, d.column, d.message, tuple(e.replacement for e in fix.edits) if fix else ())


class _DocsetFixer:
    """Fixes the findings of one docset."""

    def __init__(self, result: DocsetResult, docset: Docset, settings: RuleSettings, unsafe: bool) -> None:
        self.result = result
        self.docset = docset
        self.settings = settings
        self.unsafe = unsafe
        self.files: dict[str, _File] = {}
        self.refused: dict[str, str] = {}
        self.rejected: dict[tuple[Any, ...], str] = {}
        self.applied: list[Outcome] = []
        self.not_applied: list[Outcome] = []
        self.findings: dict[str, list[Diagnostic]] = {}
        self.parsed: dict[tuple[str, str], tuple[Page, tuple[Any, ...]]] = {}
        for d in result.diagnostics:
            self.findings.setdefault(d.path, []).append(d)

    def wanted(self, d: Diagnostic) -> bool:
        return d.fix is not None and bool(d.fix.edits) and (d.fix.safe or self.unsafe) \
            and _key(d) not in self.rejected

    def outcome(self, d: Diagnostic, applied: bool, reason: str = "",
                edits: tuple[tuple[int, int, int, str, str], ...] = ()) -> Outcome:
        return Outcome(self.result.root, self.result.prefix, d, applied, reason, edits)

    # -- reading
    def open(self, rel: str) -> _File | str:
        """The file to edit, or why it is not edited."""
        if rel in self.files:
            return self.files[rel]
        if rel in self.refused:
            return self.refused[rel]
        found = self._open(rel)
        if isinstance(found, str):
            self.refused[rel] = found
        else:
            self.files[rel] = found
        return found

    def _open(self, rel: str) -> _File | str:
        docset = self.docset
        page = docset.pages.get(rel)
        if page is None or not is_within(rel) or not docset.is_selected(rel):
            return "the file is not one of the docset's checked files"
        root = docset.root
        path = root / rel
        probe = root
        for part in rel.split("/"):
            probe = probe / part
            if probe.is_symlink():
                return "a symbolic link: not written through (fix the file it points to)"
        try:
            data = read_regular(path)
        except OSError as exc:
            return f"cannot read the file: {exc.strerror or exc}"
        expected = self.result.digests.get(rel)
        if expected is None or digest(data) != expected:
            return "the file changed on disk since it was checked; check it again"
        text = Text.decode(data)
        if text is None:
            return "the file's bytes do not round-trip through its encoding; not edited"
        return _File(path, text, data, text, page)

    # -- one pass
    def run(self) -> None:
        pending = [d for d in self.result.diagnostics if self.wanted(d)]
        for _ in range(MAX_PASSES):
            if not pending or not self.run_pass(pending):
                break
            pending = [d for rel in self.files for d in self.findings.get(rel, ()) if self.wanted(d)]
        else:
            self.not_applied.extend(self.outcome(d, False, f"still offered after {MAX_PASSES} rounds of fixes; "
                                                 "run --fix again") for d in pending)

    def run_pass(self, pending: list[Diagnostic]) -> bool:
        """Apply what can be applied of ``pending``; True when something was applied or ruled out
        (fixes that overlapped a fix ruled out are then worth another pass)."""
        rejected = len(self.rejected)
        by_file: dict[str, list[Diagnostic]] = {}
        for d in pending:
            assert d.fix is not None
            paths = {edit.path for edit in d.fix.edits}
            if len(paths) != 1:
                self.not_applied.append(self.outcome(d, False, "the fix edits several files"))
                continue
            by_file.setdefault(paths.pop(), []).append(d)
        chosen: dict[str, list[tuple[Diagnostic, list[Span]]]] = {}
        for rel, found in sorted(by_file.items()):
            state = self.open(rel)
            if isinstance(state, str):
                self.not_applied.extend(self.outcome(d, False, state) for d in found)
                continue
            fixes = [d.fix for d in found if d.fix is not None]
            taken, _overlapping, lost = plan(state.current, fixes)
            for index in lost:
                self.reject(found[index], "the text to change is not where the finding is (escaped or unusual syntax)")
            if taken:
                chosen[rel] = [(found[index], spans) for index, spans in taken]
        if not chosen:
            return len(self.rejected) > rejected
        self.keep_structure(chosen)
        while chosen:
            texts, pages = self.preview(chosen)
            check = run_rules(self.docset_now(pages, frozenset(chosen)), self.settings)
            after: dict[str, list[Diagnostic]] = {}
            for d in check:
                after.setdefault(d.path, []).append(d)
            bad = self.judge(chosen, texts, after)
            if not bad:
                break
            for rel, d, reason in bad:
                self.reject(d, reason)
                chosen[rel] = [(f, s) for f, s in chosen[rel] if f is not d]
                if not chosen[rel]:
                    del chosen[rel]
        if not chosen:
            return len(self.rejected) > rejected
        for rel, taken_fixes in chosen.items():
            state = self.files[rel]
            for d, spans in taken_fixes:
                edits = []
                for span in spans:
                    line, column = state.current.position(span.start)
                    edits.append((line, column, column + span.end - span.start,
                                  state.current.text[span.start:span.end], span.replacement))
                self.applied.append(self.outcome(d, True, edits=tuple(edits)))
            state.current = texts[rel]
            state.page = pages[rel]
            self.findings[rel] = after.get(rel, [])
        return True

    def reject(self, d: Diagnostic, reason: str) -> None:
        self.rejected[_key(d)] = reason
        self.not_applied.append(self.outcome(d, False, reason))

    def parse(self, rel: str, text: Text) -> Page:
        return self.parsed_with_blocks(rel, text)[0]

    def parsed_with_blocks(self, rel: str, text: Text) -> tuple[Page, tuple[Any, ...]]:
        """The facts of a fixed text (as the next check will read them) and its block structure."""
        key = (rel, text.text)
        found = self.parsed.get(key)
        if found is None:
            page = parse_bytes(rel, text.encode(), self.docset.config.file_timeout)
            found = self.parsed[key] = (page, _blocks(page, text))
        return found

    def preview(self, chosen: Mapping[str, list[tuple[Diagnostic, list[Span]]]]) -> tuple[dict[str, Text], dict[str, Page]]:
        texts: dict[str, Text] = {}
        pages: dict[str, Page] = {}
        for rel, taken in chosen.items():
            state = self.files[rel]
            texts[rel] = state.current.with_text(apply_spans(state.current.text, [s for _d, spans in taken for s in spans]))
            pages[rel] = self.parse(rel, texts[rel])
        return texts, pages

    def keep_structure(self, chosen: dict[str, list[tuple[Diagnostic, list[Span]]]]) -> None:
        """Drop fixes that would move the page's structure (a renumbered list item whose wider
        marker changes what its continuation lines belong to, say); each file's fixes are tried
        together, then one by one when together they move something."""
        for rel in list(chosen):
            state = self.files[rel]
            shape = (_shape(state.page), _blocks(state.page, state.current))
            taken = chosen[rel]

            def keeps(fixes: list[tuple[Diagnostic, list[Span]]], state: _File = state, rel: str = rel,
                      shape: tuple[Any, ...] = shape) -> bool:
                text = state.current.with_text(apply_spans(state.current.text, [s for _d, spans in fixes for s in spans]))
                page, blocks = self.parsed_with_blocks(rel, text)
                return (_shape(page), blocks) == shape

            if keeps(taken):
                continue
            kept: list[tuple[Diagnostic, list[Span]]] = []
            for item in taken:
                if keeps([*kept, item]):
                    kept.append(item)
                else:
                    self.reject(item[0], "it would change the page's structure (headings, lists or links)")
            if kept:
                chosen[rel] = kept
            else:
                del chosen[rel]

    def docset_now(self, pages: Mapping[str, Page], selected: frozenset[str]) -> Docset:
        current = {rel: state.page for rel, state in self.files.items() if state.current is not state.original}
        return self.docset.replacing({**current, **pages}, selected)

    def judge(self, chosen: Mapping[str, list[tuple[Diagnostic, list[Span]]]], texts: Mapping[str, Text],
              after: Mapping[str, list[Diagnostic]]) -> list[tuple[str, Diagnostic, str]]:
        """Fixes that leave their finding in place or bring a new one, with why."""
        bad: list[tuple[str, Diagnostic, str]] = []
        for rel, taken in chosen.items():
            old = self.files[rel].current
            new = texts[rel]
            moves = _Moves([s for _d, spans in taken for s in spans])

            def at(d: Diagnostic, text: Text) -> int:
                found = text.offset(d.line, d.column)
                return found if found is not None else text.starts[min(d.line, len(text.starts)) - 1]

            regions = []
            for d, spans in taken:
                start = min(at(d, old), spans[0].start)
                end = max(spans[-1].end, at(d, old))
                if d.end_line is not None and d.end_column is not None:
                    end = max(end, old.offset(d.end_line, d.end_column) or end)
                regions.append((d, start, end))
            before = {(d.rule, at(d, old)) for d in self.findings.get(rel, ())}
            blamed: dict[int, str] = {}
            for finding in after.get(rel, ()):
                where = moves.back(at(finding, new))
                holders = [n for n, (_d, start, end) in enumerate(regions) if start <= where <= end]
                same = [n for n in holders if regions[n][0].rule == finding.rule]
                if same:
                    for n in same:
                        blamed.setdefault(n, "it would leave the finding in place")
                    continue
                if (finding.rule, where) in before:
                    continue
                line, column = old.position(where)
                reason = f"it would cause a new finding: {finding.rule} at {line}:{column}: {finding.message}"
                for n in holders or range(len(regions)):
                    blamed.setdefault(n, reason)
            bad.extend((rel, regions[n][0], reason) for n, reason in sorted(blamed.items()))
        return bad

    # -- writing
    def write(self, write: bool) -> tuple[list[Changed], dict[str, Page]]:
        """Write (or, for a diff, only list) the changed files; the facts of the files as they now are."""
        changed: list[Changed] = []
        pages: dict[str, Page] = {}
        for rel, state in sorted(self.files.items()):
            if state.current.text == state.original.text:
                continue
            if write:
                problem = self._write(state)
                if problem is not None:
                    moved = [o for o in self.applied if o.diagnostic.path == rel]
                    self.applied = [o for o in self.applied if o.diagnostic.path != rel]
                    self.not_applied.extend(replace(o, applied=False, reason=problem, edits=()) for o in moved)
                    continue
            changed.append(Changed(self.result.root, rel, state.original.text, state.current.text, write))
            pages[rel] = state.page
        return changed, pages

    def _write(self, state: _File) -> str | None:
        try:
            now = read_regular(state.path)
        except OSError as exc:
            return f"cannot read the file again before writing: {exc.strerror or exc}"
        if now != state.data:
            return "the file changed on disk while it was being fixed; check it again"
        if state.path.is_symlink():
            return "a symbolic link: not written through (fix the file it points to)"
        try:
            write_atomic(state.path, state.current.encode(), keep_mode=True, durable=True)
        except OSError as exc:
            return f"cannot write the file: {exc.strerror or exc}"
        return None


def fix_result(result: Result, *, unsafe: bool = False, write: bool = True) -> Result:
    """Apply the fixes a run's findings carry (safe ones; unsafe ones too with ``unsafe``);
    ``write=False`` changes no file (a diff). Returns the run as it stands after fixing: the
    findings that remain, and in ``fixes`` what was done. Docsets checked without their Docset
    (findings from the cache) are returned as they are."""
    from .engine import Result as RunResult

    summary = FixSummary(write)
    results: list[DocsetResult] = []
    for docset_result in result.results:
        docset, settings = docset_result.docset, docset_result.settings
        if docset is None or settings is None or not any(d.fix for d in docset_result.diagnostics):
            results.append(docset_result)
            continue
        fixer = _DocsetFixer(docset_result, docset, settings, unsafe)
        fixer.run()
        changed, pages = fixer.write(write)
        summary.applied.extend(fixer.applied)
        summary.not_applied.extend(fixer.not_applied)
        summary.changed.extend(changed)
        if not changed:
            results.append(docset_result)
            continue
        now = docset.replacing(pages, docset.selected)
        diagnostics = run_rules(now, settings)
        results.append(replace(docset_result, diagnostics=diagnostics, docset=now))
    summary.not_applied = _unique(summary.not_applied)
    return RunResult(results, result.skipped, summary, notices=result.notices,
                     external_requests=result.external_requests)


def _unique(outcomes: list[Outcome]) -> list[Outcome]:
    """One reason per finding not fixed (the first)."""
    seen: set[tuple[Any, ...]] = set()
    kept = []
    for outcome in outcomes:
        key = (outcome.root, *_key(outcome.diagnostic))
        if key not in seen:
            seen.add(key)
            kept.append(outcome)
    return kept


def unfixed_note(summary: FixSummary, cwd: Path | None = None) -> list[str]:
    """One line per fix not applied: where, which rule, why (path and reason as reports show them)."""
    from .reporters.escape import shown, shown_path

    lines = []
    for o in summary.not_applied:
        where = shown_path(display_path(o.root, o.diagnostic.path, cwd))
        lines.append(f"{where}:{o.diagnostic.line}:{o.diagnostic.column}: not fixed [{o.diagnostic.rule}]: "
                     f"{shown(o.reason)}")
    return lines


__all__ = ["Changed", "FixSummary", "Outcome", "Span", "Text", "apply_spans", "digest", "docset_name", "fix_result",
           "fix_text", "locate", "plan", "unfixed_note"]

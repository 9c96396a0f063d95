"""What the editor server sends that is made from a document's text: findings as LSP diagnostics,
fixes and "disable this rule here" as text edits, completion of link targets.

Positions: findings count 1-based lines and Unicode code points (model.py); LSP counts 0-based
lines and, by default, UTF-16 code units (or UTF-8 bytes, or code points, as negotiated). Lines
end at ``\\r\\n``, ``\\r`` or ``\\n`` on both sides.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lsprotocol import types as lsp
from markdown_it.token import Token

from ..discover import FileIndex
from ..docset import Docset
from ..fixes import Span, Text, locate, plan
from ..model import Diagnostic, Fix
from ..rules import BY_NAME
from ..rules.docs import url as rule_url

SOURCE = "playbooklint"
FIX_ALL = f"{lsp.CodeActionKind.SourceFixAll.value}.{SOURCE}"


# ---------------------------------------------------------------------- positions


def _units(text: str, encoding: str) -> int:
    if encoding == lsp.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == lsp.PositionEncodingKind.Utf32:
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class Lines:
    """A document's text with LSP positions: to and from offsets, in the negotiated units."""

    def __init__(self, text: str, encoding: str = lsp.PositionEncodingKind.Utf16) -> None:
        self.text = Text.of(text)
        self.encoding = encoding

    @property
    def count(self) -> int:
        return len(self.text.starts)

    def line(self, index: int) -> str:
        """The text of a 0-based line, without its line break."""
        start = self.text.starts[index]
        return self.text.text[start:self.text.line_end(index + 1)]

    def position(self, offset: int) -> lsp.Position:
        offset = max(0, min(offset, len(self.text.text)))
        line, column = self.text.position(offset)
        return lsp.Position(line - 1, _units(self.line(line - 1)[:column - 1], self.encoding))

    def at(self, line: int, column: int) -> int:
        """The offset of a 1-based line and code point column, clamped to the text."""
        line = max(1, min(line, self.count))
        start = self.text.starts[line - 1]
        return min(start + max(column, 1) - 1, self.text.line_end(line))

    def offset(self, position: lsp.Position) -> int:
        """The offset of an LSP position (clamped to its line)."""
        if position.line >= self.count:
            return len(self.text.text)
        content = self.line(position.line)
        units = 0
        for index, char in enumerate(content):
            if units >= position.character:
                return self.text.starts[position.line] + index
            units += _units(char, self.encoding)
        return self.text.starts[position.line] + len(content)

    def range(self, start: int, end: int) -> lsp.Range:
        return lsp.Range(self.position(start), self.position(max(start, end)))

    def line_break(self) -> str:
        found = re.search(r"\r\n|\r|\n", self.text.text)
        return found.group(0) if found else "\n"


# ---------------------------------------------------------------------- diagnostics


def finding_span(lines: Lines, d: Diagnostic) -> tuple[int, int]:
    """Offsets of a finding's span; without an end, to the end of its line's text."""
    start = lines.at(d.line, d.column)
    if d.end_line is not None and d.end_column is not None:
        end = lines.at(d.end_line, d.end_column)
    else:
        line = max(1, min(d.line, lines.count))
        end = lines.text.line_end(line)
        content = lines.line(line - 1)
        end -= len(content) - len(content.rstrip())
    return start, max(start, end)


def diagnostic(lines: Lines, d: Diagnostic) -> lsp.Diagnostic:
    """A finding as an LSP diagnostic: its span, severity, rule code and the rule's documentation."""
    rule = BY_NAME.get(d.rule)
    return lsp.Diagnostic(
        range=lines.range(*finding_span(lines, d)),
        message=d.message,
        severity=lsp.DiagnosticSeverity.Error if d.severity == "error" else lsp.DiagnosticSeverity.Warning,
        code=d.code,
        code_description=lsp.CodeDescription(href=rule_url(rule)) if rule is not None else None,
        source=SOURCE,
        data={"rule": d.rule, "fixable": d.fix is not None},
    )


# ---------------------------------------------------------------------- code actions


def _overlaps(a: lsp.Range, b: lsp.Range) -> bool:
    def key(p: lsp.Position) -> tuple[int, int]:
        return p.line, p.character

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def _edits(lines: Lines, spans: Iterable[Span]) -> list[lsp.TextEdit]:
    return [lsp.TextEdit(lines.range(span.start, span.end), span.replacement) for span in sorted(spans)]


def _spans(lines: Lines, fix: Fix, rel: str) -> list[Span] | None:
    if not fix.edits or any(edit.path != rel for edit in fix.edits):
        return None  # a fix that edits another file: only ``--fix`` applies it
    spans = [locate(lines.text, edit) for edit in fix.edits]
    if any(span is None for span in spans):
        return None  # the text moved since the check
    return [span for span in spans if span is not None]


def code_actions(uri: str, lines: Lines, rel: str, findings: Sequence[Diagnostic], wanted: lsp.Range,
                 only: Sequence[str] | None = None) -> list[lsp.CodeAction]:
    """Quick fixes for the findings in ``wanted`` (the ``--fix`` edits; unsafe ones say so), "disable
    RULE on this line" for each rule there, and the source action that applies every safe fix."""
    actions: list[lsp.CodeAction] = []
    quick = only is None or any(lsp.CodeActionKind.QuickFix.value.startswith(kind) or
                                kind.startswith(lsp.CodeActionKind.QuickFix.value) for kind in only)
    disabled: set[tuple[int, str]] = set()
    shape: _Shape | None = None
    if quick:
        for d in findings:
            shown = diagnostic(lines, d)
            if not _overlaps(shown.range, wanted):
                continue
            if d.fix is not None:
                spans = _spans(lines, d.fix, rel)
                if spans is not None:
                    title = d.fix.message or f"Fix {d.rule}"
                    actions.append(lsp.CodeAction(
                        title=f"{title[0].upper()}{title[1:]}" + ("" if d.fix.safe else " (unsafe fix)"),
                        kind=lsp.CodeActionKind.QuickFix, diagnostics=[shown], is_preferred=d.fix.safe,
                        edit=lsp.WorkspaceEdit(changes={uri: _edits(lines, spans)})))
            if (d.line, d.rule) not in disabled:
                disabled.add((d.line, d.rule))
                if shape is None and d.path.lower().endswith(".md"):
                    shape = _shape(lines.text.text)  # once per request
                action = disable_action(uri, lines, d, shape)
                if action is not None:
                    action.diagnostics = [shown]
                    actions.append(action)
    if only is None or any(FIX_ALL.startswith(kind) for kind in only):
        fixes = [d.fix for d in findings if d.fix is not None and d.fix.safe and _spans(lines, d.fix, rel) is not None]
        if fixes:
            taken, _overlapping, _lost = plan(lines.text, fixes)
            spans = [span for _index, found in taken for span in found]
            actions.append(lsp.CodeAction(
                title="Fix all playbooklint problems with a safe fix", kind=FIX_ALL,
                edit=lsp.WorkspaceEdit(changes={uri: _edits(lines, spans)})))
    return actions


# ---------------------------------------------------------------------- disabling a rule on a line

_NEXT_LINE = re.compile(r"^(\s*<!--\s*playbooklint-disable-next-line\b.*?)(\s*-->\s*)$")
_TOP_LEVEL = frozenset({"paragraph_open", "heading_open", "html_block", "table_open", "bullet_list_open",
                        "ordered_list_open", "blockquote_open", "hr", "fence", "code_block"})


@dataclass(frozen=True)
class _Shape:
    """Where a page's lines stand in its Markdown blocks (0-based line indexes)."""

    body: int
    """First line after the front matter."""
    starts: frozenset[int]
    """Lines that start a top-level block: a comment line above them starts no new block."""
    code: frozenset[int]
    """Lines of code blocks (a comment there is code)."""
    tables: frozenset[int]
    """Lines of tables (a line added there ends the table)."""
    nested_headings: frozenset[int]
    """Heading lines inside lists or quotes (a comment at their end would join the heading)."""


def _shape(text: str) -> _Shape:
    from ..parse import find_front_matter, markdown_parser

    normalized = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = normalized.split("\n")
    front = find_front_matter(normalized, lines)
    body = front.end + 1 if front is not None and front.end is not None else (len(lines) if front else 0)
    md = markdown_parser()
    tokens: list[Token] = []
    md.block.parse("\n".join([""] * body + lines[body:]), md, {}, tokens)  # blocks only: no inline parsing
    starts: set[int] = set()
    code: set[int] = set()
    tables: set[int] = set()
    nested: set[int] = set()
    for token in tokens:
        if not token.map or token.nesting < 0:
            continue
        first, last = token.map
        if token.level == 0 and token.type in _TOP_LEVEL:
            starts.add(first)
        if token.type in ("fence", "code_block"):
            code.update(range(first, last))
        elif token.type == "table_open":
            tables.update(range(first, last))
        elif token.type == "heading_open" and token.level > 0:
            nested.add(first)
    return _Shape(body, frozenset(starts), frozenset(code), frozenset(tables), frozenset(nested))


def disable_action(uri: str, lines: Lines, d: Diagnostic, shape: _Shape | None = None) -> lsp.CodeAction | None:
    """Insert the inline suppression comment ``suppress.py`` reads for this finding's rule:

    - on a line that starts a block (a paragraph, heading, list, table, quote, HTML block):
      ``<!-- playbooklint-disable-next-line RULE -->`` on a line of its own above it, with the same
      indentation (an existing such comment there gets the rule added);
    - inside a list item, a quote, a table or a paragraph's later line, where a line of its own
      would end the list or table or split the paragraph: ``<!-- playbooklint-disable-line RULE -->``
      at the end of the line (in a table row, inside its last cell; before a hard line break);
    - in the front matter, where a comment is YAML: ``<!-- playbooklint-disable-file RULE -->`` on
      the line after it;
    - in a code block (the comment would be code) or a TOC: none.
    """
    if not d.path.lower().endswith(".md") or d.rule not in BY_NAME:
        return None
    shape = shape or _shape(lines.text.text)
    index = max(0, min(d.line, lines.count) - 1)
    rule = d.rule
    eol = lines.line_break()
    if index < shape.body:
        comment = f"<!-- playbooklint-disable-file {rule} -->"
        if shape.body < lines.count:
            at = lines.text.starts[shape.body]
            insert = comment + eol
        else:
            at, insert = len(lines.text.text), eol + comment
        return _insertion(uri, lines, at, insert, f"Disable {rule} for this file")
    if index in shape.code or index in shape.nested_headings:
        return None
    content = lines.line(index)
    title = f"Disable {rule} for this line"
    if index in shape.starts:
        above = lines.line(index - 1) if index > 0 else ""
        existing = _NEXT_LINE.match(above)
        if existing is not None and index > 0:
            at = lines.text.starts[index - 1] + len(existing.group(1))
            return _insertion(uri, lines, at, f" {rule}", title)
        indent = content[:len(content) - len(content.lstrip())]
        at = lines.text.starts[index]
        return _insertion(uri, lines, at, f"{indent}<!-- playbooklint-disable-next-line {rule} -->{eol}", title)
    comment = f"<!-- playbooklint-disable-line {rule} -->"
    kept = content.rstrip()
    if index in shape.tables and kept.endswith("|") and not kept.endswith("\\|"):
        cut = len(kept) - 1
        return _insertion(uri, lines, lines.text.starts[index] + cut, f"{comment} " if content[cut - 1:cut] == " "
                          else f" {comment} ", title)
    if kept.endswith("\\") and not kept.endswith("\\\\"):
        kept = kept[:-1]  # a hard line break: the comment goes before it
    return _insertion(uri, lines, lines.text.starts[index] + len(kept), f" {comment}", title)


def _insertion(uri: str, lines: Lines, at: int, text: str, title: str) -> lsp.CodeAction:
    return lsp.CodeAction(title=title, kind=lsp.CodeActionKind.QuickFix,
                          edit=lsp.WorkspaceEdit(changes={uri: [lsp.TextEdit(lines.range(at, at), text)]}))


# ---------------------------------------------------------------------- completion

_LINK = re.compile(r"\]\(\s*<?([^()\s<>]*)$")
_ATTRIBUTE = re.compile(r"\b(?:href|src)\s*=\s*[\"']([^\"'<>]*)$", re.IGNORECASE)
_TOC_HREF = re.compile(r"^\s*-?\s*(?:href|topicHref|tocHref)\s*:\s*[\"']?([^\"'\s#]*(?:#[^\"'\s]*)?)$")


def link_target_before(prefix: str, toc: bool = False) -> str | None:
    """The link target being written at the end of ``prefix`` (the line up to the cursor), or
    None when the cursor is not in a link target: after ``](``, ``href="``, ``src="`` (in a TOC,
    after ``href:``)."""
    pattern_match = (_TOC_HREF if toc else _LINK).search(prefix)
    if pattern_match is None and not toc:
        pattern_match = _ATTRIBUTE.search(prefix)
    return pattern_match.group(1) if pattern_match is not None else None


def is_site_or_url(target: str) -> bool:
    return target.startswith(("/", "//")) or re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", target) is not None


def folder_of(source_folder: str, written: str, root_folder: str) -> str | None:
    """The repository-relative folder that the folder part of ``written`` names, from a document
    in ``source_folder`` (``~/`` from the docset's root folder); None when it leaves the repository."""
    if written.startswith("~/"):
        joined = posixpath.join(root_folder, written[2:])
    else:
        joined = posixpath.join(source_folder, written)
    normal = posixpath.normpath(joined) if joined else "."
    if normal == ".":
        return ""
    if normal.startswith(("../", "/")) or normal == "..":
        return None
    return normal


def complete(docset: Docset, rel: str, written: str, index: FileIndex, folder: str) -> list[lsp.CompletionItem]:
    """Completion items for the link target ``written`` so far in the docset-relative page
    ``rel``: after ``#``, the anchors of the page the path leads to (this page's own for ``#``
    alone); else the files and folders of the folder the path names (``index``: the repository's
    files; ``folder``: the document's repository-relative folder). Items replace what was written
    after the last ``/`` or ``#``."""
    if is_site_or_url(written):
        return []
    path_part, hash_mark, fragment = written.partition("#")
    if hash_mark:
        return _anchor_items(docset, rel, path_part)
    head, slash, _name = path_part.rpartition("/")
    target_folder = folder_of(folder, head + "/", docset.prefix) if slash else folder
    if target_folder is None or target_folder not in index.dirs:
        return []
    items = []
    if not head or head.endswith(".."):
        if target_folder:
            items.append(lsp.CompletionItem(label="../", kind=lsp.CompletionItemKind.Folder, sort_text="0../"))
    for name in sorted(index.children(target_folder)):
        if name.startswith(".") or name == "node_modules":
            continue
        path = posixpath.join(target_folder, name) if target_folder else name
        if path in index.dirs:
            items.append(lsp.CompletionItem(label=name + "/", kind=lsp.CompletionItemKind.Folder,
                                            sort_text=f"1{name}"))
        else:
            items.append(lsp.CompletionItem(label=name, kind=lsp.CompletionItemKind.File,
                                            sort_text=f"{2 if name.lower().endswith('.md') else 3}{name}"))
    return items


def _anchor_items(docset: Docset, rel: str, path_part: str) -> list[lsp.CompletionItem]:
    if path_part:
        resolved = docset.resolve(rel, path_part)
        if resolved.status not in ("ok", "case", "cross") or resolved.path is None:
            return []
        target = docset.other(resolved)
        page_rel = resolved.path
    else:
        target, page_rel = docset, rel
    anchors = target.anchors_of(page_rel)
    if not anchors:
        return []
    page = target.pages.get(page_rel)
    headings = {h.slug: h for h in page.headings} if page is not None else {}
    items = []
    for order, anchor in enumerate(sorted(anchors, key=lambda a: (headings[a].line if a in headings else 1 << 30, a))):
        heading = headings.get(anchor)
        items.append(lsp.CompletionItem(
            label=anchor, kind=lsp.CompletionItemKind.Reference,
            detail=f"{'#' * heading.level} {heading.text}" if heading is not None else None,
            sort_text=f"{order:06d}"))
    return items

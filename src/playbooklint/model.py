"""The data playbooklint passes around: Page facts in, diagnostics out.

Everything here is small, immutable and picklable: Page facts cross process boundaries and are
cached on disk, so they hold positions and strings, never token streams or file text.
Lines and columns are 1-based and count Unicode code points of the *file* (front matter included).

The facts inside a Page are typed NamedTuples rather than slotted dataclasses: a 10,000-page
docset holds about a million of them, and unpickling that many frozen dataclasses (the warm-cache
path) measured 4.6 times slower (1.10 s against 0.24 s per 200,000 links). Page and Diagnostic
stay dataclasses (a few thousand of them).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal, NamedTuple

Severity = Literal["error", "warning"]

FACTS_VERSION = 4
"""Version of what a Page holds. Bump it whenever Page or the facts in it change: the page cache
is keyed by it, so facts cached by an older version are never read back as newer ones."""


class Edit(NamedTuple):
    """One text edit of a fix, made where the finding is.

    The span (``line``/``column`` to ``end_line``/``end_column``, 1-based, code points of the
    decoded file, end exclusive; no end: the end of the start line) is where ``expected`` is
    written. The rule knows the span from the Page facts (a link's start and end) but not the file
    text; the applier finds ``expected`` inside the span, at the one place where the span's text
    before it fully matches the regular expression ``before`` and the text after it ``after``, and
    replaces just that. Found nowhere, or at more than one place: the edit is not made.
    """

    path: str
    """Root-relative POSIX path of the file to edit."""
    line: int
    """1-based line where the span starts."""
    column: int
    """1-based column where the span starts."""
    end_line: int | None
    """Line where the span ends (None: the span ends with its start line)."""
    end_column: int | None
    """Column just past the span."""
    expected: str
    """The text to replace, as written in the file (never spans a line break)."""
    replacement: str
    """What replaces it (no line breaks)."""
    before: str = ""
    """A regular expression the span's text before ``expected`` must match in full."""
    after: str = ""
    """A regular expression the span's text after ``expected`` must match in full."""


class Fix(NamedTuple):
    """How to fix a finding: text edits, applied together or not at all."""

    edits: tuple[Edit, ...]
    """The edits (each file region at most once)."""
    safe: bool = True
    """True when applying it keeps the meaning the writer intended; unsafe fixes guess (a
    near-match anchor, the one file of that name) and need ``--unsafe-fixes``."""
    message: str = ""
    """What the fix does, in a few words (``write 'system.webServer/index.md'``)."""


class Problem(NamedTuple):
    """A finding as a rule yields it; the engine turns it into a Diagnostic."""

    line: int
    """1-based line in the file."""
    column: int
    """1-based column (code points)."""
    message: str
    """What is wrong and what to do, in one sentence or two."""
    path: str | None = None
    """Root-relative POSIX path; docset rules set it, page rules leave it to the engine."""
    rule: str | None = None
    """Rule name, for problems found while parsing (they are yielded by the rule of that name)."""
    end_line: int | None = None
    """Last line of the offending span, when known."""
    end_column: int | None = None
    """Column just past the offending span, when known."""
    fix: Fix | None = None
    """How to fix it, when the rule knows."""


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """One finding in the final report. Sorts by path, line, column, code."""

    path: str
    """POSIX path relative to the docset root."""
    line: int
    """1-based line."""
    column: int
    """1-based column."""
    code: str
    """Stable rule code, e.g. ``PB201``."""
    rule: str
    """Stable kebab-case rule name, e.g. ``link-broken``."""
    severity: Severity
    """``error`` or ``warning``."""
    message: str
    """Human-readable message."""
    end_line: int | None = field(default=None, compare=False)
    """Last line of the span, when known."""
    end_column: int | None = field(default=None, compare=False)
    """Column just past the span, when known."""
    fix: Fix | None = field(default=None, compare=False)
    """How to fix it, when the rule knows (``playbooklint check --fix``)."""

    def __reduce__(self) -> tuple[Any, ...]:
        # positional rebuild (cached findings); frozen slotted dataclasses did not unpickle on 3.10.0
        return (Diagnostic, (self.path, self.line, self.column, self.code, self.rule, self.severity, self.message,
                             self.end_line, self.end_column, self.fix))

    def sort_key(self) -> tuple[str, int, int, str, str, str, str]:
        """The order of findings as a plain tuple (the same order as ``<``, compared in C: sorting
        15,000 findings by the generated ``__lt__`` took a second)."""
        return self.path, self.line, self.column, self.code, self.rule, self.severity, self.message

    def as_dict(self) -> dict[str, Any]:
        """The finding as JSON reports show it (``fix`` only when there is one)."""
        found = {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "rule": self.rule,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
        }
        if self.fix is not None:
            found["fix"] = {"applicability": "safe" if self.fix.safe else "unsafe", "message": self.fix.message}
        return found


class MetaKey(NamedTuple):
    """Where a top-level front matter key is written."""

    name: str
    """The key as written."""
    line: int
    """1-based file line of the key."""
    column: int
    """1-based column of the key."""


class Heading(NamedTuple):
    """A Markdown heading (ATX or setext)."""

    line: int
    """1-based line."""
    column: int
    """1-based column of the first ``#`` (or of the text, for setext)."""
    level: int
    """1 to 6."""
    text: str
    """Plain text as rendered (markup removed, entities decoded, code text kept)."""
    slug: str
    """GitHub/DocFX slug before duplicate suffixing (the Docset numbers duplicates)."""


class Anchor(NamedTuple):
    """An explicit anchor: ``<a name=..>``, or any HTML element's ``id``."""

    line: int
    """1-based line."""
    column: int
    """1-based column of the element."""
    name: str
    """The anchor name as written (HTML entities decoded)."""


LinkKind = Literal["link", "image", "html", "html-image", "autolink", "reference", "directive", "code"]

ImageAlt = Literal["", "alt", "no-alt", "decorative"]


class Link(NamedTuple):
    """A reference from the page to some URL or file."""

    line: int
    """1-based line where the link starts."""
    column: int
    """1-based column where the link starts (the ``[`` / ``<`` / ``:::``)."""
    target: str
    """The destination exactly as written (backslash escapes resolved, nothing normalised)."""
    text: str = ""
    """Link text (plain), or image alt text (``:::image``: its ``alt-text``)."""
    kind: LinkKind = "link"
    """Which syntax produced it."""
    end_line: int | None = None
    """Line where the link syntax ends."""
    end_column: int | None = None
    """Column just past the link syntax."""
    image: ImageAlt = ""
    """For the source of an image: ``alt`` when its syntax carries alt text (Markdown ``![...]``,
    ``<img alt>``, ``:::image alt-text``; the text, maybe empty, is ``text``), ``no-alt`` when it has
    none at all (``<img>`` without ``alt``, ``:::image`` without ``alt-text``), ``decorative`` when it
    is marked as decoration (``role="presentation"``/``"none"``, ``aria-hidden="true"``,
    ``:::image type="icon"``). Empty for links, snippets, ``:::code`` and a ``:::image`` lightbox."""


class Include(NamedTuple):
    """A DocFX ``[!INCLUDE [title](path)]``."""

    line: int
    """1-based line."""
    column: int
    """1-based column of the ``[``."""
    target: str
    """The path as written."""
    title: str
    """The bracketed title."""
    inline: bool
    """True when it shares its line with other content (tables, "applies to" lines)."""


class ListItem(NamedTuple):
    """One item of a Markdown list."""

    line: int
    """1-based line of the item marker."""
    column: int
    """1-based column of the item marker."""
    number: int | None
    """The number written in the source for ordered lists (``3.`` -> 3); None for bullets."""
    links: tuple[int, ...]
    """Indexes into ``Page.links`` of links written in the item itself (not in nested lists)."""


class ListBlock(NamedTuple):
    """A Markdown list (ordered or bulleted)."""

    line: int
    """1-based line where the list starts."""
    column: int
    """1-based column of its first marker."""
    ordered: bool
    """True for ``1.`` lists."""
    items: tuple[ListItem, ...]
    """The items in order."""
    heading: int | None
    """Index into ``Page.headings`` of the nearest heading above the list."""


class Comment(NamedTuple):
    """An HTML comment (where suppression directives live)."""

    line: int
    """1-based line of ``<!--``."""
    column: int
    """1-based column of ``<!--``."""
    text: str
    """The text between ``<!--`` and ``-->``, stripped."""


class TocEntry(NamedTuple):
    """An entry of a ``toc.yml`` with the href-like key it carries."""

    line: int
    """1-based line of the value."""
    column: int
    """1-based column of the value."""
    name: str
    """The entry's ``name`` (may be empty)."""
    key: str
    """``href``, ``tocHref`` or ``topicHref``."""
    href: str
    """The value as written."""


class TocSection(NamedTuple):
    """One ``items:`` list of a TOC (or its top level): the entries a reader sees together."""

    line: int
    """1-based line of the first entry."""
    entries: tuple[TocEntry, ...]
    """For each entry, its ``href``/``topicHref`` (the page it opens), in order."""


class Outline(NamedTuple):
    """Where a Markdown file's H1 headings and its visible content are (for ``heading-h1``)."""

    h1: tuple[tuple[int, int], ...]
    """(line, column) of each H1: ATX, setext or an HTML ``<h1>``; DocFX tab titles
    (``# [Linux](#tab/linux)``) are not H1s."""
    content: tuple[tuple[int, int], ...]
    """(line, column) of the first block of visible content (not an H1, an include alone on its
    line, an HTML comment or a DocFX block marker) from the start of the file and after each
    ``directives`` line: whatever a zone or moniker shows first, in order."""


class Directive(NamedTuple):
    """A DocFX block extension marker on a line of its own, outside fenced code: ``::: zone
    pivot="x"``, ``::: moniker range="..."``, ``:::row:::``, ``:::column:::``, ``:::image
    type="complex" ...:::`` and their ``-end`` markers."""

    line: int
    """1-based line."""
    column: int
    """1-based column of the first colon."""
    name: str
    """``zone``, ``moniker``, ``row``, ``column``, ``image``; or one of them + ``-end``."""
    args: str
    """What follows the name on the line, as written (stripped; at most 300 characters)."""


class Alert(NamedTuple):
    """``[!WORD]`` alone on the first line of a paragraph in a blockquote (``> [!NOTE]``)."""

    line: int
    """1-based line."""
    column: int
    """1-based column of the ``[``."""
    name: str
    """The word as written (``NOTE``, ``Warn``...)."""


class Conflict(NamedTuple):
    """A git merge conflict left in the file: ``<<<<<<<``, ``=======``, ``>>>>>>>`` lines in
    that order, the first one outside fenced code."""

    line: int
    """1-based line of ``<<<<<<<``."""
    middle: int
    """1-based line of ``=======``."""
    end: int
    """1-based line of ``>>>>>>>``."""


class Snippet(NamedTuple):
    """The part of a code snippet file a page shows, when it names one: ``:::code source="f"
    id="x" range="3-5":::``, ``[!code-cs[](f#x)]``, ``[!code-cs[](f?name=x)]``, ``?range=3-5``."""

    line: int
    """1-based line of the snippet syntax."""
    column: int
    """1-based column of the ``:::`` or ``[``."""
    target: str
    """The snippet file as written (for ``[!code]``, with its query and fragment)."""
    region: str
    """The region asked for (``id=``, ``?name=``, ``#x``); empty when lines are asked for."""
    ranges: str
    """The lines asked for, ``3-5,10-12`` (``range=``, ``?range=``, ``?start=&end=``,
    ``#L3-L5``); an empty bound is written empty (``3-``). Empty when a region is asked for."""


PageKind = Literal["markdown", "toc", "yaml"]

FILE_PROBLEMS = frozenset({"file-unreadable", "file-too-large", "internal-error", "run-budget-exceeded"})
"""Rules of problems that mean a file's content is unknown (not read, or not parsed)."""


@dataclass(frozen=True, slots=True)
class Page:
    """Everything the rules need to know about one file, and nothing more."""

    path: str
    """POSIX path relative to the docset root."""
    kind: PageKind = "markdown"
    """``markdown`` (.md), ``toc`` (toc.yml) or ``yaml`` (other .yml pages)."""
    has_front_matter: bool = False
    """True when the file opens with a ``---`` block (even one that does not parse)."""
    front_matter: dict[str, Any] | None = None
    """The front matter mapping; None when absent or invalid."""
    meta_keys: tuple[MetaKey, ...] = ()
    """Top-level keys with their positions."""
    problems: tuple[Problem, ...] = ()
    """Problems found while reading/parsing, each naming its rule (file-unreadable, ...)."""
    headings: tuple[Heading, ...] = ()
    """Headings in document order."""
    anchors: tuple[Anchor, ...] = ()
    """Explicit anchors in document order."""
    links: tuple[Link, ...] = ()
    """Links, images and other file references in document order."""
    includes: tuple[Include, ...] = ()
    """DocFX includes in document order."""
    lists: tuple[ListBlock, ...] = ()
    """Lists in document order (nested lists follow their parent)."""
    comments: tuple[Comment, ...] = ()
    """HTML comments in document order."""
    toc: tuple[TocSection, ...] = ()
    """For TOC files: each ``items`` list, top level first."""
    lines: int = 0
    """Number of lines in the file."""
    # -- page structure and DocFX extensions (rules/learn_page.py)
    outline: Outline = Outline((), ())
    """Where the H1s and the first content are."""
    directives: tuple[Directive, ...] = ()
    """DocFX block extension markers (zones, monikers, rows, columns, complex images) in order."""
    alerts: tuple[Alert, ...] = ()
    """``> [!WORD]`` alert markers in order."""
    conflicts: tuple[Conflict, ...] = ()
    """Git merge conflicts left in the file."""
    snippets: tuple[Snippet, ...] = ()
    """Code snippets that ask for a region or lines of their file."""

    def __reduce__(self) -> tuple[Any, ...]:
        # positional rebuild: much faster to unpickle than the frozen-dataclass default
        return (Page, tuple(getattr(self, f.name) for f in fields(self)))

    @property
    def readable(self) -> bool:
        """False when the file could not be read or parsed (its facts are unknown)."""
        return not any(p.rule in FILE_PROBLEMS for p in self.problems)

    @property
    def title(self) -> str | None:
        """The front matter title, else the first heading's text."""
        fm = self.front_matter or {}
        title = fm.get("title")
        if isinstance(title, str) and title.strip():
            return title.strip()
        return self.headings[0].text if self.headings else None

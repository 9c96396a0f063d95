"""Rules about files as files: can they be read at all."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..model import Page, Problem
from .base import Rule, parse_problems

if TYPE_CHECKING:
    from ..docset import Docset


def file_unreadable(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    A file that cannot be read as text: it is binary (contains NUL bytes), is not valid UTF-8
    (or UTF-16/32 with a byte-order mark), cannot be opened, or is a symbolic link that points
    outside the docset root (which is never followed).

    Why
    DocFX reads Markdown as UTF-8. A file in another encoding renders with garbled characters or
    fails the build; nothing else in it can be checked.

    Example
    A page saved as Windows-1252 from an old editor: ``Caf\\xe9`` is byte ``0xE9``.

    Use instead
    Save the file as UTF-8 (with or without BOM). The message gives the line and byte offset of
    the first bad sequence.

    Options
    None.
    """
    return parse_problems(page, "file-unreadable")


def file_too_large(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    A file larger than ``max-file-size`` (default 2 MB), or whose parse takes longer than
    ``file-timeout`` (default 5 seconds). It is reported and not checked, so one huge or
    pathological file cannot stall a CI job.

    Why
    Published Markdown pages are rarely over a few hundred kilobytes and parse in milliseconds; a
    multi-megabyte ``.md`` is usually generated output or a mistake, and a page that takes seconds
    to parse is built to. Nothing in the file was checked, so its broken links and bad metadata are
    unknown: it is an error, and the run fails, as a linter fails on a file it cannot parse rather
    than passing it unseen.

    Example
    A 40 MB log pasted into ``troubleshooting.md``; a line of 100,000 ``[``.

    Use instead
    Split the page, move the data to a linked file, or raise the limits: ``max-file-size =
    10000000`` / ``file-timeout = 30`` in config, or ``--max-file-size`` / ``--file-timeout``. To
    keep such a file without failing the run, exclude it (``exclude``) or set ``file-too-large =
    "warning"`` in ``[rules]``: a deliberate choice to pass files that were not checked.

    Options
    ``max-file-size`` (bytes, 0 for no limit), ``file-timeout`` (seconds, 0 for no limit).
    """
    return parse_problems(page, "file-too-large")


def internal_error(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    Nothing: it reports that playbooklint itself failed on this file (a parser limit was hit, or
    a rule raised an error). The rest of the run goes on.

    Why
    A crash must never hide the other findings or stop a CI job with a traceback.

    Example
    A file with thousands of nested lists that exceeds the parser's limits.

    Use instead
    Simplify the file if it is pathological; otherwise please report the message, the file, and
    ``playbooklint --version`` so it can be fixed.

    Options
    None.
    """
    return parse_problems(page, "internal-error")


def config_file_invalid(docset: Docset) -> Iterable[Problem]:
    """What it checks
    DocFX's own files that playbooklint reads — ``docfx.json`` and
    ``.openpublishing.redirection*.json`` — parse as JSON (``//`` comments allowed).

    Why
    If they do not parse, DocFX fails the build, and playbooklint cannot apply their metadata or
    redirections (it says so rather than guessing).

    Example
    A trailing comma after the last redirection entry.

    Use instead
    Fix the JSON at the line and column named in the message.

    Options
    None.
    """
    return parse_problems_docset(docset, "config-file-invalid")


def run_budget_exceeded(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    Nothing in the file: it reports that the run's time budget (``run-timeout``) ran out before
    the file was parsed, or while it was. The files parsed in time are checked as usual.

    Why
    A pull request that adds many files each built to take their whole ``file-timeout`` would
    otherwise hold a CI job for files x budget. The budget bounds the whole run; what it left
    unchecked could hide any problem, so each such file is an error and the run fails.

    Example
    Thirty pages of 1.9 MB, each a single line of ``[[[``: the first few use up their 5 seconds,
    and the rest are reported by this rule once 30 seconds have gone.

    Use instead
    Fix the files reported by ``file-too-large`` (they are what used the time). If the docset is
    simply very large for the machine, raise the budget: ``run-timeout = 600`` in config, or
    ``--run-timeout``.

    Options
    ``run-timeout`` (seconds; 0 for no limit). Unset, it is 30 seconds, twice ``file-timeout``, or
    50 ms per file to parse, whichever is most (no limit when ``file-timeout`` is 0).
    """
    return parse_problems(page, "run-budget-exceeded")


def suppression_unused(page: Page, docset: Docset) -> Iterable[Problem]:
    """What it checks
    An inline suppression comment that hid nothing: ``<!-- playbooklint-disable-next-line
    link-broken -->`` above a line with no broken link, a ``disable`` range with no finding in it,
    or a directive naming a rule that does not exist.

    Why
    Suppressions outlive the problem they hid; a stale one silently hides the next real problem
    on that line. A misspelt rule name suppresses nothing at all.

    Example
    ``<!-- playbooklint-disable-line link-broken -->`` left behind after the link was fixed.

    Use instead
    Remove the comment. Directives (HTML comments, invisible when rendered; rules by name, code
    or code prefix, none meaning all)::

        <!-- playbooklint-disable link-broken PB203 -->   from here on
        <!-- playbooklint-enable -->                      from here on
        <!-- playbooklint-disable-line orphan-page -->    this line
        <!-- playbooklint-disable-next-line -->           the next line
        <!-- playbooklint-disable-file PB2 -->            the whole file

    Options
    Default severity is warning. Directives inside code fences are text, not directives.
    """
    return ()


def parse_problems_docset(docset: Docset, rule: str) -> Iterable[Problem]:
    return (p for p in docset.problems if p.rule == rule)


RULES = (
    Rule("PB001", "file-unreadable", "error", "page", file_unreadable,
         "File is binary, not UTF-8/16/32 text, or a symlink leaving the docset."),
    Rule("PB002", "file-too-large", "error", "page", file_too_large,
         "File exceeds max-file-size or its parse time budget and was not checked."),
    Rule("PB003", "internal-error", "error", "page", internal_error,
         "playbooklint failed on this file; the run went on."),
    Rule("PB004", "config-file-invalid", "error", "docset", config_file_invalid,
         "docfx.json or a redirection file does not parse."),
    Rule("PB005", "suppression-unused", "warning", "engine", suppression_unused,
         "An inline playbooklint-disable comment that suppressed nothing."),
    Rule("PB006", "run-budget-exceeded", "error", "page", run_budget_exceeded,
         "The run's time budget ran out before this file was parsed; it was not checked."),
)

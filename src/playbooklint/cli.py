"""Command line: ``playbooklint check|lifecycle|rules|explain|server``.

Exit codes: 0 no errors, 1 errors found, 2 usage, configuration or internal error. Click's own
defaults (1 for ClickException, tracebacks for bugs) are remapped in ``main``.
"""

from __future__ import annotations

import gc
import json
import math
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from . import __version__
from .config import FILE_TIMEOUT_LIMIT, MAX_FILE_SIZE_LIMIT, RUN_TIMEOUT_LIMIT, ConfigError
from .reporters import FORMATS, STATISTICS_FORMATS, counts, render
from .reporters.escape import shown

if TYPE_CHECKING:
    from .engine import Result

REPORT_URL = "https://github.com/playbooklint/playbooklint/issues"
MAX_JOBS = 256
"""The most parse processes ``--jobs`` may ask for (each is a Python interpreter)."""


def _finite(_ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """``nan`` passes a FloatRange (it compares as in range): refuse it, as ``inf`` is refused."""
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number of seconds", param=param)
    return value


DOCUMENT_FORMATS = frozenset({"json", "json-lines", "sarif", "junit", "gitlab", "html"})
"""Formats that are documents in UTF-8 (as JSON, the XML declaration and the HTML meta say),
on stdout too, whatever the locale."""


def _encode(text: str, encoding: str, raw_bytes: bool = False) -> bytes:
    """``text`` in ``encoding``; what it cannot hold written as ``\\xNN``/``\\uNNNN``.
    ``raw_bytes``: a byte of a file name that is not UTF-8 written back as that byte (a patch)."""
    if raw_bytes:
        try:
            return text.encode(encoding, "surrogateescape")
        except UnicodeEncodeError:
            pass
    return text.encode(encoding, "backslashreplace")


def _write(text: str, output_file: str | None, *, document: bool = False, raw_bytes: bool = False) -> None:
    """The report to ``output_file`` (UTF-8), else to stdout: a document in UTF-8, text for people
    in stdout's own encoding; neither ever fails on a character the encoding lacks."""
    if output_file:
        try:
            Path(output_file).write_bytes(_encode(text, "utf-8", raw_bytes))
        except OSError as exc:
            raise ConfigError(f"cannot write {shown(output_file)}: {exc.strerror or exc}") from None
        return
    stdout = sys.stdout
    encoding = "utf-8" if document else (getattr(stdout, "encoding", None) or "utf-8")
    data = _encode(text, encoding, raw_bytes)
    buffer = getattr(stdout, "buffer", None)
    if buffer is None:
        click.echo(data.decode(encoding), nl=False, color=True)
        return
    stdout.flush()
    buffer.write(data)  # colour codes are only there when asked for
    buffer.flush()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="playbooklint", message="%(prog)s %(version)s")
def cli() -> None:
    """Check a DocFX / Microsoft Docs playbook docset before it is published: front matter
    against a schema, links, images and anchors with DocFX's rules, includes, and the lifecycle."""


def _use_color(option: str, to_file: bool) -> bool:
    """--color wins; then NO_COLOR; then FORCE_COLOR; then whether stdout is a terminal."""
    if option == "always":
        return True
    if option == "never" or to_file:
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


class _Progress:
    """A progress bar on stderr, shown only once a run has lasted a second (rich, loaded lazily)."""

    def __init__(self, label: str = "parsing") -> None:
        self.label = label
        self.started = time.monotonic()
        self.bar: Any = None
        self.task: Any = None

    @staticmethod
    def wanted(disabled: bool) -> bool:
        if disabled or not sys.stderr.isatty():
            return False
        return not any(os.environ.get(name) for name in ("CI", "TF_BUILD", "PRE_COMMIT"))

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if done >= total or time.monotonic() - self.started < 1.0:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn(self.label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                                console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("parse", total=total)
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "--output-format", "output_format", type=click.Choice(list(FORMATS)),
              help="Output format [default: text; under GitHub Actions text plus github annotations].")
@click.option("--statistics", "show_statistics", is_flag=True,
              help="Count the findings per rule (with how many are fixable) instead of listing them; "
              "with --format json, a statistics list beside them.")
@click.option("--output-file", "-o", type=click.Path(dir_okay=False), help="Write the report to this file.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Config file to use instead of the nearest .playbooklint.toml / pyproject.toml.")
@click.option("--select", multiple=True, metavar="RULES",
              help="Only these rules: names, codes or code prefixes (PB2), comma-separated or repeated.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Skip these rules (names, codes, prefixes).")
@click.option("--strict", is_flag=True, help="Warnings fail the run too (exit 1).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when errors are found.")
@click.option("--max-file-size", type=click.IntRange(min=0, max=MAX_FILE_SIZE_LIMIT), help="Skip (and report) "
              "files larger than this many bytes; 0 for no limit. Default 2 MB, at most 1 GiB.")
@click.option("--file-timeout", type=click.FloatRange(min=0, max=FILE_TIMEOUT_LIMIT), callback=_finite,
              help="Seconds one file may take to parse before it is reported and skipped; 0 for no limit. "
              "Default 5, at most 3600.")
@click.option("--run-timeout", type=click.FloatRange(min=0, max=RUN_TIMEOUT_LIMIT), callback=_finite,
              help="Seconds the run may take before it stops parsing; the files left are reported as not "
              "checked. 0 for no limit. Default: 30, twice --file-timeout, or 50 ms per file, whichever is most.")
@click.option("--color", "color_option", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True, help="Colour the text report (NO_COLOR and FORCE_COLOR are honoured).")
@click.option("--no-progress", is_flag=True, help="Never show a progress bar.")
@click.option("--jobs", "-j", type=click.IntRange(min=1, max=MAX_JOBS),
              help="Parse processes [default: one per core; at most 256].")
@click.option("--no-cache", is_flag=True, envvar="PLAYBOOKLINT_NO_CACHE",
              help="Parse every file; neither read nor write the cache [env: PLAYBOOKLINT_NO_CACHE].")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Cache folder [default: .playbooklint_cache beside the config, else in the docset root].")
@click.option("--fix", "fix_files", is_flag=True,
              help="Apply the safe fixes findings carry (each checked before it is written), then report what remains.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Print the fixes as a unified diff and write nothing; exit 1 if there is any.")
@click.option("--unsafe-fixes", is_flag=True,
              help="With --fix or --diff: apply unsafe fixes too (a near-match anchor, the one file of that name).")
@click.option("--external", "external", is_flag=True,
              help="Check http(s) links too: each URL requested once, politely, answers cached.")
@click.option("--offline", is_flag=True, help="Never request external links (overrides --external and the config).")
@click.option("--watch", "watch_files", is_flag=True,
              help="Check again whenever a file of the repository changes, clearing the screen between runs "
              "(with --fix, fixing each time); Ctrl-C ends it.")
def check(paths: tuple[Path, ...], output_format: str | None, output_file: str | None, config_path: Path | None,
          select: tuple[str, ...], ignore: tuple[str, ...], strict: bool, exit_zero: bool,
          max_file_size: int | None, file_timeout: float | None, run_timeout: float | None, color_option: str,
          no_progress: bool, jobs: int | None, no_cache: bool, cache_dir: Path | None, fix_files: bool, show_diff: bool,
          unsafe_fixes: bool, show_statistics: bool, external: bool, offline: bool, watch_files: bool) -> None:
    """Check PATHS (folders or files; default: the current folder).

    A file is judged inside the docset it belongs to: the config's root, else the nearest folder
    holding docfx.json, else the folder given. Exit 0 when no errors, 1 with errors, 2 for usage or
    configuration problems.
    """
    if config_path is not None and not config_path.is_file():
        raise ConfigError(f"config file not found: {config_path}")
    if unsafe_fixes and not (fix_files or show_diff):
        raise click.UsageError("--unsafe-fixes applies with --fix or --diff")
    if show_statistics and (output_format or "text") not in STATISTICS_FORMATS:
        raise click.UsageError(f"--statistics applies with --format {', '.join(STATISTICS_FORMATS)}")
    if watch_files and show_diff:
        raise click.UsageError("--watch goes with --fix (fixing on each change), not --diff")
    arguments = click.get_current_context().params
    if watch_files:
        ignored = [cache_dir, Path(output_file) if output_file else None]
        _watch(list(paths) or [Path(".")], config_path, lambda: _check_once(**arguments),
               [p for p in ignored if p is not None])
    sys.exit(_check_once(**arguments)[0])


def _check_once(paths: tuple[Path, ...], output_format: str | None, output_file: str | None,
                config_path: Path | None, select: tuple[str, ...], ignore: tuple[str, ...], strict: bool,
                exit_zero: bool, max_file_size: int | None, file_timeout: float | None,
                run_timeout: float | None, color_option: str, no_progress: bool, jobs: int | None, no_cache: bool, cache_dir: Path | None, fix_files: bool,
                show_diff: bool, unsafe_fixes: bool, show_statistics: bool, external: bool, offline: bool,
                watch_files: bool) -> tuple[int, Result]:
    """One run of ``check``: check, print or write the report; the exit code it calls for, and the run."""
    from .api import _lint_with_docsets, fix, lint

    progress = _Progress() if _Progress.wanted(no_progress) else None
    link_progress = _Progress("checking links") if progress is not None and (external and not offline) else None
    arguments: dict[str, Any] = {
        "config": config_path, "jobs": jobs, "cache": not no_cache, "cache_dir": cache_dir,
        "select": _split(select) or None, "ignore": _split(ignore) or None,
        "overrides": {"max_file_size": max_file_size, "file_timeout": file_timeout, "run_timeout": run_timeout,
                      "external": False if offline else (True if external else None)}, "progress": progress,
        "link_progress": link_progress,
    }
    try:
        with _collector_paused():
            if fix_files or show_diff:
                result = fix(list(paths) or [Path(".")], unsafe=unsafe_fixes, write=not show_diff, **arguments)
            elif output_format == "html":  # the report reads the docsets (lifecycle, ms.date)
                result = _lint_with_docsets(list(paths) or [Path(".")], **arguments)
            else:
                result = lint(list(paths) or [Path(".")], **arguments)
    finally:
        for bar in (progress, link_progress):
            if bar is not None:
                bar.close()
    _nothing_matched(result, paths)
    if show_diff:
        _report_diff(result, output_file)  # exits
    github_too = (output_format is None and output_file is None and not watch_files
                  and os.environ.get("GITHUB_ACTIONS") == "true")
    chosen = output_format or "text"
    text = render(chosen, result, color=_use_color(color_option, output_file is not None),
                  with_statistics=show_statistics)
    if github_too:
        text += render("github", result)
    if chosen in ("text", "concise", "full"):
        text += "".join(line + "\n" for line in _fix_lines(result))
    elif result.fixes is not None and chosen != "json":
        for line in _fix_lines(result):
            click.echo(line, err=True)
    _write(text, output_file, document=chosen in DOCUMENT_FORMATS)
    for notice in result.notices:
        click.echo(f"playbooklint: {shown(notice)}", err=True)
    found = counts(result)
    failed = found["errors"] > 0 or (strict and found["warnings"] > 0)
    return (0 if exit_zero or not failed else 1), result


WATCH_WAKE_MS = 100
"""How long the watcher waits before the first run (it is then watching, so no change made during
that run is missed), and how often it wakes while nothing changes."""


def _watch(paths: list[Path], config_path: Path | None, run: Callable[[], tuple[int, Result]],
           ignored: list[Path]) -> NoReturn:
    """``--watch``: a run, then one after each batch of changes (debounced) anywhere in the
    repositories of ``paths`` and their config files, except ``.git``, cache folders, files an
    atomic write is still writing, ``ignored`` (``--cache-dir``, the report file) and files that
    hold exactly what the last run's ``--fix`` wrote. Each run is a normal run through the engine
    (the cache makes it parse only what changed). The screen is cleared between runs when stdout is
    a terminal. Ctrl-C ends it with exit code 130, like a check interrupted without --watch."""
    try:
        from watchfiles import DefaultFilter, watch
    except ImportError:
        raise ConfigError("--watch needs the watchfiles package (pip install watchfiles)") from None
    from .cache import CACHE_DIR_NAME

    for path in paths:
        if not path.exists():
            raise ConfigError(f"path does not exist: {path}")
    roots = _watch_roots(paths, config_path)
    usual = DefaultFilter(ignore_dirs=(*DefaultFilter.ignore_dirs, CACHE_DIR_NAME),
                          ignore_entity_patterns=(*DefaultFilter.ignore_entity_patterns, r"^\.tmp-"))
    skipped = [str(p.resolve()) for p in ignored]

    def wanted(change: Any, path: str) -> bool:
        return usual(change, path) and not any(path == s or path.startswith(s + os.sep) for s in skipped)

    written: dict[str, bytes] = {}
    try:
        changes: set[tuple[Any, str]]
        for number, changes in enumerate(watch(*roots, watch_filter=wanted, rust_timeout=WATCH_WAKE_MS,
                                               yield_on_timeout=True)):
            if number and (not changes or _holds_what_was_written(changes, written)):
                continue
            click.clear()
            if number:
                click.echo(f"[{time.strftime('%H:%M:%S')}] {_count(len(changes), 'change')}; checking again.",
                           err=True)
            result: Result | None = None
            try:
                _code, result = run()
            except ConfigError as exc:
                click.echo(f"playbooklint: error: {exc}", err=True)
            written = _written_by_fix(result)
            click.echo(f"[{time.strftime('%H:%M:%S')}] Watching {', '.join(str(r) for r in roots)} for changes "
                       "(Ctrl-C to stop).", err=True)
    except KeyboardInterrupt:
        pass
    sys.exit(130)


def _watch_roots(paths: list[Path], config_path: Path | None) -> list[Path]:
    """What ``--watch`` watches: the repository of each path (a link's target or a TOC may be
    anywhere in it) and the config files, or the paths themselves when they are in no docset."""
    from .inputs import group_targets

    found: set[Path] = set()
    try:
        plan = group_targets(paths, config_path)
        found |= {t.repository.root.resolve() for t in plan.targets}
        found |= {t.config.path.resolve() for t in plan.targets if t.config.path is not None}
    except ConfigError:  # said by the first run; watch the paths, so fixing the config reruns
        pass
    if not found:
        found = {p.resolve() for p in paths}
    if config_path is not None:
        found.add(config_path.resolve())
    return sorted(p for p in found if not any(other in p.parents for other in found))


def _written_by_fix(result: Result | None) -> dict[str, bytes]:
    """Real path -> digest of each file the run's ``--fix`` wrote, as it was written."""
    import hashlib

    written: dict[str, bytes] = {}
    for changed in result.fixes.changed if result is not None and result.fixes is not None else ():
        if changed.written:
            path = os.path.realpath(changed.root / changed.path)
            try:
                written[path] = hashlib.blake2b(Path(path).read_bytes()).digest()
            except OSError:
                pass
    return written


def _holds_what_was_written(changes: set[tuple[Any, str]], written: dict[str, bytes]) -> bool:
    """True when every changed file is one the last ``--fix`` wrote and still holds exactly that:
    the change is the run's own, and another run would show the same."""
    import hashlib

    if not written:
        return False
    for _change, path in changes:
        real = os.path.realpath(path)
        try:
            if written.get(real) != hashlib.blake2b(Path(real).read_bytes()).digest():
                return False
        except OSError:
            return False
    return True


def _nothing_matched(result: Result, paths: tuple[Path, ...]) -> None:
    """Paths that hold no source file of any docset checked nothing: say so (exit 2) rather than
    "No problems found in 0 files". Named files outside every docset (pre-commit passing a README)
    are skipped and counted as before."""
    found = counts(result)
    if found["files_checked"] or found["skipped"]:
        return
    named = ", ".join(str(p) for p in paths) or "."
    raise ConfigError(f"no file to check in {named}: no Markdown or TOC file that a docset builds "
                      "(check the path, or the docset's docfx.json 'files' and 'exclude')")


def _fix_lines(result: Result) -> list[str]:
    """After the report: what --fix did and did not do; without --fix, how many findings it could fix."""
    from .fixes import unfixed_note

    summary = result.fixes
    if summary is None:
        safe = sum(1 for d in result.diagnostics if d.fix is not None and d.fix.safe)
        unsafe = sum(1 for d in result.diagnostics if d.fix is not None and not d.fix.safe)
        if not safe and not unsafe:
            return []
        more = f" ({unsafe} more with --fix --unsafe-fixes)" if unsafe else ""
        return [f"{safe} fixable with --fix{more}." if safe else f"{unsafe} fixable with --fix --unsafe-fixes."]
    remain = len(result.diagnostics)
    return [*unfixed_note(summary), f"Fixed {_count(summary.fixed, 'problem')} in {_count(summary.files, 'file')}; "
            f"{remain} remain{'s' if remain == 1 else ''}."]


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _report_diff(result: Result, output_file: str | None) -> None:
    """--diff: the diff on stdout (or the output file), what would be done on stderr; exit 1 when
    there is anything to fix."""
    from .fixes import unfixed_note

    summary = result.fixes
    assert summary is not None
    _write(summary.diff(), output_file, raw_bytes=True)
    for line in unfixed_note(summary):
        click.echo(line, err=True)
    if summary.fixed:
        click.echo(f"Would fix {_count(summary.fixed, 'problem')} in {_count(summary.files, 'file')}.", err=True)
    else:
        click.echo("No fixes to apply.", err=True)
    sys.exit(1 if summary.fixed else 0)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A run allocates millions of small objects and frees them by reference counting; the cycle
    collector only slows it down (it tripled the time to load a 10,000-page cache), so the command
    line pauses it for the run (worker processes inherit that). Library calls leave it alone."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.freeze()  # what the run built is not scanned again: a full collection over it cost 0.7 s
            gc.enable()


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


@cli.command()
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path), default=Path("."))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False, exists=True))
def lifecycle(path: Path, output_format: str, config_path: Path | None) -> None:
    """Show the lifecycle as playbooklint understands it: the phases in order, their titles, and
    which pages and TOC sections list which phases."""
    from .config import find_config_file, load_config
    from .engine import build_docset
    from .reporters.lifecycle import render_lifecycle_json, render_lifecycle_text

    config = load_config(config_path or find_config_file(path.resolve()))
    docset = build_docset(path, config)
    root = docset.root
    found = docset.lifecycle
    if output_format == "json":
        _write(render_lifecycle_json(root, found), None, document=True)
    else:
        _write(render_lifecycle_text(root, config, found), None)


@cli.command(name="rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_command(output_format: str) -> None:
    """List every rule: code, name, default severity, summary."""
    from .rules import RULES

    if output_format == "json":
        click.echo(json.dumps([
            {"code": r.code, "name": r.name, "severity": r.severity if r.enabled else "off",
             "summary": r.summary}
            for r in RULES
        ], indent=2))
        return
    width = max(len(r.name) for r in RULES)
    for r in RULES:
        severity = r.severity if r.enabled else "off"
        click.echo(f"{r.code}  {r.name:<{width}}  {severity:<7}  {r.summary}")


@cli.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Show a rule's documentation (by name or code)."""
    from .rules import lookup

    found = lookup(rule)
    if found is None:
        raise ConfigError(f"unknown rule '{rule}'; see 'playbooklint rules'")
    default = found.severity if found.enabled else f"off (enable with {found.name} = \"{found.severity}\")"
    click.echo(f"{found.code} {found.name}  (default: {default})\n")
    click.echo(found.doc)


@cli.command()
@click.option("--no-cache", is_flag=True, envvar="PLAYBOOKLINT_NO_CACHE",
              help="Parse every file; neither read nor write the cache [env: PLAYBOOKLINT_NO_CACHE].")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Cache folder [default: .playbooklint_cache beside the config, else in the docset root].")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Parse processes for the first read of a docset "
              "[default: one per core].")
def server(no_cache: bool, cache_dir: Path | None, jobs: int | None) -> None:
    """Run the editor server: the Language Server Protocol over stdin and stdout (findings as you
    type, quick fixes, completion of link targets and anchors). Needs pygls:
    pip install 'playbooklint[server]'."""
    try:
        import pygls  # noqa: F401
    except ImportError:
        raise ConfigError("the editor server needs pygls, which is not installed: "
                          "pip install 'playbooklint[server]'") from None
    from .server.lsp import serve
    from .workspace import RunOptions

    raise SystemExit(serve(RunOptions(jobs=jobs, cache=not no_cache, cache_dir=cache_dir)))


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code, without tracebacks for users."""
    try:
        cli.main(args=argv, prog_name="playbooklint", standalone_mode=False)
        return 0
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:  # usage errors too; they may echo an argument
        setattr(exc, "message", shown(exc.message))  # noqa: B010 - typed Final, but an instance attribute
        exc.show()
        return 2
    except click.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except ConfigError as exc:  # it may name a path or a value from the repository
        click.echo(f"playbooklint: error: {shown(str(exc))}", err=True)
        return 2
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        click.echo("Aborted.", err=True)
        return 128 + (_SIGNALLED[-1] if _SIGNALLED else signal.SIGINT)
    except Exception as exc:  # noqa: BLE001 - never a traceback for a user
        click.echo(f"playbooklint: internal error: {type(exc).__name__}: {shown(str(exc))}\n"
                   f"Please report it at {REPORT_URL} with the command and 'playbooklint --version'.",
                   err=True)
        return 2


_SIGNALLED: list[int] = []
"""The signals received (SIGINT, SIGTERM), in order."""
_FINISHED: list[bool] = []
"""Not empty once ``main`` has returned."""


def _on_signal(signum: int, _frame: Any) -> None:
    """The first SIGINT or SIGTERM unwinds the run (stopping the parse workers on the way) to
    ``main``, which exits 128 + its number (130, 143). A second one while that happens, or one
    after ``main`` is done, ends the process at once with the same kind of code."""
    leave = bool(_SIGNALLED or _FINISHED)
    _SIGNALLED.append(signum)
    if leave:
        os._exit(128 + signum)  # not even a flush: stdout may be a pipe nobody reads any more
    raise KeyboardInterrupt


def _leave(code: int) -> NoReturn:
    """End the process now: nothing waits for worker processes or threads at exit (the workers
    end with it). A signal during the flush ends it at once (``_on_signal``)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a closed or broken stream: nothing more to say there
            pass
    os._exit(code)


def entry() -> None:
    """Console-script entry point. SIGINT and SIGTERM end a run promptly with 130 and 143."""
    for each in (signal.SIGINT, signal.SIGTERM):
        signal.signal(each, _on_signal)
    try:
        try:
            code = main()
        finally:
            _FINISHED.append(True)
    except KeyboardInterrupt:  # a signal while main was reporting something else, or returning
        code = 130
    if _SIGNALLED:  # interrupted: exit now, whatever the interpreter would wait for at exit
        _leave(128 + _SIGNALLED[-1])
    sys.exit(code)

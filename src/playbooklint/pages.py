"""Every source file's Page: each file read once, taken from the cache when its bytes are
unchanged, else parsed (in worker processes when there are enough files to pay for starting them).
Results never depend on the cache or the number of jobs."""

from __future__ import annotations

import os
import signal
import stat
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from itertools import chain, repeat

from .cache import PageCache
from .config import Config
from .inputs import Inputs
from .model import Page, Problem
from .source import OUT_OF_TIME, Deadline, parse_bytes, parse_source, read_source

PARALLEL_MIN_FILES = 64
"""Below this many files to parse, starting processes costs more than it saves."""
RUN_TIMEOUT_FLOOR = 30.0
"""The least time a run has to parse, when ``run-timeout`` is not set (seconds)."""
RUN_TIMEOUT_PER_FILE = 0.05
"""Seconds a run is given per file to parse, when ``run-timeout`` is not set: ten times what a
page takes on one core here (4-5 ms; iis-docs and a generated 10,000-page playbook)."""


class RunBudget:
    """The time a run may spend before it stops parsing, shared by all its docsets.

    ``run-timeout`` when set (0: no limit); else ``RUN_TIMEOUT_FLOOR`` seconds, twice
    ``file-timeout``, or 50 ms per file to parse, whichever is most (no limit when ``file-timeout``
    is 0). Valid docsets finish far inside it; files that each take their whole ``file-timeout``
    cannot add up to more. Counted from the start of the run (less the time spent waiting for
    external links), so one budget covers every docset; files handed to the parser after it ran
    out are reported, not read.
    """

    def __init__(self, seconds: float | None, file_timeout: float, start: float | None = None) -> None:
        self.seconds = seconds
        self.file_timeout = file_timeout
        self.start = time.time() if start is None else start
        self.files = 0
        """Files handed to the parser so far."""
        self.unchecked = 0
        """Files it left unparsed, or whose parse it cut off."""

    @classmethod
    def of(cls, configs: Sequence[Config], start: float | None = None) -> RunBudget:
        """The budget of a run over docsets with these settings: the smallest ``run-timeout`` set."""
        explicit = [c.run_timeout for c in configs if c.run_timeout is not None]
        limited = [value for value in explicit if value > 0]
        seconds = min(limited) if limited else (0.0 if explicit else None)
        timeouts = [c.file_timeout for c in configs]
        return cls(seconds, 0.0 if not timeouts or 0 in timeouts else max(timeouts), start)

    def allowed(self) -> float | None:
        """Seconds the run may parse for, counting the files handed over so far; None: no limit."""
        if self.seconds is not None:
            return self.seconds or None
        if not self.file_timeout:
            return None
        return max(RUN_TIMEOUT_FLOOR, 2 * self.file_timeout, RUN_TIMEOUT_PER_FILE * self.files)

    def deadline(self, files: int) -> Deadline | None:
        """The deadline for parsing ``files`` more files."""
        self.files += files
        allowed = self.allowed()
        return None if allowed is None else Deadline(self.start + allowed, allowed)


def default_jobs() -> int:
    """One job per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _pool(jobs: int) -> Executor:
    """Worker processes: forked when no other thread runs (cheap), else spawned (safe)."""
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    # with other threads running (the editor server), a forked child may inherit a lock one of them
    # held, and hang: spawn (Linux's default before Python 3.14 is fork)
    method = "fork" if "fork" in methods and threading.active_count() == 1 else "spawn"
    context = multiprocessing.get_context(method)
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_start,
                               initargs=(os.getpid(),))


def _worker_start(parent: int) -> None:
    """Set up a parse worker: it leaves signals to the main process, ends when the main process
    ends (however it ends: a SIGKILL runs no clean-up), and never holds the main process's output
    (a ``| cat`` downstream ends when the main process does)."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the main
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # process decides, and ends the workers itself
        watched = _die_with_parent()
        if os.getppid() != parent:  # the main process is already gone
            os._exit(1)
        if not watched:
            import threading

            threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="parent-watch").start()
        devnull = os.open(os.devnull, os.O_WRONLY)
        for fd in (1, 2):
            os.dup2(devnull, fd)
        os.close(devnull)
    except Exception:  # noqa: BLE001 - a worker that cannot do all of this still parses
        pass


def _die_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent ends (PR_SET_PDEATHSIG); False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(1, int(signal.SIGKILL), 0, 0, 0) == 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    """Where the kernel cannot be asked: end this process once its parent has gone."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _stop(executor: Executor) -> None:
    """End the workers now: an interrupted run does not wait for the files they are parsing."""
    terminate = getattr(executor, "kill_workers", None)  # Python 3.14
    if terminate is not None:
        terminate()
    else:
        for process in list((getattr(executor, "_processes", None) or {}).values()):
            try:
                process.kill()
            except (OSError, ValueError, AttributeError):
                pass
    executor.shutdown(wait=False, cancel_futures=True)


def _from_bytes(rel: str, key: bytes, data: bytes, budget: float,
                deadline: Deadline | None = None) -> tuple[str, bytes, Page]:
    return rel, key, parse_bytes(rel, data, budget, deadline)


Work = tuple[str, bytes, bytes]
"""(path, content key, bytes) of a file already read."""


def parse_many(
    root: str,
    todo: Sequence[str | Work],
    max_bytes: int,
    budget: float,
    jobs: int | None = None,
    progress: Callable[[], None] | None = None,
    deadline: Deadline | None = None,
) -> Iterator[tuple[str, bytes, Page]]:
    """(path, content key, Page) for each item of ``todo``: a path to read, or a file already read
    (each file is read once). ``progress`` is called after each file. Files reached after the
    ``deadline`` are not parsed, and a parse is cut off at it (see ``source.out_of_time``)."""
    jobs = jobs or default_jobs()
    paths = [item for item in todo if isinstance(item, str)]
    read = [item for item in todo if not isinstance(item, str)]
    executor = _pool(jobs) if jobs > 1 and len(todo) >= PARALLEL_MIN_FILES else None
    try:
        if executor is not None:
            chunk = max(1, min(64, len(todo) // (jobs * 8)))
            results: Iterator[tuple[str, bytes, Page]] = iter(())
            if paths:
                results = executor.map(parse_source, repeat(root), paths, repeat(max_bytes), repeat(budget),
                                       repeat(deadline), chunksize=chunk)
            if read:
                results = chain(results, executor.map(_from_bytes, *zip(*read), repeat(budget), repeat(deadline),
                                                      chunksize=chunk))
        else:
            results = chain(
                (parse_source(root, rel, max_bytes, budget, deadline) for rel in paths),
                (_from_bytes(rel, key, data, budget, deadline) for rel, key, data in read),
            )
        for result in results:
            yield result
            if progress is not None:
                progress()
    except BaseException:  # Ctrl-C, SIGTERM, a failure, or the consumer gone: stop the workers now
        if executor is not None:
            _stop(executor)
            executor = None
        raise
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)


Signature = tuple[int, int, int, int]
"""(size, modification time, change time, inode) of a file, as ``os.stat`` gives them."""


def _signature(path: str) -> Signature | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def _escaped_page(rel: str, target: str) -> Page:
    return Page(rel, problems=(Problem(
        1, 1, f"symbolic link to '{target}', outside the docset root; not read", rule="file-unreadable",
    ),))


class Sources:
    """Each source file read once (when the cache needs its content key), with the Pages of files
    that are not parsed (symlinks out of the root, too large, unreadable)."""

    def __init__(self, inputs: Inputs, config: Config, read: bool,
                 stats: Mapping[str, tuple[Signature, bytes]] | None = None) -> None:
        self.read = read
        """True when every file was read here (their keys are known before parsing); else the
        parse workers read them (a cold cache: nothing to compare against, and the bytes need not
        wait in this process) and the keys are filled in as pages arrive."""
        root = str(inputs.discovery.root)
        escapes = inputs.index.escapes
        self.keys: dict[str, bytes] = {}
        self.data: dict[str, bytes] = {}
        self.early: dict[str, Page] = {}
        self.signatures: dict[str, Signature] = {}
        """Files whose content key is known with the signature they had before they were read
        (size, times, inode): the next run trusts the key while the signature is the same."""
        stats = stats or {}
        for rel in inputs.discovery.sources:
            if rel in escapes:
                self.early[rel] = _escaped_page(rel, escapes[rel])
            elif read:
                signature = _signature(os.path.join(root, rel))
                known = stats.get(rel)
                if signature is not None and known is not None and known[0] == signature:
                    self.keys[rel] = known[1]  # unchanged since the last run: not read again
                    self.signatures[rel] = signature
                    continue
                key, data, page = read_source(root, rel, config.max_file_size)
                self.keys[rel] = key
                if page is not None:
                    self.early[rel] = page
                elif data is not None:
                    self.data[rel] = data
                    if signature is not None:
                        self.signatures[rel] = signature

    def stat_entries(self) -> dict[str, tuple[Signature, bytes]]:
        """Signature and content key of each file read (or trusted) in this run, for the next run:
        only files last changed more than two seconds ago (a file written in the same instant as
        it was read could change again without its times changing)."""
        settled = time.time_ns() - 2_000_000_000
        return {rel: (signature, self.keys[rel]) for rel, signature in self.signatures.items()
                if rel in self.keys and signature[1] < settled and signature[2] < settled}

    def fingerprint(self, inputs: Inputs) -> list[tuple[str, bytes]]:
        contents = [(rel, self.keys.get(rel, b"-")) for rel in sorted(inputs.index.files)]
        contents += [(repr(self.early[rel].problems), b"") for rel in sorted(self.early) if rel not in self.keys]
        return contents


def load_pages(inputs: Inputs, sources: Sources, config: Config, cache: PageCache | None,
               jobs: int | None = None, report: Callable[[int, int], None] | None = None,
               budget: RunBudget | None = None) -> dict[str, Page]:
    """Every source's Page: from the cache when its bytes are unchanged, else parsed (within the
    run's ``budget``: what it leaves unparsed is reported, and never cached)."""
    pages = dict(sources.early)
    todo: list[str | Work] = []
    for rel in inputs.discovery.sources:
        if rel in pages:
            continue
        cached = cache.get(rel, sources.keys[rel]) if cache is not None and rel in sources.keys else None
        if cached is not None:
            pages[rel] = cached
        elif rel in sources.data:
            todo.append((rel, sources.keys[rel], sources.data.pop(rel)))
        else:
            todo.append(rel)
    total, done = len(inputs.discovery.sources), len(pages)
    if report is not None and done:
        report(done, total)

    def tick() -> None:
        nonlocal done
        done += 1
        if report is not None:
            report(done, total)

    deadline = budget.deadline(len(todo)) if budget is not None and todo else None
    for rel, key, page in parse_many(str(inputs.discovery.root), todo, config.max_file_size, config.file_timeout,
                                     jobs, tick, deadline):
        pages[rel] = page
        late = deadline is not None and any(p.rule == OUT_OF_TIME for p in page.problems)
        if late and budget is not None:
            budget.unchecked += 1
        if key:
            sources.keys[rel] = key  # what the facts were read from: a fix checks the file is unchanged
            if cache is not None and not late:
                cache.put(rel, key, page)
    if cache is not None:
        cache.retain(set(inputs.discovery.sources))
        cache.save()
        cache.save_stats(sources.stat_entries())
    return pages

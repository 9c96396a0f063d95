"""Every source file's Page: each file read once, taken from the cache when its bytes are
unchanged, else parsed (in worker processes when there are enough files to pay for starting them).
Results never depend on the cache or the number of jobs."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from itertools import chain, repeat

from .cache import PageCache
from .config import Config
from .inputs import Inputs
from .model import Page, Problem
from .source import parse_bytes, parse_source, read_source

PARALLEL_MIN_FILES = 64
"""Below this many files to parse, starting processes costs more than it saves."""


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
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context)


def _from_bytes(rel: str, key: bytes, data: bytes, budget: float) -> tuple[str, bytes, Page]:
    return rel, key, parse_bytes(rel, data, budget)


Work = tuple[str, bytes, bytes]
"""(path, content key, bytes) of a file already read."""


def parse_many(
    root: str,
    todo: Sequence[str | Work],
    max_bytes: int,
    budget: float,
    jobs: int | None = None,
    progress: Callable[[], None] | None = None,
) -> Iterator[tuple[str, bytes, Page]]:
    """(path, content key, Page) for each item of ``todo``: a path to read, or a file already read
    (each file is read once). ``progress`` is called after each file."""
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
                                       chunksize=chunk)
            if read:
                results = chain(results, executor.map(_from_bytes, *zip(*read), repeat(budget), chunksize=chunk))
        else:
            results = chain(
                (parse_source(root, rel, max_bytes, budget) for rel in paths),
                (_from_bytes(rel, key, data, budget) for rel, key, data in read),
            )
        for result in results:
            yield result
            if progress is not None:
                progress()
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)


def _escaped_page(rel: str, target: str) -> Page:
    return Page(rel, problems=(Problem(
        1, 1, f"symbolic link to '{target}', outside the docset root; not read", rule="file-unreadable",
    ),))


class Sources:
    """Each source file read once (when the cache needs its content key), with the Pages of files
    that are not parsed (symlinks out of the root, too large, unreadable)."""

    def __init__(self, inputs: Inputs, config: Config, read: bool) -> None:
        self.read = read
        """True when every file was read here (their keys are known before parsing); else the
        parse workers read them (a cold cache: nothing to compare against, and the bytes need not
        wait in this process) and the keys are filled in as pages arrive."""
        root = str(inputs.discovery.root)
        escapes = inputs.index.escapes
        self.keys: dict[str, bytes] = {}
        self.data: dict[str, bytes] = {}
        self.early: dict[str, Page] = {}
        for rel in inputs.discovery.sources:
            if rel in escapes:
                self.early[rel] = _escaped_page(rel, escapes[rel])
            elif read:
                key, data, page = read_source(root, rel, config.max_file_size)
                self.keys[rel] = key
                if page is not None:
                    self.early[rel] = page
                elif data is not None:
                    self.data[rel] = data

    def fingerprint(self, inputs: Inputs) -> list[tuple[str, bytes]]:
        contents = [(rel, self.keys.get(rel, b"-")) for rel in sorted(inputs.index.files)]
        contents += [(repr(self.early[rel].problems), b"") for rel in sorted(self.early) if rel not in self.keys]
        return contents


def load_pages(inputs: Inputs, sources: Sources, config: Config, cache: PageCache | None,
               jobs: int | None = None, report: Callable[[int, int], None] | None = None) -> dict[str, Page]:
    """Every source's Page: from the cache when its bytes are unchanged, else parsed."""
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

    for rel, key, page in parse_many(str(inputs.discovery.root), todo, config.max_file_size, config.file_timeout,
                                     jobs, tick):
        pages[rel] = page
        if key:
            sources.keys[rel] = key  # what the facts were read from: a fix checks the file is unchanged
            if cache is not None:
                cache.put(rel, key, page)
    if cache is not None:
        cache.retain(set(inputs.discovery.sources))
        cache.save()
    return pages

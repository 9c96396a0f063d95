"""Benchmark playbooklint on one docset and print, from one run, the ratios that matter.

    python bench/run.py DOCSET                 # a docset folder (its docfx.json root)
    python bench/run.py --generate 10000       # a generated playbook (bench/generate.py)
    python bench/run.py DOCSET --vs 'npx markdownlint-cli2 "**/*.md"'

It measures, in this order and on the same tree:

- floor:   one honest single-process parse of every page: read, PyYAML's C loader on the front
           matter, markdown-it-py (CommonMark + tables) on the body; no facts, no rules;
- cold:    ``playbooklint check`` with an empty cache (default --jobs), wall time and the peak
           memory of the whole process tree;
- warm:    the same again, nothing changed (the cache holds every page and the last findings);
- edited:  warm cache, one page edited before each run (the edit-and-check loop);
- 5 files: ``playbooklint check`` on five pages edited before each run, warm cache (a pre-commit
           run: the edited pages are parsed, the rest comes from the cache);
- --vs:    another tool's command, run in the docset folder.

The docset is copied to a scratch folder first, so edits and caches never touch the original.

The machine is shared and noisy: compare the ratios of one run, not absolute times across runs.
Each timing is the best of ``--repeat`` runs (default 3).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc), in KiB."""
    total = 0
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            parent = int(fields[1])
            pages = int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
        rss[int(entry)] = pages * (os.sysconf("SC_PAGE_SIZE") // 1024)
    stack = [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack.extend(children.get(current, []))
    return total


def timed(command: list[str] | str, cwd: Path | None = None, shell: bool = False) -> tuple[float, int, int]:
    """(wall seconds, peak RSS of the process tree in MiB, exit code)."""
    peak = 0
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, shell=shell, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            if sys.platform.startswith("linux"):
                peak = max(peak, _tree_rss_kb(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    return elapsed, peak // 1024, code


def parse_floor(root: Path) -> tuple[float, int, int]:
    """Single-process honest parse of every page; (seconds, pages, bytes). Run in a child process
    so its imports and memory do not touch this one."""
    code = r"""
import os, sys, time, yaml
from markdown_it import MarkdownIt
root = sys.argv[1]
files = []
for folder, dirs, names in os.walk(root):
    dirs[:] = [d for d in dirs if not d.startswith(".")]
    files += [os.path.join(folder, n) for n in names if n.endswith(".md")]
md = MarkdownIt("commonmark").enable("table")
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
start = time.perf_counter()
size = 0
for path in files:
    with open(path, "rb") as handle:
        data = handle.read()
    size += len(data)
    text = data.decode("utf-8-sig", "replace")
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end > 0:
            try:
                yaml.load(text[3:end], Loader=loader)
            except yaml.YAMLError:
                pass
            text = text[end + 4:]
    md.parse(text)
print(time.perf_counter() - start, len(files), size)
"""
    out = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True)
    seconds, pages, size = out.stdout.split()
    return float(seconds), int(pages), int(size)


def pick_pages(root: Path, count: int) -> list[Path]:
    pages = sorted(p for p in root.rglob("*.md") if "includes" not in p.parts and not any(
        part.startswith(".") for part in p.relative_to(root).parts))
    if not pages:
        return []
    step = max(1, len(pages) // count)
    return pages[::step][:count]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as handle:
            found = re.search(r"model name\s*:\s*(.*)", handle.read())
            cpu = found.group(1).strip() if found else cpu
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cpu}, {cores} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def best(runs: int, command: list[str] | str, **kwargs: object) -> tuple[float, int, int]:
    results = [timed(command, **kwargs) for _ in range(runs)]  # type: ignore[arg-type]
    return min(results, key=lambda r: r[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("docset", nargs="?", type=Path, help="docset root to benchmark")
    parser.add_argument("--generate", type=int, metavar="PAGES", help="benchmark a generated playbook of this size")
    parser.add_argument("--jobs", type=int, help="passed to playbooklint --jobs")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs per timing (default 3)")
    parser.add_argument("--vs", action="append", default=[], metavar="COMMAND",
                        help="also time this shell command, run in the docset folder")
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="playbooklint-bench-"))
    try:
        if args.generate:
            root = scratch / "docset"
            subprocess.run([sys.executable, str(HERE / "generate.py"), str(root), "--pages", str(args.generate),
                            "--broken-rate", "0.002"], check=True, stdout=subprocess.DEVNULL)
            label = f"generated playbook, {args.generate:,} pages"
        elif args.docset:
            root = scratch / "docset"
            shutil.copytree(args.docset.resolve(), root, symlinks=True,
                            ignore=shutil.ignore_patterns(".playbooklint_cache", ".git"))
            label = str(args.docset)
        else:
            parser.error("give a DOCSET or --generate PAGES")
        tool = [sys.executable, "-m", "playbooklint", "check", "--format", "json", "--no-progress"]
        if args.jobs:
            tool += ["--jobs", str(args.jobs)]
        cache = scratch / "cache"
        env_note = "PLAYBOOKLINT_NO_CACHE" in os.environ
        if env_note:
            del os.environ["PLAYBOOKLINT_NO_CACHE"]

        floor, pages, size = parse_floor(root)

        def cold_run() -> tuple[float, int, int]:
            shutil.rmtree(cache, ignore_errors=True)
            return timed([*tool, "--cache-dir", str(cache), str(root)])

        cold = min((cold_run() for _ in range(args.repeat)), key=lambda r: r[0])
        warm = best(args.repeat, [*tool, "--cache-dir", str(cache), str(root)])
        five = pick_pages(root, 5)
        originals = {page: page.read_bytes() for page in five}
        counter = 0

        def edit(pages: list[Path]) -> None:
            nonlocal counter
            counter += 1
            for page in pages:
                page.write_bytes(originals[page] + f"\n<!-- bench edit {counter} -->\n".encode())

        def edited_run(pages: list[Path], targets: list[str]) -> tuple[float, int, int]:
            edit(pages)
            return timed([*tool, "--cache-dir", str(cache), *targets])

        edited = min((edited_run(five[:1], [str(root)]) for _ in range(args.repeat)), key=lambda r: r[0])
        few = min((edited_run(five, [str(p) for p in five]) for _ in range(args.repeat)), key=lambda r: r[0])
        for page, data in originals.items():
            page.write_bytes(data)
        version = subprocess.run([sys.executable, "-m", "playbooklint", "--version"], capture_output=True,
                                 text=True).stdout.strip()
        rows = [
            ("parse floor (1 process, no rules)", floor, None),
            ("cold check (empty cache)", cold[0], cold[1]),
            ("warm check, nothing changed", warm[0], warm[1]),
            ("warm check, 1 page edited", edited[0], edited[1]),
            ("pre-commit: 5 edited files", few[0], few[1]),
        ]
        for command in args.vs:
            elapsed, peak, code = best(args.repeat, command, cwd=root, shell=True)
            rows.append((f"vs: {command} (exit {code})", elapsed, peak))
        print(f"\n{label}: {pages:,} pages, {size / 1e6:.1f} MB; {version}")
        print(f"machine: {machine()}; jobs: {args.jobs or 'default'}; best of {args.repeat}\n")
        print("| run | seconds | peak MiB | vs floor |")
        print("|---|---:|---:|---:|")
        for name, seconds, peak in rows:
            print(f"| {name} | {seconds:.2f} | {peak if peak is not None else '-'} | {seconds / floor:.2f}x |")
        print(f"\nratios: cold/floor {cold[0] / floor:.2f}, warm/cold {warm[0] / cold[0]:.2f}, "
              f"edited/cold {edited[0] / cold[0]:.2f}, 5-file/cold {few[0] / cold[0]:.2f}")
        print("exit codes:", cold[2], warm[2], edited[2], few[2], "(1 = findings)")
        if env_note:
            print("(PLAYBOOKLINT_NO_CACHE was set in the environment and was ignored here)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Time the pure parse (``decode`` + ``parse_text``) of every ``.md`` file under a folder.

    python bench/parse_speed.py [FOLDER] [--repeat N]
    python bench/parse_speed.py [FOLDER] --against COMMIT     # this tree vs the parser at COMMIT

The files are read into memory first, so only parsing is timed; the cycle collector is paused
during each pass, as the engine does. Each pass's CPU time (this process) is measured, and wall
time too; the machine is shared and noisy, so the best CPU time is the number to compare.

``--against`` loads ``src/playbooklint`` as it was at COMMIT (``git archive``) under another
package name, in the same process, and parses each file with both versions one after the other
(in alternating order), adding up each version's time: both see the same machine at the same
moment, which whole-pass timings on a shared machine do not. The default folder is
``../shared/corpora/iis-docs`` beside the repository.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "src"))

from playbooklint.parse import decode, parse_text  # noqa: E402

Parse = Callable[[str, str], Any]


def load_version(commit: str, into: Path) -> Parse:
    """``parse_text`` of the playbooklint package at ``commit``, imported as another package."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", commit, "src/playbooklint"],
                             check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    name = "playbooklint_at_" + "".join(c if c.isalnum() else "_" for c in commit)
    (into / "src" / "playbooklint").rename(into / name)
    sys.path.insert(0, str(into))
    return importlib.import_module(f"{name}.parse").parse_text  # type: ignore[no-any-return]


def one_pass(parsers: list[Parse], files: list[tuple[str, bytes]]) -> list[tuple[float, float]]:
    """(CPU seconds, wall seconds) of each parser on every file: file by file, each parser in turn
    (the first one first on even files, last on odd ones)."""
    totals = [[0.0, 0.0] for _ in parsers]
    order = list(enumerate(parsers))
    cpu_clock, wall_clock = time.process_time, time.perf_counter
    gc.collect()
    gc.disable()
    try:
        for number, (rel, data) in enumerate(files):
            text, _problem = decode(data)
            if text is None:
                continue
            for index, parse in order if number % 2 == 0 else reversed(order):
                cpu, wall = cpu_clock(), wall_clock()
                parse(rel, text)
                totals[index][0] += cpu_clock() - cpu
                totals[index][1] += wall_clock() - wall
    finally:
        gc.enable()
    return [(cpu, wall) for cpu, wall in totals]


def summary(label: str, times: list[tuple[float, float]]) -> str:
    cpu = [c for c, _w in times]
    wall = [w for _c, w in times]
    return (f"{label}: CPU best {min(cpu):.3f} s, median {statistics.median(cpu):.3f} s; "
            f"wall best {min(wall):.3f} s, median {statistics.median(wall):.3f} s ({len(times)} passes)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", type=Path, default=REPO.parent / "shared" / "corpora" / "iis-docs")
    parser.add_argument("--repeat", type=int, default=7, help="passes of each version (default 7)")
    parser.add_argument("--against", metavar="COMMIT", help="also time the parser at this git commit, alternating")
    args = parser.parse_args()
    paths = sorted(p for p in args.folder.rglob("*.md") if p.is_file())
    if not paths:
        print(f"no .md files under {args.folder}", file=sys.stderr)
        return 2
    files = [(p.relative_to(args.folder).as_posix(), p.read_bytes()) for p in paths]
    print(f"{args.folder}: {len(files)} files, {sum(len(d) for _r, d in files) / 1e6:.1f} MB")
    versions: dict[str, Parse] = {"this tree": parse_text}
    with tempfile.TemporaryDirectory() as scratch:
        if args.against:
            versions = {args.against: load_version(args.against, Path(scratch)), **versions}
        labels, parsers = list(versions), list(versions.values())
        times: dict[str, list[tuple[float, float]]] = {label: [] for label in labels}
        one_pass(parsers, files)  # warm up: parsers built, caches filled
        for _ in range(args.repeat):
            for label, measured in zip(labels, one_pass(parsers, files)):
                times[label].append(measured)
    for label, measured in times.items():
        print(summary(label, measured))
    if args.against:
        base, this = (times[label] for label in labels)
        best = min(c for c, _w in this) / min(c for c, _w in base)
        median = statistics.median(c for c, _w in this) / statistics.median(c for c, _w in base)
        print(f"this tree / {args.against}, CPU: best {best:.3f}, median {median:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

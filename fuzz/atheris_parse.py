"""Coverage-guided fuzzing of the parser and the whole engine with atheris (not part of the tests).

    pip install atheris
    python fuzz/atheris_parse.py -max_total_time=300            # parse_bytes on any bytes
    python fuzz/atheris_parse.py -max_total_time=300 --docset   # a two-page docset through lint()

A crash is any exception escaping (playbooklint must turn every problem into a finding) or a
parse slower than the time budget without being reported. libFuzzer options work as usual
(``-jobs``, ``-dict``, a corpus folder).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from playbooklint.engine import RunOptions, lint
    from playbooklint.source import parse_bytes

DOCSET = "--docset" in sys.argv
if DOCSET:
    sys.argv.remove("--docset")


def test_parse(data: bytes) -> None:
    page = parse_bytes("fuzz.md", data, budget=5)
    for problem in page.problems:
        assert problem.line >= 1 and problem.column >= 1, problem


def test_docset(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    first = provider.ConsumeBytes(provider.ConsumeIntInRange(0, len(data)))
    second = provider.ConsumeBytes(provider.remaining_bytes())
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "includes").mkdir()
        (root / "index.md").write_bytes(first)
        (root / "includes" / "x.md").write_bytes(second)
        (root / "toc.yml").write_bytes(second)
        for diagnostic in lint([root], options=RunOptions(cache=False, jobs=1)).diagnostics:
            assert not diagnostic.path.startswith(".."), diagnostic


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_docset if DOCSET else test_parse)
    atheris.Fuzz()

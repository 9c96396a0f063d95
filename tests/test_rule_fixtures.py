"""Per-rule fixtures in markdown-it-py's fixture format.

Each file ``fixtures/rules/<rule-name>.md`` holds cases: a title, the input, and the expected
findings (``line:col CODE``, or ``path:line:col CODE`` for files other than ``page.md``), each
section closed by a line with a single ``.``. In the input, ``=== path`` starts another file of
the docset; the text before it is ``page.md``. Only the fixture's rule runs, plus any named
(one per line) in a pseudo-file ``=== .rules``. A file header ``=== name !bytes`` takes a Python
bytes literal as the file's content. Every case runs on the same day, ``TODAY`` (the date
``metadata-date-future`` judges ``ms.date`` against).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from conftest import brief, run, split_files, write_tree

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
TODAY = "2025-06-15"


def _cases():
    for path in sorted(FIXTURES.glob("*.md")):
        for line, title, source, expected in read_fixture_file(path):
            yield pytest.param(path.stem, source, expected, id=f"{path.stem}:{line + 1}:{title}")


@pytest.mark.parametrize(("rule", "source", "expected"), list(_cases()))
def test_rule_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: str, source: str, expected: str) -> None:
    monkeypatch.setenv("PLAYBOOKLINT_TODAY", TODAY)
    files = split_files(source)
    extra = tuple(files.pop(".rules", "").split())
    write_tree(tmp_path, files)
    found = brief(run(tmp_path, rules=(rule, *extra)))
    assert found == [line.strip() for line in expected.splitlines() if line.strip()]

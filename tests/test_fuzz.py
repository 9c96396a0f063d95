"""Property-based fuzzing of whole docsets built from DocFX pieces (and raw bytes).

Properties: nothing raises, the exit code is 0 or 1, JSON and SARIF outputs are valid, every
reported path is inside the root, and results are identical with and without the cache and for
one or two parse processes.

The default profile keeps the CI run under a minute; ``PLAYBOOKLINT_FUZZ=long pytest
tests/test_fuzz.py`` runs a longer one.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import playbooklint.engine as engine
from playbooklint.cli import main
from playbooklint.engine import RunOptions, lint
from playbooklint.reporters import render_sarif

settings.register_profile("ci", max_examples=35, deadline=None, suppress_health_check=list(HealthCheck))
settings.register_profile("long", max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile("long" if os.environ.get("PLAYBOOKLINT_FUZZ") == "long" else "ci")

PATHS = ["index.md", "a.md", "sub/b.md", "includes/x.md", "includes/y.md", "phase-1.md", "phase-2.md"]
TARGETS = st.sampled_from([
    "a.md", "./a.md", "sub/b.md", "../a.md", "../../../etc/passwd", "~/a.md", "~/../x.md", "%2e%2e/x.md",
    "a.md#heading", "a.md?tabs=x#Heading", "#top", "#tab/x", "#nope", "", "https://x.org", "mailto:x@y",
    "/abs/path", "C:\\x.md", "..\\a.md", "<a b.md>", "sub/", "includes/x.md", "phase-2.md", "A.MD",
    "a.md#%E2%9C%93", "sub/b.md#step-1", "//cdn/x.png", "xref:X", "media/x.png",
])
WORDS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
YAML_VALUE = st.one_of(
    st.sampled_from(["2/18/2019", "2/30/2019", "2019-02-18", "partner", "x: y", "[a, b]", "&a 1", "*a",
                     "!!python/object:os.system", "{a: [1, {b: 2}]}", "'quoted'", "|\n  block", "null", ""]),
    WORDS,
)
YAML_KEY = st.sampled_from(["title", "description", "ms.date", "author", "ms.author", "ms.topic",
                            "ft.audience", "ft.owner", "title", "content", "handler", "- item", "<<"])


@st.composite
def front_matter(draw) -> str:
    lines = [f"{draw(YAML_KEY)}: {draw(YAML_VALUE)}" for _ in range(draw(st.integers(0, 6)))]
    closing = draw(st.sampled_from(["---", "...", "", "---  "]))
    return "---\n" + "\n".join(lines) + ("\n" + closing if closing else "") + "\n"


@st.composite
def block(draw) -> str:
    kind = draw(st.integers(0, 12))
    target = draw(TARGETS)
    word = draw(WORDS)
    return [
        lambda: f"{'#' * draw(st.integers(1, 6))} {word} {draw(st.sampled_from(['&amp;', '`code`', '*em*', '', '!']))}\n",
        lambda: f"Text [{word}]({target}) and ![img]({target}).\n",
        lambda: f"[!INCLUDE [{word}]({draw(st.sampled_from(['includes/x.md', 'x.md', 'y.md', '../includes/y.md', '~/includes/y.md', 'includes/none.md']))})]\n",
        lambda: "".join(f"{draw(st.sampled_from(['1.', '2.', '5.', '0.', '-']))} [{w}]({t})\n"
                        for w, t in draw(st.lists(st.tuples(WORDS, st.sampled_from(['phase-1.md', 'phase-2.md', 'a.md'])), max_size=4))),
        lambda: f'<a name="{word}"></a><a href="{target}">x</a> <img src="{target}">\n',
        lambda: f"```\n[{word}]({target})\n```\n",
        lambda: f"<!-- playbooklint-{draw(st.sampled_from(['disable', 'enable', 'disable-line', 'disable-next-line', 'disable-file']))} {draw(st.sampled_from(['', 'link-broken', 'PB2', 'nope']))} -->\n",
        lambda: f"| a | [{word}]({target}) |\n|---|---|\n| [!INCLUDE [x](includes/x.md)] | b |\n",
        lambda: f':::image type="content" source="{target}" alt-text="{word}":::\n',
        lambda: f"[{word}][ref]\n\n[ref]: {target or 'x.md'}\n",
        lambda: f"> [!NOTE]\n> [{word}]({target})\n",
        lambda: f"[Next: {word}]({target}) [Previous]({target})\n",
        lambda: word + "\n",
    ][kind]()


@st.composite
def markdown(draw) -> bytes:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=200))
    text = (draw(front_matter()) if draw(st.booleans()) else "") + "".join(draw(st.lists(block(), max_size=8)))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16"]))
    return text.encode(encoding, "surrogatepass")


TOC = st.lists(st.tuples(WORDS, TARGETS), max_size=4).map(
    lambda entries: "".join(f"- name: {json.dumps(n)}\n  href: {json.dumps(t)}\n" for n, t in entries).encode())

DOCSET = st.fixed_dictionaries(
    {"index.md": st.one_of(st.just(b"## Phases\n1. [One](phase-1.md)\n2. [Two](phase-2.md)\n"), markdown())},
    optional={
        **{path: markdown() for path in PATHS if path != "index.md"},
        "toc.yml": st.one_of(TOC, st.binary(max_size=80)),
        "docfx.json": st.sampled_from([b"{}", b'{"build": {"globalMetadata": {"ms.date": "1/1/2020"}}}', b"{bad", b"[]"]),
        ".openpublishing.redirection.json": st.sampled_from([b'{"redirections": [{"source_path": "gone.md", "redirect_url": "/x"}]}', b"//\n{"]),
        "media/x.png": st.just(b""),
    },
)


def write(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def summary(diagnostics) -> list[tuple]:
    return [(d.path, d.line, d.column, d.code, d.severity, d.message) for d in diagnostics]


@given(files=DOCSET)
def test_docsets_from_docfx_pieces(files: dict[str, bytes]):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "docs"
        write(root, files)
        plain = lint([root], options=RunOptions(cache=False, jobs=1)).diagnostics
        for d in plain:
            assert d.line >= 1 and d.column >= 1
            assert not d.path.startswith(("..", "/")) and ":" not in d.path[:2], d.path
        cold = lint([root], options=RunOptions(cache=True, jobs=1, cache_dir=Path(folder) / "cache"))
        warm = lint([root], options=RunOptions(cache=True, jobs=1, cache_dir=Path(folder) / "cache"))
        assert summary(cold.diagnostics) == summary(warm.diagnostics) == summary(plain)
        sarif = json.loads(render_sarif(warm, cwd=Path(folder)))
        assert sarif["version"] == "2.1.0" and len(sarif["runs"][0]["results"]) == len(plain)


@settings(max_examples=8)
@given(files=DOCSET)
def test_two_processes_agree_with_one(files: dict[str, bytes]):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "docs"
        write(root, files)
        one = lint([root], options=RunOptions(cache=False, jobs=1)).diagnostics
        minimum = engine.PARALLEL_MIN_FILES
        engine.PARALLEL_MIN_FILES = 1
        try:
            two = lint([root], options=RunOptions(cache=False, jobs=2)).diagnostics
        finally:
            engine.PARALLEL_MIN_FILES = minimum
        assert summary(one) == summary(two)


@settings(max_examples=15)
@given(files=DOCSET)
def test_cli_exit_codes_and_json(files: dict[str, bytes]):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "docs"
        write(root, files)
        report = Path(folder) / "out.json"
        assert main(["check", str(root), "--format", "json", "-o", str(report), "--no-cache"]) in (0, 1)
        payload = json.loads(report.read_text(encoding="utf-8"))
        assert payload["summary"]["errors"] + payload["summary"]["warnings"] == len(payload["diagnostics"])

"""``--format html``: one self-contained page; every finding present, text escaped, the lifecycle
as SVG, freshness and missing targets; and a headless chromium run when chromium is installed."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from playbooklint.cli import main
from playbooklint.config import Config
from playbooklint.engine import DocsetResult, RunResult
from playbooklint.model import Diagnostic
from playbooklint.reporters import FORMATS
from playbooklint.reporters.html import parse_ms_date, render_html

HOSTILE = "<script>alert('x')</script> & \"quotes\""


class Outline(HTMLParser):
    """What the tests look at: tags seen, elements with a class, script count, text, external refs."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.classes: dict[str, int] = {}
        self.text: list[str] = []
        self.external: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in ("meta", "br", "input", "rect", "path", "option"):
            self.open.append(tag)
        for name, value in attrs:
            if name == "class" and value:
                for cls in value.split():
                    self.classes[cls] = self.classes.get(cls, 0) + 1
            if name in ("src", "href") and value and "://" in value:
                self.external.append(value)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("rect", "path", "option"):
            return
        assert self.open and self.open[-1] == tag, (tag, self.open[-5:])
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def outline(text: str) -> Outline:
    parsed = Outline()
    parsed.feed(text)
    parsed.close()
    assert parsed.open == [], parsed.open  # every element closed, in order
    return parsed


def fixed_result(root: Path) -> RunResult:
    diagnostics = [
        Diagnostic("a.md", 2, 1, "PB201", "link-broken", "error", "page 'gone.md' does not exist", 2, 10),
        Diagnostic("a.md", 3, 1, "PB201", "link-broken", "error", "page 'gone.md' does not exist"),
        Diagnostic("b.md", 1, 1, "PB208", "orphan-page", "warning", HOSTILE),
    ]
    return RunResult([DocsetResult(root, Config(), diagnostics, 2)])


def test_every_finding_present_and_text_escaped(tmp_path: Path):
    (tmp_path / "a.md").write_text("# A\n[x](gone.md)\n[y](gone.md)\n", encoding="utf-8")
    html = render_html(fixed_result(tmp_path), cwd=tmp_path, today=dt.date(2026, 1, 1))
    parsed = outline(html)
    assert parsed.classes["finding"] == 3
    assert parsed.tags.count("script") == 1  # only the report's own filter script
    assert HOSTILE in "".join(parsed.text)  # the message stays text
    assert "<script>alert" not in html
    assert parsed.external == []  # nothing fetched: no CDN, no network
    assert "[x](gone.md)" in html  # the source line, with the line before it
    assert "# A" in html
    missing = html[html.index('id="missing"'):html.index('id="findings"')]
    assert "gone.md" in missing and ">2<" in missing


def test_no_findings(tmp_path: Path):
    html = render_html(RunResult([DocsetResult(tmp_path, Config(), [], 4)]), cwd=tmp_path)
    parsed = outline(html)
    assert "No problems found." in "".join(parsed.text)
    assert "finding" not in parsed.classes


def playbook(tmp_path: Path) -> Path:
    root = tmp_path / "pb"
    root.mkdir()
    phases = ["plan", "build", "ship"]
    dates = ["1/15/2019", "6/1/2025", "13/45/2020"]
    (root / "index.md").write_text(
        "---\ntitle: Home\nms.date: 11/20/2026\n---\n# Home\n\n## Phases\n\n"
        + "".join(f"{i}. [{p.title()}](phase-{p}.md)\n" for i, p in enumerate(phases, 1))
        + "\n[gone](gone.md) [again](gone.md) <!-- <script>x</script> -->\n",
        encoding="utf-8")
    for phase, date in zip(phases, dates):
        (root / f"phase-{phase}.md").write_text(f"---\ntitle: {phase.title()} Phase\nms.date: {date}\n---\n# {phase}\n",
                                                encoding="utf-8")
    return root


def test_cli_html_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = playbook(tmp_path)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "report.html"
    assert main(["check", "pb", "--format", "html", "-o", str(out)]) == 1
    html = out.read_text(encoding="utf-8")
    parsed = outline(html)
    assert parsed.tags.count("svg") == 1
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert svg.index("Plan Phase") < svg.index("Build Phase") < svg.index("Ship Phase")
    freshness = html[html.index('id="freshness"'):html.index('id="findings"')]
    assert "pb/phase-plan.md" in freshness and "1/15/2019" in freshness
    assert "13/45/2020" not in freshness  # not a date: counted as without a valid date
    assert "(1 without a valid date)" in freshness
    assert parsed.classes["finding"] == html.count('class="finding"') >= 2
    # the second run reuses the cache and still has the docset (lifecycle and freshness)
    assert main(["check", "pb", "--format", "html", "-o", str(out)]) == 1
    assert "<svg" in out.read_text(encoding="utf-8")
    assert root.is_dir()


def test_no_lifecycle_no_svg(tmp_path: Path):
    (tmp_path / "a.md").write_text("---\ntitle: A\n---\n# A\n", encoding="utf-8")
    assert "<svg" not in FORMATS["html"](RunResult([DocsetResult(tmp_path, Config(), [], 1)]), cwd=tmp_path)


def test_parse_ms_date():
    assert parse_ms_date("9/3/2024") == dt.date(2024, 9, 3)
    assert parse_ms_date("2024-09-03") == dt.date(2024, 9, 3)
    assert parse_ms_date(dt.date(2024, 9, 3)) == dt.date(2024, 9, 3)
    assert parse_ms_date("9/31/2019") is None
    assert parse_ms_date(None) is None


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
def test_headless_chromium_renders_and_runs_the_filter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    assert CHROMIUM is not None
    playbook(tmp_path)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "report.html"
    assert main(["check", "pb", "--format", "html", "-o", str(out)]) == 1
    common = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1200,900"]
    shot = tmp_path / "report.png"
    subprocess.run([*common, f"--screenshot={shot}", out.as_uri()], capture_output=True, timeout=120, check=False)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dom = subprocess.run([*common, "--dump-dom", out.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert 'id="filters"' in dom and 'id="filters" hidden' not in dom  # the script ran: filters shown
    assert " shown</span>" in dom
    assert "&lt;script&gt;" in dom  # the comment's <script> is still text

"""``check --watch``: a real process watching a small docset reruns on a change, leaves its own
writes (cache, report file, --fix) alone, and ends with exit code 130 on Ctrl-C."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import write_tree
from playbooklint.cli import main

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT to the watching process")



def front(title: str) -> str:
    return (f"---\ntitle: {title}\ndescription: D\nauthor: ab\nms.author: ab\nms.date: 2/18/2019\n"
            "ms.topic: playbook\n---\n")


SUMMARY = re.compile(r"^(Found .* in \d+ files? |No problems found in )")
LIMIT = 30.0  # seconds any one expected output may take on a slow, busy machine


def docset(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "docs", {
        "docfx.json": '{"build": {"content": [{"files": ["**/*.md", "**/toc.yml"]}]}}',
        "index.md": front("Home") + "# Home\n\n[Assess](assess.md)\n",
        "assess.md": front("Assess") + "# Assess\n\n[Home](index.md#home)\n",
        "toc.yml": "- name: Home\n  href: index.md\n- name: Assess\n  href: assess.md\n",
    })
    (root / ".git").mkdir()  # the repository: what --watch watches
    return root


class Watcher:
    """``playbooklint check --watch`` in a subprocess, its output read as it comes."""

    def __init__(self, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if k != "PLAYBOOKLINT_NO_CACHE"}  # the cache on
        self.process = subprocess.Popen(
            [sys.executable, "-m", "playbooklint", "check", "--watch", "--format", "concise", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.lines: queue.Queue[tuple[str, str]] = queue.Queue()
        self.seen: list[tuple[str, str]] = []
        for name in ("stdout", "stderr"):
            threading.Thread(target=self._read, args=(name,), daemon=True).start()

    def _read(self, name: str) -> None:
        for line in getattr(self.process, name):
            self.lines.put((name, line.rstrip("\n")))

    def wait_for(self, pattern: str, stream: str = "stdout") -> str:
        """The next line of ``stream`` matching ``pattern`` (fails after LIMIT seconds)."""
        deadline = time.monotonic() + LIMIT
        while time.monotonic() < deadline:
            try:
                name, line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            self.seen.append((name, line))
            if name == stream and re.search(pattern, line):
                return line
        raise AssertionError(f"no {stream} line matching {pattern!r} in {LIMIT} s; seen: {self.seen}")

    def settle(self, seconds: float = 1.5) -> list[tuple[str, str]]:
        """Whatever comes within ``seconds`` (more than the watcher's debounce of a quiet step)."""
        end = time.monotonic() + seconds
        more = []
        while time.monotonic() < end:
            try:
                more.append(self.lines.get(timeout=0.05))
            except queue.Empty:
                pass
        self.seen += more
        return more

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=LIMIT)
        finally:
            if self.process.poll() is None:
                self.process.kill()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def watching():
    started: list[Watcher] = []

    def start(*args: str) -> Watcher:
        started.append(Watcher(*args))
        return started[-1]

    yield start
    for watcher in started:
        watcher.close()


def reports(lines: list[tuple[str, str]]) -> int:
    return sum(1 for name, line in lines if name == "stdout" and SUMMARY.search(line))


def test_a_change_reruns_the_check_and_ctrl_c_ends_it(tmp_path: Path, watching):
    root = docset(tmp_path)
    watcher = watching(str(root))
    assert watcher.wait_for(SUMMARY.pattern).startswith("No problems found in 3 files")
    watcher.wait_for("Watching .* for changes", "stderr")
    assert (root / ".playbooklint_cache").is_dir()  # written by the run, and no reason to run again
    page = root / "assess.md"
    page.write_text(page.read_text() + "\nSee [the plan](plan.md).\n")
    broken = watcher.wait_for(r"\[link-broken\]")
    assert "assess.md:" in broken
    assert watcher.wait_for(SUMMARY.pattern).startswith("Found 1 error")
    watcher.settle()
    assert watcher.interrupt() == 130
    watcher.settle(0.2)
    assert reports(watcher.seen) == 2, watcher.seen  # the cache it writes never starts another run
    assert not [line for _name, line in watcher.seen if "Traceback" in line]


def test_fix_fixes_on_each_change_without_rerunning_for_its_own_writes(tmp_path: Path, watching):
    root = docset(tmp_path)
    watcher = watching(str(root), "--fix")
    watcher.wait_for(SUMMARY.pattern)
    page = root / "index.md"
    page.write_text(front("Home") + "# Home\n\n[Assess](Assess.md)\n")  # a case mismatch: fixed safely
    watcher.wait_for(r"^Fixed 1 problem in 1 file; 0 remain\.")
    assert page.read_text() == front("Home") + "# Home\n\n[Assess](assess.md)\n"
    assert reports(watcher.settle()) == 0, "the file --fix wrote holds what it wrote: no run for that"
    assert watcher.interrupt() == 130


def test_the_report_file_is_rewritten_and_never_starts_a_run(tmp_path: Path, watching):
    root = docset(tmp_path)
    report = root / "report.txt"  # inside the watched repository
    watcher = watching(str(root), "-o", str(report))
    watcher.wait_for("Watching .* for changes", "stderr")
    assert report.read_text().startswith("No problems found")
    (root / "assess.md").write_text(front("Assess") + "# Assess\n\n[Home](index.md#nowhere)\n")
    watcher.wait_for("checking again", "stderr")
    watcher.wait_for("Watching .* for changes", "stderr")
    assert "[link-anchor-missing]" in report.read_text()
    more = watcher.settle()
    assert not [line for _name, line in more if "checking again" in line], more
    assert watcher.interrupt() == 130


def test_watch_usage_errors(tmp_path: Path, capsys):
    root = docset(tmp_path)
    assert main(["check", str(root), "--watch", "--diff"]) == 2
    assert "--watch goes with --fix" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "missing"), "--watch"]) == 2
    assert "path does not exist" in capsys.readouterr().err

"""Hostile files and hostile timing: FIFOs and devices in the docset, signals, numeric options out
of range, pages that could not be checked, and a run's total time budget.

Every test runs the command line in a subprocess bounded by a timeout of its own (a hang fails the
test instead of stalling the suite), and checks the exit code, the findings and that nothing in the
docset changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import write_tree
from playbooklint.pages import PARALLEL_MIN_FILES

posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and signals are POSIX")
linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="walks /proc for child processes")

HOME = "---\ntitle: Home\ndescription: The home page.\nms.date: 1/1/2024\n---\n# Home\n"


def environment(cache: bool = False) -> dict[str, str]:
    """The tests' environment, with the cache allowed when asked for (conftest turns it off)."""
    env = dict(os.environ)
    if cache:
        env.pop("PLAYBOOKLINT_NO_CACHE", None)
    return env


def cli(*args: str, cwd: Path, timeout: float = 60, cache: bool = False) -> subprocess.CompletedProcess[str]:
    """``playbooklint ARGS`` in a subprocess (as the console script runs it), killed after
    ``timeout`` seconds: a hang fails the test."""
    return subprocess.run([sys.executable, "-m", "playbooklint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=environment(cache))


def snapshot(root: Path) -> dict[str, tuple[object, ...]]:
    """Every entry under ``root`` by lstat (FIFOs and devices are never opened): kind, size, mtime,
    and a digest of each regular file's bytes."""
    found: dict[str, tuple[object, ...]] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            info = path.lstat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if stat.S_ISREG(info.st_mode) else None
            found[str(path.relative_to(root))] = (stat.S_IFMT(info.st_mode), info.st_size, info.st_mtime_ns, digest)
    return found


def findings(output: str) -> set[tuple[str, str]]:
    """(path, rule) of each finding of a JSON report."""
    return {(d["path"], d["rule"]) for d in json.loads(output)["diagnostics"]}


# ---------------------------------------------------------------------- 1, 2: FIFOs, sockets, devices


def special_docset(tmp_path: Path) -> tuple[Path, list[str]]:
    """A docset whose pages, include, TOC, snippet, zone pivot file and redirection file include a
    FIFO (with nobody writing to it), a socket and, as root, a character device (``/dev/zero``'s),
    some reached through symbolic links inside the docset. Returns the root and the special pages."""
    root = write_tree(tmp_path / "docs", {
        "index.md": HOME + "\n[fifo](fifo.md) [through a link](via-link.md) [sock](sock.md) [zero](zero.md)\n"
                    "[!INCLUDE [inc](includes/inc.md)]\n\n:::code language=\"cs\" source=\"code.cs\" id=\"x\":::\n",
        "pivots.md": "---\ntitle: P\ndescription: P.\nms.date: 1/1/2024\nzone_pivot_groups: langs\n---\n# P\n\n"
                     "::: zone pivot=\"cs\"\nx\n::: zone-end\n",
        "docfx.json": '{"build": {"content": [{"files": ["**/*.md", "**/toc.yml"]}]}}',
        **{f"more/m{n}.md": f"# M{n}\n" for n in range(PARALLEL_MIN_FILES)},  # enough for parse workers
    })
    os.mkfifo(root / "fifo.md")
    os.symlink("fifo.md", root / "via-link.md")
    (root / "includes").mkdir()
    os.mkfifo(root / "includes" / "inc.md")
    os.mkfifo(root / "toc.yml")
    os.mkfifo(root / "code.cs")
    os.mkfifo(root / "zone-pivot-groups.yml")
    os.mkfifo(root / ".openpublishing.redirection.json")
    special = ["fifo.md", "via-link.md", "includes/inc.md", "toc.yml"]
    with socket.socket(socket.AF_UNIX) as sock:
        try:
            sock.bind(str(root / "sock.md"))
            special.append("sock.md")
        except OSError:  # a path too long for a socket address
            pass
    try:
        os.mknod(root / "zero.md", stat.S_IFCHR | 0o644, os.makedev(1, 5))  # /dev/zero's numbers
        special.append("zero.md")
    except (OSError, AttributeError):  # not root
        pass
    return root, special


@posix_only
@pytest.mark.parametrize("cache", [False, True], ids=["no-cache", "cache"])
def test_fifos_sockets_and_devices_are_findings_and_never_opened(tmp_path: Path, cache: bool):
    root, special = special_docset(tmp_path)
    before = snapshot(root)
    cache_args = ["--cache-dir", str(tmp_path / "cache")] if cache else ["--no-cache"]
    for jobs in ("1", "2"):  # in this process, and in parse workers
        done = cli("check", str(root), "--format", "json", "-j", jobs, *cache_args, cwd=tmp_path, timeout=30, cache=cache)
        assert done.returncode == 1, done.stderr
        report = json.loads(done.stdout)
        unreadable = {d["path"]: d["message"] for d in report["diagnostics"] if d["rule"] == "file-unreadable"}
        assert set(special) <= set(unreadable), unreadable
        assert "a named pipe (FIFO), not a regular file" in unreadable["fifo.md"]
        assert "a named pipe (FIFO)" in unreadable["via-link.md"]
        if "zero.md" in special:
            assert "a character device, not a regular file" in unreadable["zero.md"]
        invalid = [d for d in report["diagnostics"] if d["rule"] == "config-file-invalid"]
        assert any("redirection" in d["path"] and "not a regular file" in d["message"] for d in invalid), invalid
        assert "Traceback" not in done.stderr
    assert snapshot(root) == before


@posix_only
def test_a_fifo_in_place_of_a_schema_or_cache_file_is_never_opened(tmp_path: Path):
    root = write_tree(tmp_path / "docs", {"index.md": HOME, ".playbooklint.toml": 'schema = "page.schema.json"\n'})
    os.mkfifo(root / "page.schema.json")
    before = snapshot(root)
    done = cli("check", str(root), "--no-cache", cwd=tmp_path, timeout=30)
    assert snapshot(root) == before
    assert done.returncode == 2
    assert "cannot read schema" in done.stderr and "a named pipe (FIFO), not a regular file" in done.stderr
    (root / ".playbooklint.toml").unlink()
    (root / "page.schema.json").unlink()
    before = snapshot(root)
    cache = tmp_path / "cache"
    first = cli("check", str(root), "--cache-dir", str(cache), cwd=tmp_path, timeout=30, cache=True)
    assert first.returncode == 0, first.stdout + first.stderr
    written = sorted(cache.glob("*.bin"))
    assert written
    for path in written:  # every cache file replaced by a FIFO, or by a link to /dev/zero
        path.unlink()
        if path.name.startswith("results"):
            os.symlink("/dev/zero", path)
        else:
            os.mkfifo(path)
    again = cli("check", str(root), "--cache-dir", str(cache), cwd=tmp_path, timeout=30, cache=True)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout == first.stdout
    assert snapshot(root) == before


@posix_only
def test_a_fifo_in_place_of_docfx_json_is_a_config_finding(tmp_path: Path):
    root = write_tree(tmp_path / "docs", {"index.md": HOME})
    os.mkfifo(root / "docfx.json")
    before = snapshot(root)
    done = cli("check", str(root), "--no-cache", "--format", "json", cwd=tmp_path, timeout=30)
    assert done.returncode == 1
    assert [(d["path"], d["rule"], d["message"]) for d in json.loads(done.stdout)["diagnostics"]] == [
        ("docfx.json", "config-file-invalid", "cannot read docfx.json: a named pipe (FIFO), not a regular file; "
         "not read; its metadata is not applied")]
    assert snapshot(root) == before


# ---------------------------------------------------------------------- 13: numbers out of range


@pytest.mark.parametrize("option, value", [
    ("--file-timeout", "inf"), ("--file-timeout", "nan"), ("--file-timeout", "1e308"), ("--file-timeout", "-1"),
    ("--file-timeout", "3601"), ("--max-file-size", "-1"), ("--max-file-size", str(2**70)), ("--jobs", "100000"),
])
def test_numeric_options_out_of_range_are_usage_errors(tmp_path: Path, option: str, value: str):
    root = write_tree(tmp_path / "docs", {"index.md": HOME})
    before = snapshot(tmp_path)
    done = cli("check", str(root), f"{option}={value}", cwd=tmp_path, timeout=30)
    assert done.returncode == 2
    assert f"Invalid value for '{option}'" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("setting, message", [
    ("file-timeout = inf", "file-timeout: must be a finite number, not inf"),
    ("file-timeout = nan", "file-timeout: must be a finite number, not nan"),
    ("file-timeout = -inf", "file-timeout: must be a finite number, not -inf"),
    ("file-timeout = 1e308", "file-timeout: 1e+308 is greater than the maximum of 3600"),
    ("max-file-size = 9223372036854775807", "max-file-size: 9223372036854775807 is greater than the maximum"),
    ("external-timeout = nan", "external-timeout: must be a finite number, not nan"),
    ("external-max-retry-wait = 1e300", "external-max-retry-wait: 1e+300 is greater than the maximum"),
    ("external-max-concurrency = 100000000", "external-max-concurrency: 100000000 is greater than the maximum"),
    ("[rules]\nlink-broken = {severity = 'error', x = nan}", "rules.link-broken.x: must be a finite number"),
])
def test_config_numbers_out_of_range_are_config_errors(tmp_path: Path, setting: str, message: str):
    root = write_tree(tmp_path / "docs", {"index.md": HOME, ".playbooklint.toml": setting + "\n"})
    before = snapshot(tmp_path)
    done = cli("check", str(root), cwd=tmp_path, timeout=30)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert snapshot(tmp_path) == before


def test_api_overrides_are_checked_like_the_config(tmp_path: Path):
    from playbooklint import ConfigError, lint

    root = write_tree(tmp_path / "docs", {"index.md": HOME})
    for bad in ({"file_timeout": float("nan")}, {"file_timeout": float("inf")}, {"max_file_size": -5}):
        with pytest.raises(ConfigError, match="file-timeout|max-file-size"):
            lint([root], cache=False, overrides=bad)
    assert not lint([root], cache=False, overrides={"file_timeout": 2.5, "max_file_size": 10**6}).diagnostics


# ---------------------------------------------------------------------- 15: a page that could not be checked

SLOW = "# Slow\n\n[broken](missing.md)\n\n" + "[" * 100_000 + "\n"
"""About 4 s of parsing here: over a half-second budget."""


@pytest.mark.parametrize("limit", ["--file-timeout=0.5", "--max-file-size=50000"])
def test_a_page_that_could_not_be_checked_fails_the_run(tmp_path: Path, limit: str):
    root = write_tree(tmp_path / "docs", {"index.md": HOME + "\n[slow](slow.md)\n", "slow.md": SLOW,
                                          ".playbooklint.toml": "[rules]\nfront-matter-missing = 'off'\n"})
    before = snapshot(tmp_path)
    done = cli("check", str(root), limit, "--format", "json", cwd=tmp_path, timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert [(d["path"], d["rule"], d["severity"]) for d in report["diagnostics"]] == [
        ("slow.md", "file-too-large", "error")]
    (root / ".playbooklint.toml").write_text("[rules]\nfront-matter-missing = 'off'\nfile-too-large = 'warning'\n")
    chosen = cli("check", str(root), limit, "--format", "json", cwd=tmp_path, timeout=60)
    assert chosen.returncode == 0, chosen.stdout + chosen.stderr  # passing it is a deliberate, visible choice
    assert [d["severity"] for d in json.loads(chosen.stdout)["diagnostics"]] == ["warning"]
    assert {k: v for k, v in snapshot(tmp_path).items() if k != "docs/.playbooklint.toml"} == \
        {k: v for k, v in before.items() if k != "docs/.playbooklint.toml"}


# ---------------------------------------------------------------------- 11, 12: signals


def slow_docset(tmp_path: Path, pages: int = 80) -> Path:
    """Enough pages to parse in worker processes, each one taking its whole time budget."""
    pages = max(pages, PARALLEL_MIN_FILES + 1)
    files: dict[str, str | bytes] = {f"p{n}.md": SLOW for n in range(pages)}
    files["index.md"] = HOME + "".join(f"[p{n}](p{n}.md)\n" for n in range(pages))
    return write_tree(tmp_path / "big", files)


def process_state(pid: int) -> str | None:
    """The state letter of a process (``Z`` for a zombie), None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()[0]


def children_of(pid: int) -> set[int]:
    """Live processes whose parent is ``pid``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                text = (entry / "stat").read_text()
            except OSError:
                continue
            fields = text[text.rindex(")") + 2:].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry.name))
    return found


def alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if process_state(pid) not in (None, "Z")}


def start_run(tmp_path: Path, **popen: object) -> tuple[subprocess.Popen[bytes], set[int]]:
    """A run over a docset big enough for worker processes, once its workers are parsing."""
    root = slow_docset(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "playbooklint", "check", str(root), "--no-cache", "-j", "2",
                             "--file-timeout", "3", "--no-progress"], cwd=tmp_path, env=environment(),
                            **popen)  # type: ignore[call-overload]
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
        workers |= children_of(proc.pid)
        time.sleep(0.05)
    if len(workers) < 2:
        proc.kill()
        proc.wait()
        kill_left(workers)
    assert len(workers) == 2, "the run never started its two workers"
    time.sleep(0.5)  # both are parsing now
    return proc, workers


def wait_gone(pids: set[int], seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive(pids)


def kill_left(pids: set[int]) -> None:
    """A failing test leaves no process behind: end the workers it saw that still run."""
    for pid in alive(pids):
        try:
            if b"playbooklint" in Path(f"/proc/{pid}/cmdline").read_bytes():
                os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


@linux_only
@pytest.mark.parametrize("group, signals, code", [
    (False, (signal.SIGINT,), 130),  # timeout -s INT
    (False, (signal.SIGTERM,), 143),
    (False, (signal.SIGINT, signal.SIGINT), 130),  # two at once
    (False, (signal.SIGINT, 0.15, signal.SIGINT), 130),
    (False, (signal.SIGTERM, 0.1, signal.SIGTERM), 143),
    (True, (signal.SIGINT,), 130),  # Ctrl-C in a terminal: the whole process group
    (True, (signal.SIGINT, 0.05, signal.SIGINT), 130),
    (True, (signal.SIGINT, 0.6, signal.SIGINT), 130),
], ids=["int", "term", "int-int", "int-150ms-int", "term-100ms-term", "group-int", "group-int-50ms-int",
        "group-int-600ms-int"])
def test_signals_end_the_run_and_its_workers_promptly(tmp_path: Path, group: bool, signals: tuple[float, ...],
                                                      code: int):
    """``group``: the signal goes to the whole process group, as Ctrl-C in a terminal sends it."""
    proc, workers = start_run(tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    before = snapshot(tmp_path / "big")
    try:
        started = time.monotonic()
        for item in signals:
            if isinstance(item, float):
                time.sleep(item)
            elif group:
                os.killpg(proc.pid, int(item))
            else:
                os.kill(proc.pid, int(item))
        out, err = proc.communicate(timeout=15)
        took = time.monotonic() - started
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        left = wait_gone(workers, 5)
        kill_left(workers)
    assert proc.returncode == code, err
    assert took < 5, f"took {took:.1f} s to exit"
    assert not left, "a worker outlived the run"
    assert b"Traceback" not in err and out == b""
    assert snapshot(tmp_path / "big") == before


@posix_only
@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["int", "term"])
def test_signals_end_a_run_without_workers_promptly(tmp_path: Path, signum: int, code: int):
    root = write_tree(tmp_path / "docs", {f"p{n}.md": SLOW for n in range(5)})
    proc = subprocess.Popen([sys.executable, "-m", "playbooklint", "check", str(root), "--no-cache", "-j", "1",
                             "--file-timeout", "3"], cwd=tmp_path, env=environment(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        time.sleep(1.5)  # parsing the first page, in this process
        os.kill(proc.pid, signum)
        started = time.monotonic()
        out, err = proc.communicate(timeout=15)
        took = time.monotonic() - started
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert (proc.returncode, out, b"Traceback" in err) == (code, b"", False), err
    assert took < 3, f"took {took:.1f} s to exit"


@linux_only
def test_workers_die_with_a_killed_main_process_and_release_its_output(tmp_path: Path):
    """SIGKILL runs no clean-up: the workers must end by themselves, and not keep the pipe to a
    ``| cat`` downstream open."""
    reader = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    assert reader.stdin is not None
    workers: set[int] = set()
    try:
        proc, workers = start_run(tmp_path, stdout=reader.stdin, stderr=reader.stdin)
        before = snapshot(tmp_path / "big")
        reader.stdin.close()  # only the run (and whatever it started) holds the pipe now
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        assert not wait_gone(workers, 5), "a worker outlived its killed parent"
        assert reader.wait(timeout=5) == 0  # cat saw the end of its input: nobody holds the pipe any more
        assert snapshot(tmp_path / "big") == before
    finally:
        kill_left(workers)
        if reader.poll() is None:
            reader.kill()
            reader.wait()


# ---------------------------------------------------------------------- 16: the run's time budget


@pytest.mark.parametrize("pages, jobs", [(20, "1"), (70, "2")], ids=["in-process", "workers"])
def test_the_run_stops_parsing_when_its_time_budget_runs_out(tmp_path: Path, pages: int, jobs: str):
    """Each page takes its whole one-second budget: without a run budget, pages x 1 s (or that over
    the workers). With ``--run-timeout 3`` the run ends soon after 3 s and reports every page."""
    root = write_tree(tmp_path / "docs", {f"p{n}.md": SLOW for n in range(pages)})
    before = snapshot(tmp_path)
    started = time.monotonic()
    done = cli("check", str(root), "--file-timeout=1", "--run-timeout=3", "-j", jobs, "--format", "json",
               cwd=tmp_path, timeout=60)
    took = time.monotonic() - started
    assert done.returncode == 1, done.stderr
    assert took < 12, f"took {took:.1f} s"
    rules: dict[str, str] = {}
    for d in json.loads(done.stdout)["diagnostics"]:
        if d["rule"] != "orphan-page":
            rules[d["path"]] = d["rule"]
            assert d["severity"] == "error"
    assert len(rules) == pages  # every page reported: not checked, one way or the other
    assert set(rules.values()) == {"file-too-large", "run-budget-exceeded"}
    unchecked = sum(1 for rule in rules.values() if rule == "run-budget-exceeded")
    assert unchecked >= pages - 3 * int(jobs) - 1
    assert (f"playbooklint: the run's 3-second time budget ran out: {unchecked} files not checked"
            in done.stderr)
    assert snapshot(tmp_path) == before


def test_files_the_budget_left_unchecked_are_not_cached(tmp_path: Path):
    root = write_tree(tmp_path / "docs", {"index.md": HOME + "[gone](gone.md)\n"})
    cache = ["--cache-dir", str(tmp_path / "cache"), "--format", "json"]
    late = cli("check", str(root), "--run-timeout=0.000001", *cache, cwd=tmp_path, cache=True)
    assert late.returncode == 1
    assert findings(late.stdout) == {("index.md", "run-budget-exceeded")}
    again = cli("check", str(root), *cache, cwd=tmp_path, cache=True)
    assert findings(again.stdout) == {("index.md", "link-broken")}
    late = cli("check", str(root), "--run-timeout=0.000001", *cache, cwd=tmp_path, cache=True)
    assert findings(late.stdout) == {("index.md", "link-broken")}  # cached facts need no parsing time


def test_the_default_run_budget_grows_with_the_files_to_parse():
    from playbooklint.config import Config
    from playbooklint.pages import RunBudget

    budget = RunBudget.of([Config()], start=0)
    assert budget.deadline(10) == (30.0, 30.0)  # 30 s at least
    assert budget.deadline(1990) == (100.0, 100.0)  # 50 ms a file: 2,000 files
    assert RunBudget.of([Config(file_timeout=60)], start=0).deadline(1) == (120.0, 120.0)  # twice file-timeout
    assert RunBudget.of([Config(file_timeout=0)], start=0).deadline(10**6) is None  # no file limit: no run limit
    assert RunBudget.of([Config(run_timeout=7)], start=0).deadline(10**6) == (7.0, 7.0)
    assert RunBudget.of([Config(run_timeout=0)], start=0).deadline(1) is None
    assert RunBudget.of([Config(run_timeout=0), Config(run_timeout=9)], start=0).deadline(1) == (9.0, 9.0)

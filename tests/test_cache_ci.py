"""The cache in CI: restored by a CI cache step on another machine (another home folder, another
checkout path, new file times) it is reused when the workflow provides the same secret
(``PLAYBOOKLINT_CACHE_KEY``), and refused when signed with anything else; and a cache that cannot
be used because of its key says so, once."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import playbooklint.engine as engine
import playbooklint.parse as parse_module
from conftest import write_tree
from playbooklint.cli import main

SECRET = "3f" * 32
OTHER_SECRET = "a1" * 32
GOOD = "---\ntitle: T\ndescription: D\nauthor: ab\nms.author: ab\nms.date: 2/18/2019\nms.topic: playbook\n---\n"
PAGES = {
    "docfx.json": '{"build": {"content": [{"files": ["**/*.md", "**/toc.yml"]}]}}',
    "index.md": GOOD + "# Home\n\n[Assess](phase-assess.md) [gone](gone.md)\n",
    "phase-assess.md": GOOD + "# Assess\n\n[Home](index.md#home) [nope](index.md#nope)\n",
    "sub/deep.md": GOOD + "# Deep\n\n[up](../index.md)\n",
    "toc.yml": "- name: Home\n  href: index.md\n- name: Assess\n  href: phase-assess.md\n"
               "- name: Deep\n  href: sub/deep.md\n",
}
SOURCES = 4  # the pages and the TOC


class Machine:
    """A CI runner: its own home and cache folders, and a checkout of the repository somewhere."""

    def __init__(self, base: Path, checkout: str) -> None:
        self.base = base
        self.home = base / "home"
        self.home.mkdir(parents=True)
        self.repo = base / checkout / "repo"
        self.ci_cache = base / "ci-cache"

    def enter(self, monkeypatch, secret: str | None) -> None:
        monkeypatch.setenv("HOME", str(self.home))
        monkeypatch.setenv("XDG_CACHE_HOME", str(self.home / ".cache"))
        monkeypatch.delenv("PLAYBOOKLINT_CACHE_KEY_DIR", raising=False)
        monkeypatch.delenv("PLAYBOOKLINT_NO_CACHE", raising=False)
        if secret is None:
            monkeypatch.delenv("PLAYBOOKLINT_CACHE_KEY", raising=False)
        else:
            monkeypatch.setenv("PLAYBOOKLINT_CACHE_KEY", secret)


def check(machine: Machine, capsys, *extra: str) -> tuple[int, list[tuple], str]:
    """The recipe's command: the cache in the CI-cached folder outside the checkout."""
    code = main(["check", str(machine.repo), "--cache-dir", str(machine.ci_cache), "--format", "json", *extra])
    captured = capsys.readouterr()
    found = [(d["path"], d["line"], d["column"], d["rule"], d["message"])
             for d in json.loads(captured.out)["diagnostics"]]
    return code, found, captured.err


@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """The files parsed in this process (runs of fewer than 64 files use no worker process)."""
    seen: list[str] = []
    original = parse_module.parse_text

    def spy(rel_path, text):
        seen.append(rel_path)
        return original(rel_path, text)

    monkeypatch.setattr(parse_module, "parse_text", spy)
    return seen


def first_run(tmp_path: Path, monkeypatch, capsys, parsed: list[str]) -> tuple[Machine, list[tuple]]:
    first = Machine(tmp_path / "runner-1", "work/checkout")
    write_tree(first.repo, PAGES)
    (first.repo / ".git").mkdir()
    first.enter(monkeypatch, SECRET)
    code, found, err = check(first, capsys)
    assert code == 1 and err == ""
    assert sorted(parsed) == sorted(["index.md", "phase-assess.md", "sub/deep.md", "toc.yml"])
    assert {f[3] for f in found} >= {"link-broken", "link-anchor-missing"}
    assert list(first.ci_cache.glob("pages-*.bin"))
    assert not (first.repo / ".playbooklint_cache").exists()
    parsed.clear()
    return first, found


def restore_on(tmp_path: Path, first: Machine) -> Machine:
    """What the workflow does on the next runner: a fresh checkout at another path (every file with
    a new modification time, as git gives them) and the CI cache step's copy of the cache folder."""
    second = Machine(tmp_path / "runner-2", "builds/another/place")
    shutil.copytree(first.repo, second.repo)
    later = time.time() + 3600
    for path in second.repo.rglob("*"):
        os.utime(path, (later, later))
    shutil.copytree(first.ci_cache, second.ci_cache)
    return second


def test_a_restored_cache_is_reused_on_another_machine_with_the_same_secret(tmp_path, monkeypatch, capsys, parsed):
    first, found = first_run(tmp_path, monkeypatch, capsys, parsed)
    second = restore_on(tmp_path, first)
    second.enter(monkeypatch, SECRET)
    rules_ran: list[object] = []
    original = engine.run_rules
    monkeypatch.setattr(engine, "run_rules", lambda *args: rules_ran.append(args) or original(*args))
    code, again, err = check(second, capsys)
    assert (code, again, err) == (1, found, "")
    assert parsed == [], "nothing is parsed again: every page came from the restored cache"
    assert rules_ran == [], "the last run's findings are reused: its key names no path of the first runner"
    assert not (second.home / ".cache" / "playbooklint").exists(), "the secret needs no key file"
    # an edited page is parsed, and only that one
    page = second.repo / "sub" / "deep.md"
    page.write_text(page.read_text() + "[new](missing.md)\n")
    code, edited, _err = check(second, capsys)
    assert parsed == ["sub/deep.md"]
    assert ("sub/deep.md", "link-broken") in {(f[0], f[3]) for f in edited}


@pytest.mark.parametrize("secret", [OTHER_SECRET, None, "", "$(PLAYBOOKLINT_CACHE_KEY)"],
                         ids=["another-secret", "no-secret", "empty-secret-of-a-fork", "azure-macro-of-a-fork"])
def test_a_cache_signed_with_another_key_is_refused(tmp_path, monkeypatch, capsys, parsed, secret):
    """Another repository's secret, or a fork's pull request that gets none (GitHub gives an empty
    value, Azure the unexpanded macro): the restored files do not verify, every page is parsed
    again, the findings are the same, and nothing is said (a fork's run is expected to be cold)."""
    first, found = first_run(tmp_path, monkeypatch, capsys, parsed)
    second = restore_on(tmp_path, first)
    second.enter(monkeypatch, secret)
    code, again, err = check(second, capsys)
    assert (code, again, err) == (1, found, "")
    assert len(parsed) == SOURCES


def test_a_pickle_signed_with_a_key_the_pull_request_chose_is_never_loaded(tmp_path, monkeypatch, capsys, parsed):
    """A pull request can write the cache folder it restores (its own cache scope) and commit a
    .playbooklint_cache/: it does not know the secret, so nothing it writes is unpickled."""
    first, found = first_run(tmp_path, monkeypatch, capsys, parsed)
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    payload = pickle.dumps({"index.md": (b"x", Evil())})
    for guess in (OTHER_SECRET, "", "$(PLAYBOOKLINT_CACHE_KEY)"):
        key = hashlib.sha256(b"playbooklint cache key\0" + guess.encode()).digest()
        forged = b"PBLC1\n" + hmac.new(key, payload, hashlib.sha256).digest() + payload
        for cache_file in first.ci_cache.glob("*.bin"):
            cache_file.write_bytes(forged)
        write_tree(first.repo, {f".playbooklint_cache/{f.name}": forged for f in first.ci_cache.glob("*.bin")})
        code, again, _err = check(first, capsys)
        assert (code, again) == (1, found)
        assert not marker.exists()


def test_a_short_secret_turns_the_cache_off_with_one_warning(tmp_path, monkeypatch, capsys, parsed):
    machine = Machine(tmp_path, "work")
    write_tree(machine.repo, PAGES)
    machine.enter(monkeypatch, "too-short")
    code, _found, err = check(machine, capsys)
    assert code == 1
    assert err.splitlines() == ["playbooklint: cache off: PLAYBOOKLINT_CACHE_KEY is shorter than 32 characters; "
                                "set it to a long random secret (such as the output of 'openssl rand -hex 32')"]
    assert not machine.ci_cache.exists()


# -- a key that cannot be had: one warning line, never silence (and none with --no-cache) --------


def key_folder_run(tmp_path: Path, monkeypatch, capsys, key_dir: Path, *extra: str) -> tuple[int, str, Path]:
    root = write_tree(tmp_path / "docs", PAGES)
    monkeypatch.delenv("PLAYBOOKLINT_NO_CACHE", raising=False)
    monkeypatch.delenv("PLAYBOOKLINT_CACHE_KEY", raising=False)
    monkeypatch.setenv("PLAYBOOKLINT_CACHE_KEY_DIR", str(key_dir))
    code = main(["check", str(root), "--format", "concise", *extra])
    return code, capsys.readouterr().err, root


def test_an_unwritable_key_folder_is_one_warning_line(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    code, err, root = key_folder_run(tmp_path, monkeypatch, capsys, blocker / "playbooklint")
    assert code == 1
    assert err.splitlines() == [
        f"playbooklint: cache off: cannot create the cache key {blocker / 'playbooklint' / 'cache-key'} "
        "(Not a directory); make that folder writable, set PLAYBOOKLINT_CACHE_KEY_DIR to a writable folder "
        "outside the repository, or set PLAYBOOKLINT_CACHE_KEY; --no-cache turns the cache off without this warning"
    ]
    assert not (root / ".playbooklint_cache").exists()


def test_no_warning_when_the_cache_is_off_on_purpose(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    code, err, _root = key_folder_run(tmp_path, monkeypatch, capsys, blocker / "playbooklint", "--no-cache")
    assert (code, err) == (1, "")
    monkeypatch.setenv("PLAYBOOKLINT_NO_CACHE", "1")
    assert main(["check", str(tmp_path / "docs"), "--format", "concise"]) == 1
    assert capsys.readouterr().err == ""


def test_a_key_file_that_is_a_folder_is_one_warning_line(tmp_path, monkeypatch, capsys):
    key_dir = tmp_path / "keys"
    (key_dir / "cache-key").mkdir(parents=True)
    code, err, _root = key_folder_run(tmp_path, monkeypatch, capsys, key_dir, "--fix")
    assert code == 1
    assert err.splitlines() == [
        f"playbooklint: cache off: cannot read the cache key {key_dir / 'cache-key'} (not a regular file); make "
        "that folder writable, set PLAYBOOKLINT_CACHE_KEY_DIR to a writable folder outside the repository, or set "
        "PLAYBOOKLINT_CACHE_KEY; --no-cache turns the cache off without this warning"
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_key_file_that_is_a_fifo_neither_hangs_nor_is_silent(tmp_path):
    root = write_tree(tmp_path / "docs", PAGES)
    key_dir = tmp_path / "keys"
    key_dir.mkdir()
    os.mkfifo(key_dir / "cache-key")
    env = {k: v for k, v in os.environ.items() if k not in ("PLAYBOOKLINT_NO_CACHE", "PLAYBOOKLINT_CACHE_KEY")}
    env["PLAYBOOKLINT_CACHE_KEY_DIR"] = str(key_dir)
    done = subprocess.run([sys.executable, "-m", "playbooklint", "check", str(root), "--format", "concise"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 1
    assert done.stderr.count("playbooklint: cache off: cannot read the cache key") == 1
    assert "(not a regular file)" in done.stderr


def test_a_damaged_key_file_is_replaced(tmp_path, monkeypatch, capsys):
    key_dir = tmp_path / "keys"
    key_dir.mkdir()
    (key_dir / "cache-key").write_bytes(b"truncated")
    code, err, root = key_folder_run(tmp_path, monkeypatch, capsys, key_dir)
    assert (code, err) == (1, "")
    assert len((key_dir / "cache-key").read_bytes()) == 32
    assert list((root / ".playbooklint_cache").glob("pages-*.bin"))


def test_a_damaged_key_file_that_cannot_be_replaced_is_one_warning_line(tmp_path, monkeypatch, capsys):
    import playbooklint.cache as cache_module

    key_dir = tmp_path / "keys"
    key_dir.mkdir()
    (key_dir / "cache-key").write_bytes(b"x" * 40)

    def refuse(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cache_module, "write_atomic", refuse)
    code, err, root = key_folder_run(tmp_path, monkeypatch, capsys, key_dir)
    assert code == 1
    assert len(err.splitlines()) == 1
    assert err.startswith(f"playbooklint: cache off: cannot replace the damaged cache key {key_dir / 'cache-key'} "
                          "(Permission denied); make that folder writable")
    assert not (root / ".playbooklint_cache").exists()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes read-only folders")
def test_a_read_only_key_folder_is_one_warning_line(tmp_path, monkeypatch, capsys):
    key_dir = tmp_path / "keys"
    key_dir.mkdir()
    key_dir.chmod(0o500)
    try:
        code, err, _root = key_folder_run(tmp_path, monkeypatch, capsys, key_dir)
    finally:
        key_dir.chmod(0o700)
    assert code == 1
    assert err.startswith("playbooklint: cache off: cannot create the cache key") and len(err.splitlines()) == 1


def test_a_key_folder_inside_the_repository_is_refused(tmp_path, monkeypatch, capsys):
    """A key the pull request could commit would let it sign a cache: never used, and said so."""
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    key = b"k" * 32
    payload = pickle.dumps({"index.md": (b"x", Evil())})
    forged = b"PBLC1\n" + hmac.new(key, payload, hashlib.sha256).digest() + payload
    code, _err, root = key_folder_run(tmp_path, monkeypatch, capsys, tmp_path / "keys")  # the cache files
    cache_files = list((root / ".playbooklint_cache").glob("*.bin"))
    assert cache_files
    for cache_file in cache_files:
        cache_file.write_bytes(forged)
    write_tree(root, {".key/cache-key": key})
    code, err, _root = key_folder_run(tmp_path, monkeypatch, capsys, root / ".key")
    assert code == 1
    assert not marker.exists()
    assert err.splitlines() == [
        f"playbooklint: cache off: the cache key {root / '.key' / 'cache-key'} is inside {root}, where the files "
        "checked or cached could replace it; set PLAYBOOKLINT_CACHE_KEY_DIR to a folder outside it, or set "
        "PLAYBOOKLINT_CACHE_KEY"
    ]


def test_a_key_folder_inside_the_cache_folder_is_refused(tmp_path, monkeypatch, capsys):
    """Whoever restores the cache folder would bring the key with it."""
    cache = tmp_path / "ci-cache"
    code, err, _root = key_folder_run(tmp_path, monkeypatch, capsys, cache / "key", "--cache-dir", str(cache))
    assert code == 1
    assert err.startswith(f"playbooklint: cache off: the cache key {cache / 'key' / 'cache-key'} is inside {cache},")
    assert not list(cache.glob("*.bin"))


# -- the documented recipes do what the tests above simulate ------------------------------------

RECIPES = Path(__file__).resolve().parents[1] / "docs" / "ci"


def _commands(recipe: str) -> list[tuple[str, dict]]:
    """(command, step) for every playbooklint command of a recipe."""
    import yaml

    data = yaml.safe_load((RECIPES / recipe).read_text(encoding="utf-8"))
    if recipe == "gitlab-ci.yml":
        job = data["playbooklint"]
        return [(line, job) for line in job["script"] if line.startswith("playbooklint ")]
    steps = data["jobs"]["playbooklint"]["steps"] if recipe == "github-actions.yml" else data["steps"]
    found = []
    for step in steps:
        command = step.get("run") or step.get("script") or ""
        if command.startswith("playbooklint "):
            found.append((command, step))
    return found


@pytest.mark.parametrize("recipe, cached", [
    ("github-actions.yml", '"${{ runner.temp }}/playbooklint-cache"'),
    ("gitlab-ci.yml", ".playbooklint_cache"),
    ("azure-pipelines.yml", '"$(playbooklintCache)"'),
])
def test_every_recipe_command_uses_the_ci_cached_folder_and_the_secret(recipe: str, cached: str):
    import yaml

    text = (RECIPES / recipe).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    commands = _commands(recipe)
    assert commands
    for command, step in commands:
        assert f"--cache-dir {cached}" in command, command
        if recipe != "gitlab-ci.yml":  # GitLab hands CI/CD variables to every job itself
            assert "PLAYBOOKLINT_CACHE_KEY" in step["env"], command
    if recipe == "github-actions.yml":
        (cache_step,) = [s for s in data["jobs"]["playbooklint"]["steps"] if s.get("uses", "").startswith("actions/cache")]
        assert f'"{cache_step["with"]["path"]}"' == cached
    elif recipe == "gitlab-ci.yml":
        assert data["playbooklint"]["cache"]["paths"] == [cached + "/"]
    else:
        (cache_step,) = [s for s in data["steps"] if s.get("task") == "Cache@2"]
        assert f'"{cache_step["inputs"]["path"]}"' == cached
        assert data["variables"]["playbooklintCache"].startswith("$(Pipeline.Workspace)/")  # outside the checkout

"""The real pre-commit, running this checkout's hooks on a small docset in a temporary git repo."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_tree

CHECKOUT = Path(__file__).resolve().parents[1]
GOOD = "---\ntitle: T\ndescription: D\nauthor: ab\nms.author: ab\nms.date: 2/18/2019\nms.topic: playbook\nft.audience: partner\nft.owner: ab\n---\n"

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not (CHECKOUT / ".git").exists()
    or subprocess.run([sys.executable, "-m", "pre_commit", "--version"], capture_output=True).returncode != 0,
    reason="needs git, a git checkout of playbooklint and pre-commit",
)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def try_repo(repo: Path, home: Path, hook: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(CHECKOUT), hook, *args],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=900)


def test_pre_commit_hooks(tmp_path: Path):
    repo = write_tree(tmp_path / "repo", {
        ".playbooklint.toml": "root = 'docs'\n",
        "README.md": "# Not part of the docset\n",
        "docs/index.md": GOOD + "# Home\n\n[Assess](phase-assess.md)\n",
        "docs/phase-assess.md": GOOD + "# Assess\n\n[Home](index.md#home) [Review](review.md)\n",
        "docs/review.md": GOOD + "# Review\n\n[Home](index.md)\n",
        "docs/toc.yml": "- name: Home\n  href: index.md\n- name: Assess\n  href: phase-assess.md\n"
                        "- name: Review\n  href: review.md\n",
    })
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    home = tmp_path / "pre-commit-home"

    clean = try_repo(repo, home, "playbooklint", "--all-files")
    assert clean.returncode == 0, clean.stdout + clean.stderr

    # a broken link in a changed file fails the commit, with the finding in the output
    (repo / "docs" / "index.md").write_text(GOOD + "# Home\n\n[Assess](phase-asess.md)\n")
    git(repo, "add", "-A")
    broken = try_repo(repo, home, "playbooklint", "--files", "docs/index.md")
    assert broken.returncode == 1
    assert "index.md:13:1: error page 'phase-asess.md' does not exist" in broken.stdout
    assert "[link-broken]" in broken.stdout

    # a deletion breaks links in files that were not passed: only the docset hook sees it
    (repo / "docs" / "index.md").write_text(GOOD + "# Home\n\n[Assess](phase-assess.md)\n")
    (repo / "docs" / "review.md").unlink()
    (repo / "docs" / "toc.yml").write_text("- name: Home\n  href: index.md\n- name: Assess\n  href: phase-assess.md\n")
    git(repo, "add", "-A")
    changed_only = try_repo(repo, home, "playbooklint", "--files", "docs/index.md", "docs/toc.yml")
    assert changed_only.returncode == 0, changed_only.stdout
    whole = try_repo(repo, home, "playbooklint-docset", "--files", "docs/index.md")
    assert whole.returncode == 1
    assert "phase-assess.md:13:23: error page 'review.md' does not exist" in whole.stdout


def test_file_named_like_an_option_is_a_path(tmp_path: Path):
    """pre-commit appends the file names to the hook's entry: a file named ``-oREADME.md`` must be
    read as a path (the entry ends option parsing with ``--``), never as ``-o README.md``."""
    readme = "# The repository's own README\n"
    repo = write_tree(tmp_path / "repo", {
        ".playbooklint.toml": "root = 'docs'\n",
        "README.md": readme,
        "-oREADME.md": "# A file named like an option\n",
        "--format=json.md": "# Another\n",
        "docs/index.md": GOOD + "# Home\n\n[Gone](gone.md)\n",
        "docs/toc.yml": "- name: Home\n  href: index.md\n",
    })
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    before = {p.name: p.read_bytes() for p in repo.iterdir() if p.is_file()}

    run = try_repo(repo, tmp_path / "pre-commit-home", "playbooklint", "--all-files")
    assert run.returncode == 1, run.stdout
    assert "index.md:13:1: error page 'gone.md' does not exist [link-broken]" in run.stdout  # the report, as text
    assert "Found 1 error and 0 warnings in 1 file" in run.stdout
    assert {p.name: p.read_bytes() for p in repo.iterdir() if p.is_file()} == before
    assert (repo / "README.md").read_text() == readme

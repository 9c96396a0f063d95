"""Docset.resolve: DocFX's link resolution, one rule at a time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import write_tree
from playbooklint.config import Config
from playbooklint.engine import build_docset


@pytest.fixture()
def docset(tmp_path: Path):
    root = write_tree(tmp_path / "root", {
        "index.md": "# Home\n",
        "guides/setup.md": "## Install\n",
        "guides/Service Map.png": "",
        "guides/index.md": "",
        "System.WebServer/httpErrors.md": "",
        "landing/index.yml": "title: x\n",
        "nested/toc.yml": "- name: x\n  href: a.md\n",
        "nested/a.md": "",
        ".openpublishing.redirection.json": '{"redirections": [{"source_path": "old.md", "redirect_url": "/new"}]}',
    })
    write_tree(tmp_path, {"samples/code.cs": ""})
    config = Config(url_base=("/docs/",), allow_outside=("../samples/**",))
    built = build_docset(root, config)
    return built


@pytest.mark.parametrize(("source", "target", "status", "path"), [
    ("guides/setup.md", "../index.md", "ok", "index.md"),
    ("guides/setup.md", "~/index.md", "ok", "index.md"),
    ("index.md", "guides/setup.md?tabs=cli#install", "ok", "guides/setup.md"),
    ("index.md", "guides/Service%20Map.png", "ok", "guides/Service Map.png"),
    ("index.md", "<guides/Service Map.png>", "ok", "guides/Service Map.png"),
    ("index.md", "guides\\setup.md", "ok", "guides/setup.md"),
    ("index.md", "guides/", "ok", "guides/index.md"),
    ("index.md", "landing", "ok", "landing/index.yml"),
    ("index.md", "/docs/guides/setup", "ok", "guides/setup.md"),
    ("index.md", "/docs/landing/", "ok", "landing/index.yml"),
    ("index.md", "system.webserver/HTTPERRORS.md", "case", "System.WebServer/httpErrors.md"),
    ("index.md", "old.md", "redirected", "old.md"),
    ("index.md", "guides/none.md", "missing", "guides/none.md"),
    ("index.md", "../../etc/passwd", "outside", "../../etc/passwd"),
    ("index.md", "%2e%2e/x.md", "outside", "../x.md"),
    ("index.md", "~/../x.md", "outside", "../x.md"),
    ("index.md", "C:\\Windows\\win.ini", "outside", "C:/Windows/win.ini"),
    ("index.md", "../samples/code.cs", "allowed", "../samples/code.cs"),
    ("index.md", "../samples/gone.cs", "missing", "../samples/gone.cs"),
])
def test_file_targets(docset, source, target, status, path):
    resolved = docset.resolve(source, target)
    assert (resolved.status, resolved.path) == (status, path)


@pytest.mark.parametrize("target", [
    "https://x.org/a.md", "http://x", "mailto:a@b.c", "ftp://x", "//cdn.example.com/a.png", "xref:System.String",
    "javascript:void(0)", "data:image/png;base64,AA", "/azure/other", "ms-settings:display",
])
def test_not_file_links(docset, target):
    assert docset.resolve("index.md", target).status == "external"


def test_fragments_and_empty(docset):
    assert docset.resolve("index.md", "#Top%20Part").fragment == "Top Part"
    assert docset.resolve("index.md", "#x").status == "self"
    assert docset.resolve("index.md", "").status == "empty"
    assert docset.resolve("index.md", "  ").status == "empty"
    assert (docset.resolve("index.md", "?tabs=cli").status, docset.resolve("index.md", "?tabs=cli").fragment) == ("self", None)
    assert docset.resolve("index.md", "?tabs=cli#x").fragment == "x"
    assert docset.resolve("index.md", "https://x.org/#frag").fragment is None


def test_absolute_learn_urls_resolve_as_the_site_path_they_name(docset):
    """An absolute Learn URL (any locale, docs.microsoft.com too) that a docset serves resolves like
    its site-relative path, marked absolute; one no docset serves stays unchecked (external)."""
    for target in ("https://learn.microsoft.com/docs/guides/setup",
                   "https://docs.microsoft.com/en-us/docs/guides/setup?tabs=cli#install",
                   "HTTP://Learn.Microsoft.com/de-de/docs/guides/SETUP"):
        resolved = docset.resolve("index.md", target)
        assert (resolved.status, resolved.path, resolved.absolute, resolved.url) == ("ok", "guides/setup.md", True, True)
    assert docset.resolve("index.md", "https://learn.microsoft.com/docs/guides/setup#install").fragment == "install"
    gone = docset.resolve("index.md", "https://learn.microsoft.com/en-us/docs/guides/none")
    assert (gone.status, gone.path, gone.absolute) == ("missing", "guides/none", True)
    for target in ("https://learn.microsoft.com/azure/other", "https://learn.microsoft.com/en-us/",
                   "https://learn.microsoft.com.example.org/docs/guides/setup", "https://example.org/docs/guides/setup"):
        assert docset.resolve("index.md", target).status == "external", target
    assert not docset.resolve("index.md", "/docs/guides/setup").absolute
    # TOC entries are not resolved through absolute URLs
    assert docset.resolve("toc.yml", "https://learn.microsoft.com/docs/guides/setup", toc=True).status == "external"


def test_toc_folder_hrefs_mean_the_folder_toc(docset):
    assert docset.resolve("toc.yml", "nested/", toc=True).path == "nested/toc.yml"


def test_each_folder_and_target_is_resolved_once(docset):
    first = docset.resolve("guides/setup.md", "../index.md")
    assert docset.resolve("guides/other.md", "../index.md") is first


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlinks_that_leave_the_root_are_escapes(tmp_path: Path):
    root = write_tree(tmp_path / "root", {"index.md": "", "real/a.md": ""})
    outside = write_tree(tmp_path / "outside", {"secret.md": ""})
    os.symlink(outside / "secret.md", root / "escape.md")
    os.symlink(outside, root / "escdir")
    os.symlink(root / "real", root / "alias")
    built = build_docset(root, Config())
    assert built.resolve("index.md", "escape.md").status == "outside"
    assert built.resolve("index.md", "escdir/secret.md").status == "outside"
    assert (built.resolve("index.md", "alias/a.md").status, built.resolve("index.md", "alias/a.md").path) == ("ok", "real/a.md")


def test_suggestions_break_ties_by_common_prefix(tmp_path: Path):
    root = write_tree(tmp_path, {"topic-011.md": "", "topic-112.md": "", "topic-000.md": "", "topic-002.md": "",
                                 "index.md": ""})
    built = build_docset(root, Config())
    assert built.suggest("index.md", "topic-011-v2.md") == "topic-011.md"
    assert built.suggest("index.md", "topic-000-v2.md") == "topic-000.md"
    assert built.suggest("index.md", "nothing-alike.md") is None


def test_no_other_phase_page_is_suggested_for_a_deleted_phase_page(tmp_path: Path):
    """phase-deploy.md was deleted: phase-design.md is another step of the lifecycle, not the page
    meant; a typo in a phase page's name still gets its suggestion."""
    root = write_tree(tmp_path, {"phase-design.md": "", "phase-remediate.md": "", "phase-scan.md": "",
                                 "topic-plan.md": "", "index.md": ""})
    built = build_docset(root, Config())
    assert built.suggest("index.md", "phase-deploy.md") is None
    assert built.suggest("index.md", "phase-desing.md") == "phase-design.md"
    assert built.suggest("index.md", "phase-remediat.md") == "phase-remediate.md"
    assert built.suggest("index.md", "phase-plan.md") is None
    assert built.suggest("index.md", "topic-scan.md") == "topic-plan.md"  # not phase pages: as before

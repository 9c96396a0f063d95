"""Hostile input: never a traceback, never a read outside the docset, bounded time on any file."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from conftest import write_tree
from playbooklint import yamlsafe
from playbooklint.cli import main
from playbooklint.engine import RunOptions, lint
from playbooklint.parse import parse_text
from playbooklint.source import parse_bytes

ESCAPES = {
    "index.md": (
        "# Home\n\n"
        "[a](../../../../etc/passwd) [b](~/../outside/secret.md) [c](%2e%2e/outside/secret.md)\n"
        "[d](/etc/passwd) [e](C:\\Windows\\win.ini) [f](..\\outside\\secret.md)\n"
        '<a href="../outside/secret.md">g</a> <img src="../outside/pic.png">\n'
        ':::image type="content" source="../outside/pic.png" alt-text="x":::\n'
        "[!INCLUDE [i](../outside/secret.md)]\n"
        "[!code-cs[c](../../outside/code.cs)]\n"
        "[link to escape](escape.md#x) [through dir](escdir/secret.md#y) [loop](loop-a.md)\n"
        "[inside](real/page.md#top)\n"
    ),
    "real/page.md": "# Page\n[back](../index.md)\n",
    "toc.yml": "- name: out\n  href: ../outside/secret.md\n- name: in\n  href: index.md\n",
}


def escaping_docset(tmp_path: Path) -> tuple[Path, Path]:
    root = write_tree(tmp_path / "root", ESCAPES)
    outside = write_tree(tmp_path / "outside", {"secret.md": "# Secret\n", "pic.png": "", "code.cs": ""})
    if hasattr(os, "symlink"):
        os.symlink(outside / "secret.md", root / "escape.md")
        os.symlink(outside, root / "escdir")
        os.symlink("/etc/passwd", root / "passwd.md")
        os.symlink(root / "loop-b.md", root / "loop-a.md")
        os.symlink(root / "loop-a.md", root / "loop-b.md")
        os.symlink(root / "nowhere.md", root / "dangling.md")
        os.symlink(root / "real", root / "inner-alias")
    return root, outside


TOOL_FILES = (str(Path(__file__).resolve().parents[1] / "schemas"),
              str(Path(__import__("playbooklint").__file__).resolve().parent))
CONFIG_FILES = {".playbooklint.toml", "pyproject.toml", "docfx.json", ".git", ".openpublishing.publish.config.json"}


class Watch:
    """Fails on any file opened, listed or stat'ed outside the allowed folders while active.

    Besides the allowed folders, only configuration discovery may look above the root: an lstat
    of the root's own ancestors (resolving the root's path) and a stat of config file names in
    them. The tool's own files (its package, the bundled schema) may be read.
    """

    active = False
    allowed: tuple[str, ...] = ()
    ancestors: frozenset[str] = frozenset()
    violations: list[str] = []
    installed = False

    @classmethod
    def check(cls, what: str, path: object) -> None:
        if not cls.active or not isinstance(path, (str, bytes, os.PathLike)):
            return
        raw = os.fsdecode(path)
        if not raw:
            return
        absolute = os.path.abspath(raw)
        if absolute.endswith((".py", ".pyc", ".so", ".pth")) or absolute.startswith(
                (sys.prefix, sys.base_prefix, sys.exec_prefix, "/proc", "/dev", "/sys", *TOOL_FILES)):
            return  # the interpreter's and the tool's own files, not docset content
        if any(absolute == a or absolute.startswith(a + os.sep) for a in cls.allowed):
            return
        if what == "lstat" and (absolute in cls.ancestors or any(t.startswith(absolute + os.sep) for t in TOOL_FILES)):
            return
        if what == "stat" and os.path.dirname(absolute) in cls.ancestors and os.path.basename(absolute) in CONFIG_FILES:
            return
        cls.violations.append(f"{what} {absolute}")

    @classmethod
    def hook(cls, event: str, args: tuple) -> None:
        if cls.active and event in ("open", "os.listdir", "os.scandir") and args:
            cls.check(event, args[0])


@pytest.fixture()
def watch(monkeypatch):
    if not Watch.installed:
        sys.addaudithook(Watch.hook)  # cannot be removed: it only acts while Watch.active
        Watch.installed = True
    for name in ("stat", "lstat"):
        original = getattr(os, name)

        def spy(path, *args, _original=original, _name=name, **kwargs):
            Watch.check(_name, path)
            return _original(path, *args, **kwargs)

        monkeypatch.setattr(os, name, spy)
    Watch.violations = []
    yield Watch
    Watch.active = False


@pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32", reason="needs POSIX symlinks")
@pytest.mark.parametrize("use_cache", [False, True])
def test_nothing_outside_the_root_is_opened_listed_or_stated(tmp_path: Path, watch, use_cache: bool):
    root, outside = escaping_docset(tmp_path)
    key_dir = os.environ["PLAYBOOKLINT_CACHE_KEY_DIR"]
    watch.allowed = (str(root), key_dir)
    watch.ancestors = frozenset(str(p) for p in root.parents) | {os.getcwd()}
    watch.active = True
    result = lint([root], options=RunOptions(cache=use_cache, jobs=1))
    watch.active = False
    assert watch.violations == [], "\n".join(watch.violations)
    found = {(d.path, d.rule) for d in result.diagnostics}
    assert ("index.md", "link-outside-docset") in found
    assert ("index.md", "include-missing") in found
    assert ("toc.yml", "link-outside-docset") in found
    assert ("escape.md", "file-unreadable") in found and ("passwd.md", "file-unreadable") in found
    messages = [d.message for d in result.diagnostics if d.rule == "link-outside-docset"]
    assert any("symbolic link" in m for m in messages)
    assert all(not d.path.startswith("..") for d in result.diagnostics)


@pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32", reason="needs POSIX symlinks")
def test_snippet_files_and_pivot_groups_are_never_read_outside_the_root(tmp_path: Path, watch):
    groups = "groups:\n- id: langs\n  pivots:\n  - id: python\n"
    outside = write_tree(tmp_path / "outside", {"code.cs": "// <x>\n// </x>\n", "groups.yml": groups})
    root = write_tree(tmp_path / "root", {
        "docfx.json": "{}",
        "index.md": (
            "---\nzone_pivot_group_filename: ../outside/groups.yml\nzone_pivot_groups: langs\n---\n# Home\n"
            "::: zone pivot=\"go\"\n::: zone-end\n"
            ':::code source="../outside/code.cs" id="y":::\n'
            ":::code source=\"escdir/code.cs\" id=\"y\":::\n"
            "[!code-cs[c](escape.cs#y)]\n[!code-cs[c](~/../outside/code.cs?range=5-9)]\n"
        ),
        "linked.md": "---\nzone_pivot_group_filename: escape.yml\nzone_pivot_groups: langs\n---\n# Linked\n"
                     "::: zone pivot=\"go\"\n::: zone-end\n",
    })
    os.symlink(outside / "code.cs", root / "escape.cs")
    os.symlink(outside, root / "escdir")
    os.symlink(outside / "groups.yml", root / "escape.yml")
    key_dir = os.environ["PLAYBOOKLINT_CACHE_KEY_DIR"]
    watch.allowed = (str(root), key_dir)
    watch.ancestors = frozenset(str(p) for p in root.parents) | {os.getcwd()}
    watch.active = True
    result = lint([root], options=RunOptions(cache=True, jobs=1, select=("PB5",)))
    lint([root], options=RunOptions(cache=True, jobs=1, select=("PB5",)))  # the warm run checks its reads
    watch.active = False
    assert watch.violations == [], "\n".join(watch.violations)
    assert not [d for d in result.diagnostics if d.rule in ("code-snippet-region", "zone-pivot-unknown")]


def test_no_traceback_from_a_failing_parse_or_rule(tmp_path: Path, monkeypatch, capsys):
    import playbooklint.parse as parse_module

    write_tree(tmp_path, {"index.md": "# Home\n[x](gone.md)\n", "a.md": "# A\n"})

    def explode(rel_path, text):
        if rel_path == "a.md":
            raise ValueError("parser bug")
        return original(rel_path, text)

    original = parse_module.parse_text
    monkeypatch.setattr(parse_module, "parse_text", explode)
    assert main(["check", str(tmp_path), "--format", "json"]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    found = {(d["path"], d["rule"]) for d in json.loads(out)["diagnostics"]}
    assert ("a.md", "internal-error") in found and ("index.md", "link-broken") in found


@pytest.mark.parametrize("docfx", [
    '{"build": []}', '{"build": {"content": "x", "globalMetadata": [], "fileMetadata": {"a": 1}}}',
    '{"build": {"content": [1, {"files": 3}], "fileMetadata": {"k": {"**": {"nested": [1]}}}}}', "[]", "null", "7",
])
def test_odd_docfx_json_never_crashes(tmp_path: Path, capsys, docfx: str):
    write_tree(tmp_path, {"docfx.json": docfx, "index.md": "# Home\n",
                          ".openpublishing.redirection.json": '{"redirections": [1, {"source_path": 3}, {"redirect_url": []}]}'})
    assert main(["check", str(tmp_path), "--format", "json"]) in (0, 1)
    assert "Traceback" not in capsys.readouterr().err


def test_yaml_tags_aliases_duplicates_and_depth():
    for text, expected in (
        ("---\nx: !!python/object/apply:os.system ['echo hi']\n---\n", "tag"),
        ("---\nx: !!python/name:os.system\n---\n", "tag"),
        ("---\na: &a 1\nb: *a\n---\n", "alias"),
        ("---\na: 1\na: 2\n---\n", "duplicate key"),
        ("---\na: [" + "[" * 3000 + "]" * 3000 + "]\n---\n", "nested too deeply"),
        ("---\na: *undefined [\n---\n", "alias"),
        ("---\na: [unclosed *b\n---\n", "not valid YAML"),
    ):
        page = parse_text("p.md", text)
        assert page.front_matter is None
        assert [p.rule for p in page.problems] == ["front-matter-invalid"], text
        assert expected in page.problems[0].message, page.problems[0].message


def test_pure_python_yaml_deep_nesting_is_reported_not_raised():
    deep = "a: " + "[" * 5000 + "]" * 5000
    with pytest.raises(yamlsafe.YamlProblem, match="nested too deeply"):
        yamlsafe.compose(deep, yamlsafe.PureSafeTextLoader)
    block = "".join("  " * i + f"k{i}:\n" for i in range(3000))
    with pytest.raises(yamlsafe.YamlProblem):
        yamlsafe.compose(block, yamlsafe.PureSafeTextLoader)


def test_alias_bomb_is_refused_before_anything_is_constructed(monkeypatch):
    bomb = ('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
            "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
            "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
            "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n")
    assert len(bomb) < 400

    def never(*args, **kwargs):
        raise AssertionError("constructed")

    monkeypatch.setattr(yamlsafe, "construct", never)
    monkeypatch.setattr(yamlsafe.SafeTextLoader, "get_single_node", never)
    with pytest.raises(yamlsafe.YamlProblem, match="alias"):
        yamlsafe.compose(bomb)


def test_pathological_markdown_is_cut_off_by_the_time_budget(tmp_path: Path):
    nested = "".join("  " * i + "- x\n" for i in range(5000))  # about 9 s of markdown-it-py here
    page = parse_bytes("slow.md", nested.encode(), budget=0.3)
    assert [p.rule for p in page.problems] == ["file-too-large"]
    assert "0.3-second budget" in page.problems[0].message
    write_tree(tmp_path, {"slow.md": nested, "index.md": "[x](gone.md)\n", ".playbooklint.toml": "file-timeout = 0.3\n"})
    found = {(d.path, d.rule) for d in lint([tmp_path], options=RunOptions(cache=False)).diagnostics}
    assert {("slow.md", "file-too-large"), ("index.md", "link-broken")} <= found


@pytest.mark.parametrize("text", [
    ":::" * 100000, "[!include [" * 2000, "<a " * 50000, "<!--" * 20000, "[x][" * 2000, "*_" * 50000,
    "[a](" * 2000, ("## A\n" * 20000), "`" * 50000, "|" + "a|" * 2000 + "\n|" + "-|" * 2000 + "\n",
])
def test_known_slow_shapes_finish_and_give_a_page(text: str):
    page = parse_bytes("p.md", text.encode(), budget=5)
    assert page.path == "p.md"


def test_include_chains_and_cycles_terminate(tmp_path: Path):
    files = {f"includes/i{n}.md": f"## Heading {n}\n[!INCLUDE [next](i{n + 1}.md)]\n" for n in range(60)}
    files["includes/i60.md"] = "[!INCLUDE [loop](i0.md)]\n[self](#heading-0)\n"
    files["index.md"] = "[!INCLUDE [start](includes/i0.md)]\n[deep](#heading-59) [loop](#heading-3)\n"
    write_tree(tmp_path, files)
    diagnostics = lint([tmp_path], options=RunOptions(cache=False)).diagnostics
    assert [d.rule for d in diagnostics if d.rule == "include-cycle"] == ["include-cycle"]


def test_file_over_max_size_is_reported_and_skipped(tmp_path: Path, capsys):
    write_tree(tmp_path, {"big.md": "x" * 5000, "index.md": "[big](big.md)\n",
                          ".playbooklint.toml": "[rules]\nfront-matter-missing = 'off'\n"})
    assert main(["check", str(tmp_path), "--max-file-size", "1000", "--format", "json"]) == 1  # not checked: an error
    found = {(d["path"], d["rule"]) for d in json.loads(capsys.readouterr().out)["diagnostics"]}
    assert ("big.md", "file-too-large") in found


def test_backtracking_globs_from_docfx_json_are_dropped_and_from_config_refused(tmp_path: Path, capsys):
    evil = "*a" * 40 + "b"
    write_tree(tmp_path, {"docfx.json": json.dumps({"build": {"fileMetadata": {"x": {evil: 1}},
                                                             "content": [{"files": [evil, "**/*.md"]}]}}),
                          "index.md": "# Home\n"})
    assert main(["check", str(tmp_path), "--format", "json"]) in (0, 1)
    (tmp_path / ".playbooklint.toml").write_text(f"exclude = ['{evil}']\n")
    assert main(["check", str(tmp_path)]) == 2
    assert "too complex" in capsys.readouterr().err

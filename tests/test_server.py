"""The editor server end to end: ``python -m playbooklint server`` started as a subprocess and
driven over stdio by pygls' own LSP client, as an editor drives it. Every wait is bounded."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls")

from lsprotocol import types as lsp  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402

WAIT = 30.0
"""Seconds any one expected message may take (a loaded CI machine)."""
SESSION = 120.0
"""Seconds one whole session may take."""

FRONT = "---\ntitle: {title}\ndescription: The {title} page of the docset.\nms.date: 01/02/2024\n---\n\n"
INDEX = FRONT.format(title="Home") + (
    "# Home\n\n"
    "See [the guide](guide.md#getting-started) and [the sub page](sub/page.md).\n\n"
    "- [Guide](guide.md)\n"
    "- [Sub](sub/page.md)\n"
)
GUIDE = FRONT.format(title="Guide") + "# Guide\n\n## Getting started\n\nText.\n\n## Next steps\n\nBack [home](index.md).\n"
SUB = FRONT.format(title="Sub") + "# Sub page\n\nBack to the [guide](../guide.md#next-steps).\n"
TOC = "- name: Home\n  href: index.md\n- name: Guide\n  href: guide.md\n- name: Sub\n  href: sub/page.md\n"


def make_docset(root: Path) -> Path:
    """A small clean docset (docfx.json at its root, so it is its own repository)."""
    (root / "sub").mkdir(parents=True)
    (root / "media").mkdir()
    (root / "docfx.json").write_text('{"build": {"content": [{"files": ["**/*.md", "**/toc.yml"]}]}}\n')
    (root / "index.md").write_text(INDEX)
    (root / "guide.md").write_text(GUIDE)
    (root / "sub" / "page.md").write_text(SUB)
    (root / "toc.yml").write_text(TOC)
    (root / "media" / "diagram.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return root


class Session:
    """A client talking to one server process."""

    def __init__(self, root: Path, watch: bool = True, env: dict[str, str] | None = None) -> None:
        self.root = root
        self.watch = watch
        self.env = env
        self.client = LanguageClient("playbooklint-tests", "1")
        self.published: dict[str, lsp.PublishDiagnosticsParams] = {}
        self.logs: list[str] = []
        self.shown: list[lsp.ShowMessageParams] = []
        self.registrations: list[lsp.Registration] = []
        self.changed = asyncio.Event()
        self.versions: dict[str, int] = {}
        self.texts: dict[str, str] = {}
        self.stderr = ""

        @self.client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def diagnostics(params: lsp.PublishDiagnosticsParams) -> None:
            self.published[params.uri] = params
            self.changed.set()

        @self.client.feature(lsp.WINDOW_LOG_MESSAGE)
        def log(params: lsp.LogMessageParams) -> None:
            self.logs.append(params.message)
            self.changed.set()

        @self.client.feature(lsp.WINDOW_SHOW_MESSAGE)
        def show(params: lsp.ShowMessageParams) -> None:
            self.shown.append(params)
            self.changed.set()

        @self.client.feature(lsp.CLIENT_REGISTER_CAPABILITY)
        def register(params: lsp.RegistrationParams) -> None:
            self.registrations.extend(params.registrations)
            self.changed.set()

    async def start(self) -> None:
        await self.client.start_io(sys.executable, "-m", "playbooklint", "server", "--no-cache", cwd=str(self.root),
                                   env=self.env)
        assert self.client._server is not None and self.client._server.stderr is not None
        self._stderr_task = asyncio.create_task(self._drain(self.client._server.stderr))
        capabilities = lsp.ClientCapabilities(
            workspace=lsp.WorkspaceClientCapabilities(
                did_change_watched_files=lsp.DidChangeWatchedFilesClientCapabilities(dynamic_registration=self.watch)),
            general=lsp.GeneralClientCapabilities(position_encodings=[lsp.PositionEncodingKind.Utf16]),
        )
        result = await asyncio.wait_for(self.client.initialize_async(lsp.InitializeParams(
            capabilities=capabilities, root_uri=from_fs_path(str(self.root)),
            workspace_folders=[lsp.WorkspaceFolder(from_fs_path(str(self.root)), "docs")])), WAIT)
        self.capabilities = result.capabilities
        self.client.initialized(lsp.InitializedParams())

    async def stop(self) -> None:
        process = self.client._server
        try:
            await asyncio.wait_for(self.client.shutdown_async(None), WAIT)
            self.client.exit(None)
            await asyncio.wait_for(self.client.stop(), WAIT)
        finally:
            if process is not None and process.returncode is None:
                process.kill()
                await process.wait()
        assert process is None or process.returncode == 0, self.stderr

    async def _drain(self, stream: asyncio.StreamReader) -> None:
        """Keep the server's standard error read (a full pipe would block it), for failures."""
        while chunk := await stream.read(65536):
            self.stderr += chunk.decode("utf-8", "replace")

    def uri(self, rel: str) -> str:
        return from_fs_path(str(self.root / rel))

    def open(self, rel: str, text: str | None = None) -> str:
        uri = self.uri(rel)
        text = (self.root / rel).read_text() if text is None else text
        self.versions[uri] = 1
        self.texts[uri] = text
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "markdown", 1, text)))
        return uri

    def change(self, rel: str, text: str) -> int:
        uri = self.uri(rel)
        self.versions[uri] += 1
        self.texts[uri] = text
        self.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version=self.versions[uri], uri=uri),
            [lsp.TextDocumentContentChangeWholeDocument(text)]))
        return self.versions[uri]

    def insert(self, rel: str, line: int, character: int, new_text: str) -> int:
        """An incremental change, as editors send them (the position in UTF-16 units)."""
        uri = self.uri(rel)
        self.versions[uri] += 1
        where = lsp.Position(line, character)
        self.texts[uri] = apply(self.texts[uri], [lsp.TextEdit(lsp.Range(where, where), new_text)])
        self.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version=self.versions[uri], uri=uri),
            [lsp.TextDocumentContentChangePartial(range=lsp.Range(where, where), text=new_text)]))
        return self.versions[uri]

    def save(self, rel: str) -> None:
        uri = self.uri(rel)
        (self.root / rel).write_text(self.texts[uri])
        self.client.text_document_did_save(lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(uri)))

    def files_changed(self, *changes: tuple[str, lsp.FileChangeType]) -> None:
        self.client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(
            [lsp.FileEvent(self.uri(rel), kind) for rel, kind in changes]))

    async def until(self, ready: Callable[[], Any], what: str) -> Any:
        """Wait (bounded) until ``ready()`` returns something true; return it."""
        async def poll() -> Any:
            while True:
                self.changed.clear()
                found = ready()
                if found:
                    return found
                await self.changed.wait()
        try:
            return await asyncio.wait_for(poll(), WAIT)
        except asyncio.TimeoutError:
            raise AssertionError(f"timed out waiting for {what}; server log:\n" + "\n".join(self.logs)
                                 + f"\nstandard error:\n{self.stderr}") from None

    async def diagnostics(self, rel: str, check: Callable[[list[lsp.Diagnostic]], bool] = lambda d: True,
                          version: int | None = None) -> list[lsp.Diagnostic]:
        """The diagnostics published for a document (for its current version, unless told) once
        ``check`` accepts them."""
        uri = self.uri(rel)
        wanted = self.versions.get(uri) if version is None else version

        def ready() -> list[lsp.Diagnostic] | None:
            found = self.published.get(uri)
            if found is None or (wanted is not None and found.version != wanted) or not check(found.diagnostics):
                return None
            return found.diagnostics or [None]  # type: ignore[list-item]  # an empty list is an answer too
        got = await self.until(ready, f"diagnostics of {rel} (version {wanted})")
        return [d for d in got if d is not None]

    async def code_actions(self, rel: str, line: int, only: list[str] | None = None) -> list[lsp.CodeAction]:
        uri = self.uri(rel)
        found = await asyncio.wait_for(self.client.text_document_code_action_async(lsp.CodeActionParams(
            lsp.TextDocumentIdentifier(uri), lsp.Range(lsp.Position(line, 0), lsp.Position(line, 200)),
            lsp.CodeActionContext(diagnostics=[], only=only))), WAIT)
        return [a for a in found or [] if isinstance(a, lsp.CodeAction)]

    async def complete(self, rel: str, line: int, character: int) -> list[lsp.CompletionItem]:
        found = await asyncio.wait_for(self.client.text_document_completion_async(lsp.CompletionParams(
            lsp.TextDocumentIdentifier(self.uri(rel)), lsp.Position(line, character))), WAIT)
        if found is None:
            return []
        return list(found.items if isinstance(found, lsp.CompletionList) else found)


def run(root: Path, scenario: Callable[[Session], Coroutine[Any, Any, None]], watch: bool = True,
        env: dict[str, str] | None = None) -> Session:
    async def main() -> Session:
        session = Session(root, watch, env)
        await session.start()
        try:
            await asyncio.wait_for(scenario(session), SESSION)
        finally:
            await session.stop()
        return session
    return asyncio.run(main())


def apply(text: str, edits: list[lsp.TextEdit]) -> str:
    """The text with LSP edits applied (UTF-16 positions)."""
    lines = text.splitlines(keepends=True) or [""]

    def offset(position: lsp.Position) -> int:
        before = sum(len(line) for line in lines[:position.line])
        line = lines[position.line] if position.line < len(lines) else ""
        units = 0
        for index, char in enumerate(line):
            if units >= position.character:
                return before + index
            units += 2 if ord(char) > 0xFFFF else 1
        return before + len(line)

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = offset(edit.range.start), offset(edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text


def codes(found: list[lsp.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in found)


# ---------------------------------------------------------------------- the tests


def test_open_and_change_publish_diagnostics_with_code_link_and_utf16_range(tmp_path):
    root = make_docset(tmp_path / "docs")

    async def scenario(s: Session) -> None:
        assert s.capabilities.completion_provider is not None
        assert s.capabilities.code_action_provider is not None
        s.open("index.md")
        assert await s.diagnostics("index.md") == []
        # an emoji outside the Basic Multilingual Plane before the link: two UTF-16 units
        text = INDEX.replace("See [the guide]", "See 🎉 [the guide](nothere.md) [the guide]")
        version = s.change("index.md", text)
        found = await s.diagnostics("index.md", lambda d: bool(d))
        assert s.published[s.uri("index.md")].version == version
        [broken] = found
        assert broken.code == "PB201"
        assert broken.source == "playbooklint"
        assert broken.severity == lsp.DiagnosticSeverity.Error
        assert broken.code_description is not None
        assert broken.code_description.href.endswith("docs/rules.md#pb201-link-broken")
        line = text.splitlines()[broken.range.start.line]
        assert line.startswith("See 🎉")
        start = line.index("[the guide](nothere.md)")
        # code points before the link, plus one for the emoji's second UTF-16 unit
        assert broken.range.start.character == start + 1
        assert broken.range.end.character == start + 1 + len("[the guide](nothere.md)")
        s.change("index.md", INDEX)
        assert await s.diagnostics("index.md") == []
        # incremental changes: after an emoji on the same line, positions count UTF-16 units
        line = INDEX.splitlines().index("- [Sub](sub/page.md)")
        s.insert("index.md", line, len("- [Sub](sub/page.md)"), " 🎉 [new](new.md)")
        [new] = await s.diagnostics("index.md", lambda d: bool(d))
        assert new.code == "PB201" and "new.md" in new.message
        assert new.range.start == lsp.Position(line, len("- [Sub](sub/page.md) 🎉 ") + 1)
        s.insert("index.md", line, 0, "x")
        [moved] = await s.diagnostics("index.md", lambda d: bool(d))
        assert moved.range.start.character == new.range.start.character + 1

    run(root, scenario)


def test_a_code_action_applies_the_fix(tmp_path):
    root = make_docset(tmp_path / "docs")

    async def scenario(s: Session) -> None:
        text = INDEX.replace("(guide.md#getting-started)", "(Guide.md#getting-started)")
        uri = s.open("index.md", text)
        found = await s.diagnostics("index.md", lambda d: bool(d))
        assert codes(found) == ["PB202"]
        line = found[0].range.start.line
        actions = await s.code_actions("index.md", line)
        [fix] = [a for a in actions if a.is_preferred]
        assert fix.kind == lsp.CodeActionKind.QuickFix
        assert fix.diagnostics and fix.diagnostics[0].code == "PB202"
        assert fix.edit is not None and fix.edit.changes is not None
        edits = fix.edit.changes[uri]
        assert len(edits) == 1 and edits[0].new_text == "guide.md#getting-started"  # the link only, not the file
        fixed = apply(text, edits)
        assert fixed == INDEX
        s.change("index.md", fixed)
        assert await s.diagnostics("index.md") == []
        # and the fix-all source action, asked for by kind
        s.change("index.md", text.replace("(guide.md)", "(GUIDE.md)"))
        assert codes(await s.diagnostics("index.md", lambda d: len(d) == 2)) == ["PB202", "PB202"]
        [fix_all] = await s.code_actions("index.md", 0, only=[lsp.CodeActionKind.SourceFixAll])
        assert fix_all.kind == "source.fixAll.playbooklint"
        assert fix_all.edit is not None and fix_all.edit.changes is not None
        assert apply(s.texts[uri], fix_all.edit.changes[uri]) == INDEX

    run(root, scenario)


def test_the_disable_action_inserts_the_comment_suppress_reads(tmp_path):
    root = make_docset(tmp_path / "docs")
    text = INDEX.replace("- [Sub](sub/page.md)", "- [Sub](sub/gone.md)").replace(
        "See [the guide]", "See [x](missing.md) and [the guide]")

    async def scenario(s: Session) -> None:
        uri = s.open("index.md", text)
        found = await s.diagnostics("index.md", lambda d: len(d) == 2)
        current = text
        for diagnostic in sorted(found, key=lambda d: -d.range.start.line):
            actions = await s.code_actions("index.md", diagnostic.range.start.line)
            [disable] = [a for a in actions if a.title == "Disable link-broken for this line"]
            assert disable.edit is not None and disable.edit.changes is not None
            current = apply(current, disable.edit.changes[uri])
        # above the paragraph, at the end of the list item (a line of its own would split the list)
        assert "<!-- playbooklint-disable-next-line link-broken -->\nSee [x](missing.md)" in current
        assert "- [Sub](sub/gone.md) <!-- playbooklint-disable-line link-broken -->\n" in current
        s.change("index.md", current)
        assert await s.diagnostics("index.md") == []  # suppressed, and no suppression-unused

    run(root, scenario)


def test_completion_lists_anchors_and_relative_paths(tmp_path):
    root = make_docset(tmp_path / "docs")

    async def scenario(s: Session) -> None:
        s.open("sub/page.md")
        await s.diagnostics("sub/page.md")
        text = SUB + "\nSee [home](../index.md#) and [more](../) and <img src=\"../media/\"> and [top](#)\n"
        s.change("sub/page.md", text)
        line = len(text.splitlines()) - 1
        content = text.splitlines()[line]
        anchors = await s.complete("sub/page.md", line, content.index("index.md#") + len("index.md#"))
        assert [i.label for i in anchors][:1] == ["home"]
        assert {"home", "top"} <= {i.label for i in anchors}
        files = await s.complete("sub/page.md", line, content.index("(../)") + len("(../"))
        labels = {i.label for i in files}
        assert {"index.md", "guide.md", "sub/", "media/", "toc.yml", "docfx.json"} <= labels
        item = next(i for i in files if i.label == "guide.md")
        assert item.kind == lsp.CompletionItemKind.File
        assert isinstance(item.text_edit, lsp.TextEdit)
        assert item.text_edit.range.start == lsp.Position(line, content.index("(../)") + len("(../"))
        images = await s.complete("sub/page.md", line, content.index('media/"') + len("media/"))
        assert [i.label for i in images] == ["diagram.png"]
        own = await s.complete("sub/page.md", line, content.index("(#)") + 2)
        assert {"sub-page", "top"} <= {i.label for i in own}
        # the target's unsaved headings: open guide.md and add one
        s.open("guide.md", GUIDE + "\n## Unsaved heading\n")
        text2 = text + "[g](../guide.md#\n"
        s.change("sub/page.md", text2)
        guide = await s.complete("sub/page.md", line + 1, len("[g](../guide.md#"))
        assert [i.label for i in guide][:4] == ["guide", "getting-started", "next-steps", "unsaved-heading"]
        assert guide[1].detail == "## Getting started"
        assert await s.complete("sub/page.md", 0, 0) == []  # not in a link

    run(root, scenario)


def test_a_change_in_one_open_document_updates_the_others(tmp_path):
    root = make_docset(tmp_path / "docs")

    async def scenario(s: Session) -> None:
        s.open("index.md")
        s.open("guide.md")
        assert await s.diagnostics("index.md") == []
        assert await s.diagnostics("guide.md") == []
        # rename the heading index.md links to, unsaved: index.md gets its squiggle
        s.change("guide.md", GUIDE.replace("## Getting started", "## First steps"))
        [missing] = await s.diagnostics("index.md", lambda d: bool(d), version=1)
        assert missing.code == "PB203"
        assert "getting-started" in missing.message
        s.change("guide.md", GUIDE)
        assert await s.diagnostics("index.md", lambda d: not d, version=1) == []
        # saved to disk and closed: still seen
        s.change("guide.md", GUIDE.replace("## Getting started", "## First steps"))
        s.save("guide.md")
        s.client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(s.uri("guide.md"))))
        await s.diagnostics("index.md", lambda d: codes(d) == ["PB203"], version=1)

    run(root, scenario)


def test_files_created_on_disk_and_config_changes_are_seen(tmp_path):
    root = make_docset(tmp_path / "docs")

    async def scenario(s: Session) -> None:
        await s.until(lambda: s.registrations, "the file watcher registration")
        assert s.registrations[0].method == lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES
        text = INDEX + "\n[new](new-page.md)\n"
        s.open("index.md", text)
        assert codes(await s.diagnostics("index.md", lambda d: bool(d))) == ["PB201"]
        (root / "new-page.md").write_text(FRONT.format(title="New") + "# New\n")
        s.files_changed(("new-page.md", lsp.FileChangeType.Created))
        assert await s.diagnostics("index.md", lambda d: not d) == []
        # a config that turns the rule off for the file's line... and one that cannot be read
        (root / "new-page.md").unlink()
        s.files_changed(("new-page.md", lsp.FileChangeType.Deleted))
        await s.diagnostics("index.md", lambda d: codes(d) == ["PB201"])
        (root / ".playbooklint.toml").write_text('[rules]\nlink-broken = "warning"\n')
        s.files_changed((".playbooklint.toml", lsp.FileChangeType.Created))
        [warning] = await s.diagnostics("index.md", lambda d: bool(d) and d[0].severity == lsp.DiagnosticSeverity.Warning)
        assert warning.code == "PB201"
        (root / ".playbooklint.toml").write_text('[rules]\nlink-broken = "loud"\n')
        s.files_changed((".playbooklint.toml", lsp.FileChangeType.Changed))
        shown = await s.until(lambda: [m for m in s.shown if m.type == lsp.MessageType.Error], "an error shown")
        assert "configuration error" in shown[0].message
        (root / ".playbooklint.toml").write_text('[rules]\nlink-broken = "off"\n')
        s.files_changed((".playbooklint.toml", lsp.FileChangeType.Changed))
        s.change("index.md", text + "\n")
        assert await s.diagnostics("index.md") == []

    run(root, scenario)


def test_without_a_file_watcher_a_save_is_seen(tmp_path):
    root = make_docset(tmp_path / "docs")

    async def scenario(s: Session) -> None:
        s.open("index.md")
        s.open("guide.md")
        await s.diagnostics("index.md")
        s.change("guide.md", GUIDE.replace("## Getting started", "## Begin"))
        s.save("guide.md")
        assert codes(await s.diagnostics("index.md", lambda d: bool(d), version=1)) == ["PB203"]
        assert any("does not report file changes" in line for line in s.logs)

    session = run(root, scenario, watch=False)
    assert not session.registrations


def test_documents_no_docset_builds_get_no_diagnostics_and_bad_requests_do_not_stop_it(tmp_path):
    root = make_docset(tmp_path / "docs")
    (root / "notes.txt").write_text("not a page\n")

    async def scenario(s: Session) -> None:
        s.open("notes.txt")
        assert await s.diagnostics("notes.txt") == []
        # a request for a document that is not open, and a position past its end
        assert await s.code_actions("nothing.md", 99) == []
        assert await s.complete("nothing.md", 99, 99) == []
        s.open("index.md")
        assert await s.diagnostics("index.md") == []

    run(root, scenario)


def test_a_check_that_fails_is_logged_and_the_server_goes_on(tmp_path):
    root = make_docset(tmp_path / "docs")
    (root / "boom.md").write_text(FRONT.format(title="Boom") + "# Boom\n")
    # a check that raises, for one file, planted in the server process (sitecustomize runs at start)
    plant = tmp_path / "plant"
    plant.mkdir()
    (plant / "sitecustomize.py").write_text(
        "from playbooklint.server import project\n"
        "checking = project.Project.check\n"
        "def check(self, path, texts):\n"
        "    if path.name == 'boom.md':\n"
        "        raise RuntimeError('planted failure')\n"
        "    return checking(self, path, texts)\n"
        "project.Project.check = check\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plant), *sys.path])}

    async def scenario(s: Session) -> None:
        s.open("boom.md")
        await s.until(lambda: any("planted failure" in line for line in s.logs), "the failure logged")
        assert any("Traceback" in line and "internal error" in line for line in s.logs)
        s.open("index.md", INDEX + "[x](gone.md)\n")
        assert codes(await s.diagnostics("index.md", lambda d: bool(d))) == ["PB201"]
        assert s.uri("boom.md") not in s.published

    run(root, scenario, env=env)


def test_server_without_pygls_exits_2_with_a_message(tmp_path):
    code = ("import sys; sys.modules['pygls'] = None\n"
            "from playbooklint.cli import main\nraise SystemExit(main(['server']))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "pip install 'playbooklint[server]'" in done.stderr
    assert done.stdout == ""

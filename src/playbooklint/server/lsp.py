"""``playbooklint server``: the Language Server Protocol over stdio (pygls).

- **Diagnostics as you type.** Each open document is checked as ``playbooklint check FILE`` checks
  it, with its unsaved text and the unsaved texts of the other open documents of its docset laid
  over the docset read from disk (``project.py``). Changes are debounced; checks run one at a time
  on a worker thread, never on the protocol's loop; a result computed for texts that changed
  meanwhile is dropped (the newer texts are checked instead).
- **Other documents.** Any change (typing, saving, a file changed on disk) re-checks every open
  document, the changed one first: rename a heading and the open page that links to it gets its
  squiggle.
- **Code actions**: the fixes ``--fix`` applies (unsafe ones marked), "disable RULE for this line"
  (the inline comment ``suppress.py`` reads), and a source action applying every safe fix.
- **Completion** of relative link targets after ``](``, ``href="``, ``src="`` (files and folders)
  and of ``#anchors`` of the page the target leads to.
- **Configuration** is read again when a config file, ``docfx.json``, the publish config or a
  redirection file changes (saved, or reported by the editor's file watcher).

Nothing a check raises stops the server: it is logged (``window/logMessage``); a configuration that
cannot be read is shown (``window/showMessage``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import os
import queue
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import __version__
from ..config import ConfigError
from ..model import Diagnostic
from ..workspace import RunOptions
from . import edits
from .project import Change, Project

T = TypeVar("T")

DEBOUNCE = 0.2
"""Seconds without a change before the open documents are checked."""


class _Worker:
    """One daemon thread that runs jobs in order (a check never blocks the protocol's loop, and
    the project is only ever touched from here)."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[concurrent.futures.Future[Any], Callable[[], Any]]] = queue.SimpleQueue()
        threading.Thread(target=self._run, name="playbooklint-check", daemon=True).start()

    def _run(self) -> None:
        while True:
            future, job = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(job())
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiting coroutine
                future.set_exception(exc)

    async def run(self, job: Callable[[], T]) -> T:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._jobs.put((future, job))
        return await asyncio.wrap_future(future)


@dataclass(frozen=True)
class _Published:
    """The findings last published for a document (its docset-relative path, for its fixes)."""

    version: int | None
    rel: str
    findings: list[Diagnostic]


class PlaybooklintServer(LanguageServer):
    """The server: open documents, a queue of documents to check, and the project."""

    def __init__(self, options: RunOptions | None = None, debounce: float = DEBOUNCE) -> None:
        super().__init__("playbooklint", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.debounce = debounce
        self.project = Project(options, log=self._log_from_worker)
        self.worker = _Worker()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.dirty: dict[str, None] = {}
        """Documents to check, in order."""
        self.events: list[tuple[Path, Change | None]] = []
        """Files changed on disk (None: a document closed) since the last check."""
        self.changes = 0
        """Counts changes to what a check reads: a result computed before the last one is stale."""
        self.published: dict[str, _Published] = {}
        self.shown: set[str] = set()
        """Configuration errors shown (each once until the configuration is read again)."""
        self._kick: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ messages to the client

    def log(self, message: str, kind: lsp.MessageType = lsp.MessageType.Log) -> None:
        self.window_log_message(lsp.LogMessageParams(type=kind, message=message))

    def _log_from_worker(self, message: str) -> None:
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.log, message, lsp.MessageType.Info)

    def show_error(self, message: str) -> None:
        self.log(message, lsp.MessageType.Error)
        if message not in self.shown:
            self.shown.add(message)
            self.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Error, message=message))

    def internal_error(self, what: str, exc: BaseException) -> None:
        detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        self.log(f"playbooklint: internal error {what}: {type(exc).__name__}: {exc}\n{detail}", lsp.MessageType.Error)

    # ------------------------------------------------------------------ scheduling

    def open_paths(self) -> dict[str, Path]:
        """URI -> file of each open document on disk."""
        found = {}
        for uri in list(self.workspace.text_documents):
            if uri.startswith("file:"):
                path = to_fs_path(uri)
                if path:
                    found[uri] = Path(path)
        return found

    def schedule(self, first: str | None = None) -> None:
        """Something changed: check every open document again, ``first`` first."""
        self.changes += 1
        order = ([first] if first is not None else []) + [u for u in self.open_paths() if u != first]
        self.dirty = dict.fromkeys(u for u in order if u in self.workspace.text_documents)
        if self._kick is None:
            self.loop = asyncio.get_running_loop()
            self._kick = asyncio.Event()
            self._task = self.loop.create_task(self._work())
        self._kick.set()

    async def _work(self) -> None:
        assert self._kick is not None
        while True:
            await self._kick.wait()
            while True:  # wait for a pause in the changes
                self._kick.clear()
                try:
                    await asyncio.wait_for(self._kick.wait(), self.debounce)
                except asyncio.TimeoutError:
                    break
            try:
                await self._check_dirty()
            except Exception as exc:  # noqa: BLE001 - the server keeps running
                self.internal_error("while checking", exc)

    async def _check_dirty(self) -> None:
        events, self.events = self.events, []
        if events:
            generation = self.project.generation
            try:
                await self.worker.run(functools.partial(self._apply, events))
            except Exception as exc:  # noqa: BLE001 - when in doubt, read everything again
                self.internal_error("reading the files that changed", exc)
                await self.worker.run(self.project.reload)
            if self.project.generation != generation:
                self.shown.clear()  # read again: show its errors again
        while self.dirty and not self._kick.is_set():  # type: ignore[union-attr]
            uri = next(iter(self.dirty))
            paths = self.open_paths()
            path = paths.get(uri)
            if path is None:
                self.dirty.pop(uri, None)
                continue
            document = self.workspace.get_text_document(uri)
            version, text = document.version, document.source
            texts = {p: self.workspace.get_text_document(u).source for u, p in paths.items()}
            changes = self.changes
            try:
                found = await self.worker.run(functools.partial(self.project.check, path, texts))
            except ConfigError as exc:
                self.show_error(f"playbooklint: configuration error: {exc}")
                found = None
            except Exception as exc:  # noqa: BLE001
                self.internal_error(f"checking {path}", exc)
                self.dirty.pop(uri, None)
                continue
            if changes != self.changes:
                continue  # the texts changed meanwhile: checked again with the new ones
            self.dirty.pop(uri, None)
            self.publish(uri, version, text, found)

    def _apply(self, events: list[tuple[Path, Change | None]]) -> None:
        changed: list[tuple[Path, Change]] = []
        for path, kind in events:
            if kind is None:
                self.project.forget(path)
            else:
                changed.append((path, kind))
        if changed:
            self.project.files_changed(changed)

    def publish(self, uri: str, version: int | None, text: str, found: tuple[str, list[Diagnostic]] | None) -> None:
        rel, findings = found if found is not None else ("", [])
        self.published[uri] = _Published(version, rel, findings)
        lines = edits.Lines(text, self.encoding)
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
            uri=uri, version=version, diagnostics=[edits.diagnostic(lines, d) for d in findings]))

    @property
    def encoding(self) -> str:
        return str(self.workspace.position_encoding or lsp.PositionEncodingKind.Utf16)

    # ------------------------------------------------------------------ watching files

    async def watch_files(self) -> None:
        """Ask the client to report files created, changed and deleted (when it can)."""
        capabilities = self.client_capabilities.workspace
        watched = capabilities.did_change_watched_files if capabilities is not None else None
        if watched is None or not watched.dynamic_registration:
            self.log("the editor does not report file changes: files saved in it are seen, others after a restart",
                     lsp.MessageType.Info)
            return
        every = lsp.WatchKind.Create | lsp.WatchKind.Change | lsp.WatchKind.Delete
        watchers = [
            lsp.FileSystemWatcher(glob_pattern="**/*.{md,yml,yaml,json,toml}", kind=every),
            lsp.FileSystemWatcher(glob_pattern="**/*", kind=lsp.WatchKind.Create | lsp.WatchKind.Delete),
        ]
        await self.client_register_capability_async(lsp.RegistrationParams(registrations=[lsp.Registration(
            id="playbooklint-watch", method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=lsp.DidChangeWatchedFilesRegistrationOptions(watchers=watchers))]))


_KINDS: dict[lsp.FileChangeType, Change] = {
    lsp.FileChangeType.Created: "created",
    lsp.FileChangeType.Changed: "changed",
    lsp.FileChangeType.Deleted: "deleted",
}


def create_server(options: RunOptions | None = None, debounce: float = DEBOUNCE) -> PlaybooklintServer:
    """The server with its features registered."""
    server = PlaybooklintServer(options, debounce)

    def guarded(what: str, handler: Callable[..., Any]) -> Callable[..., Any]:
        if asyncio.iscoroutinefunction(handler):
            async def run_async(ls: PlaybooklintServer, params: Any) -> Any:
                try:
                    return await handler(ls, params)
                except Exception as exc:  # noqa: BLE001 - the server keeps running
                    ls.internal_error(what, exc)
                    return None
            return run_async

        def run(ls: PlaybooklintServer, params: Any) -> Any:
            try:
                return handler(ls, params)
            except Exception as exc:  # noqa: BLE001
                ls.internal_error(what, exc)
                return None
        return run

    def feature(name: str, options: Any = None) -> Callable[[Callable[..., Any]], Any]:
        def register(handler: Callable[..., Any]) -> Any:
            return server.feature(name, options)(guarded(name, handler))
        return register

    @feature(lsp.INITIALIZED)
    async def initialized(ls: PlaybooklintServer, params: lsp.InitializedParams) -> None:
        ls.loop = asyncio.get_running_loop()
        await ls.watch_files()

    @feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: PlaybooklintServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: PlaybooklintServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: PlaybooklintServer, params: lsp.DidSaveTextDocumentParams) -> None:
        path = to_fs_path(params.text_document.uri) if params.text_document.uri.startswith("file:") else None
        if path:
            ls.events.append((Path(path), "changed"))
        ls.schedule(params.text_document.uri)

    @feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: PlaybooklintServer, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.dirty.pop(uri, None)
        ls.published.pop(uri, None)
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        path = to_fs_path(uri) if uri.startswith("file:") else None
        if path:
            ls.events.append((Path(path), None))
        ls.schedule()

    @feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: PlaybooklintServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        for change in params.changes:
            path = to_fs_path(change.uri) if change.uri.startswith("file:") else None
            if path:
                ls.events.append((Path(path), _KINDS.get(change.type, "changed")))
        ls.schedule()

    @feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(
        code_action_kinds=[lsp.CodeActionKind.QuickFix, edits.FIX_ALL], resolve_provider=False))
    def code_action(ls: PlaybooklintServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
        uri = params.text_document.uri
        published = ls.published.get(uri)
        if published is None or not published.findings:
            return None
        document = ls.workspace.get_text_document(uri)
        lines = edits.Lines(document.source, ls.encoding)
        return edits.code_actions(uri, lines, published.rel, published.findings, params.range,
                                  params.context.only) or None

    @feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=["(", "/", "#", '"', "'"]))
    async def completion(ls: PlaybooklintServer, params: lsp.CompletionParams) -> lsp.CompletionList | None:
        uri = params.text_document.uri
        path = ls.open_paths().get(uri)
        if path is None:
            return None
        document = ls.workspace.get_text_document(uri)
        lines = edits.Lines(document.source, ls.encoding)
        cursor = lines.offset(params.position)
        line_start = lines.text.starts[min(params.position.line, lines.count - 1)]
        written = edits.link_target_before(lines.text.text[line_start:cursor], toc=path.name.lower() == "toc.yml")
        if written is None:
            return None
        texts = {p: ls.workspace.get_text_document(u).source for u, p in ls.open_paths().items()}

        def find() -> list[lsp.CompletionItem]:
            located = ls.project.locate(path)
            if located is None:
                return []
            docset = ls.project.docset(located, texts)
            folder = os.path.dirname(located.repo_rel).replace(os.sep, "/")
            return edits.complete(docset, located.rel, written, located.repo.workspace.site.index, folder)

        try:
            items = await ls.worker.run(find)
        except ConfigError as exc:
            ls.show_error(f"playbooklint: configuration error: {exc}")
            return None
        typed = len(written) - max(written.rfind("/"), written.rfind("#")) - 1
        replaced = lines.range(cursor - typed, cursor)
        for item in items:
            item.text_edit = lsp.TextEdit(replaced, item.label)
            item.filter_text = item.label
        return lsp.CompletionList(is_incomplete=False, items=items)

    @feature(lsp.SHUTDOWN)
    def shutdown(ls: PlaybooklintServer, params: None) -> None:
        ls.dirty.clear()

    return server


def serve(options: RunOptions | None = None) -> int:
    """Run the server on stdin/stdout until the client says exit. Anything else that writes to
    the standard output (a library, a parse worker) is sent to the standard error instead, so
    the protocol's stream stays clean."""
    protocol_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    server = create_server(options)
    server.start_io(sys.stdin.buffer, protocol_out)
    return 0

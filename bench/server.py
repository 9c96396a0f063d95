"""Latency of the editor server (``playbooklint server``) on a real docset, measured as an editor
sees it: from sending ``textDocument/didChange`` to receiving the ``publishDiagnostics`` for that
version (the server's debounce included).

    python bench/server.py DOCSET PAGE [--edits 20] [--linked OTHER --anchor OLD --renamed NEW]

``DOCSET`` is copied to a scratch folder first (the server's cache and nothing else is written
there); ``PAGE`` is docset-relative. It reports:

- first:   open PAGE in a fresh server until its diagnostics arrive (reading the docset: cold
           without a cache, then again with the cache the first server wrote);
- typing:  ``--edits`` changes to PAGE, one at a time, each waited for (min, median, p90, max);
- linked:  with ``--linked OTHER`` open too: rename the anchor ``--anchor`` of PAGE to
           ``--renamed`` (unsaved) until OTHER, which links to it, gets its PB203;
- memory:  the server's resident memory at the end (Linux).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path


class Client:
    def __init__(self, root: Path, cache: bool) -> None:
        self.root = root
        self.cache = cache
        self.client = LanguageClient("bench", "1")
        self.published: dict[str, lsp.PublishDiagnosticsParams] = {}
        self.arrived = asyncio.Event()
        self.versions: dict[str, int] = {}

        @self.client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def diagnostics(params: lsp.PublishDiagnosticsParams) -> None:
            self.published[params.uri] = params
            self.arrived.set()

        @self.client.feature(lsp.WINDOW_LOG_MESSAGE)
        def log(params: lsp.LogMessageParams) -> None:
            print(f"  server: {params.message.splitlines()[0]}", file=sys.stderr)

    async def start(self) -> None:
        extra = [] if self.cache else ["--no-cache"]
        await self.client.start_io(sys.executable, "-m", "playbooklint", "server", *extra, cwd=str(self.root))
        assert self.client._server is not None and self.client._server.stderr is not None
        asyncio.ensure_future(self._drain(self.client._server.stderr))
        await self.client.initialize_async(lsp.InitializeParams(capabilities=lsp.ClientCapabilities(),
                                                                root_uri=from_fs_path(str(self.root))))
        self.client.initialized(lsp.InitializedParams())

    @staticmethod
    async def _drain(stream: asyncio.StreamReader) -> None:
        while await stream.read(65536):
            pass

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await asyncio.wait_for(self.client.stop(), 60)

    def uri(self, rel: str) -> str:
        return from_fs_path(str(self.root / rel))

    def open(self, rel: str) -> str:
        uri = self.uri(rel)
        self.versions[uri] = 1
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(
            uri, "markdown", 1, (self.root / rel).read_text(encoding="utf-8"))))
        return uri

    def change(self, rel: str, text: str) -> int:
        uri = self.uri(rel)
        self.versions[uri] += 1
        self.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version=self.versions[uri], uri=uri),
            [lsp.TextDocumentContentChangeWholeDocument(text)]))
        return self.versions[uri]

    async def wait(self, rel: str, version: int, accept=lambda d: True) -> list[lsp.Diagnostic]:  # noqa: ANN001
        uri = self.uri(rel)
        while True:
            self.arrived.clear()
            found = self.published.get(uri)
            if found is not None and found.version == version and accept(found.diagnostics):
                return list(found.diagnostics)
            await asyncio.wait_for(self.arrived.wait(), 120)


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return (f"min {ordered[0] * 1000:.0f} ms, median {statistics.median(ordered) * 1000:.0f} ms, "
            f"p90 {p90 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms ({len(ordered)} edits)")


async def first_open(root: Path, page: str, cache: bool) -> float:
    client = Client(root, cache)
    await client.start()
    started = time.perf_counter()
    client.open(page)
    await client.wait(page, 1)
    elapsed = time.perf_counter() - started
    await client.stop()
    return elapsed


async def session(root: Path, args: argparse.Namespace) -> None:
    client = Client(root, cache=True)
    await client.start()
    page = args.page
    text = (root / page).read_text(encoding="utf-8")
    client.open(page)
    await client.wait(page, 1)
    times = []
    for n in range(args.edits):
        # alternate between a broken link and none, so every edit changes the findings
        edited = text + (f"\n[edit {n}](no-such-page-{n}.md)\n" if n % 2 == 0 else f"\nEdit {n}.\n")
        started = time.perf_counter()
        version = client.change(page, edited)
        await client.wait(page, version)
        times.append(time.perf_counter() - started)
    print(f"typing in {page}: {summary(times)}")
    if args.linked:
        client.open(args.linked)
        before = await client.wait(args.linked, 1)
        linked_times = []
        for _n in range(max(1, args.edits // 4)):
            renamed = text.replace(args.anchor, args.renamed)
            started = time.perf_counter()
            client.change(page, renamed)
            await client.wait(args.linked, 1, lambda d: any(x.code == "PB203" for x in d))
            linked_times.append(time.perf_counter() - started)
            client.change(page, text)
            await client.wait(args.linked, 1, lambda d: len(d) == len(before))
        print(f"rename an anchor of {page}, until {args.linked} shows PB203: {summary(linked_times)}")
    print(f"server memory: {memory(client)}")
    await client.stop()


def memory(client: Client) -> str:
    """The server's resident and peak memory (Linux)."""
    assert client.client._server is not None
    try:
        status = Path(f"/proc/{client.client._server.pid}/status").read_text()
    except OSError:
        return "unknown"
    found = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return f"{found.get('VmRSS', '?').strip()} resident, {found.get('VmHWM', '?').strip()} at most"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("docset", type=Path)
    parser.add_argument("page")
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--linked")
    parser.add_argument("--anchor")
    parser.add_argument("--renamed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="playbooklint-server-bench-") as scratch:
        root = Path(scratch) / args.docset.name
        shutil.copytree(args.docset, root, symlinks=True)
        cold = asyncio.run(first_open(root, args.page, cache=False))
        print(f"first diagnostics, no cache: {cold:.2f} s")
        asyncio.run(first_open(root, args.page, cache=True))  # writes the cache
        warm = asyncio.run(first_open(root, args.page, cache=True))
        print(f"first diagnostics, warm cache: {warm:.2f} s")
        asyncio.run(session(root, args))


if __name__ == "__main__":
    main()

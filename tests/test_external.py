"""External links (``--external``) against a real HTTP server on 127.0.0.1, never the internet.

The server counts requests per (method, path) and the requests in flight at once. The short-link
host is configurable (``external-short-links``: URL patterns), so ``http://127.0.0.1:PORT/akams/*``
stands for ``https://aka.ms/*`` here. ``does-not-exist.invalid`` never resolves (RFC 2606).
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import only_rules, write_tree
from playbooklint.cli import main
from playbooklint.config import Config
from playbooklint.engine import lint
from playbooklint.external import ExternalSettings, check_urls, is_search_page, request_url
from playbooklint.workspace import RunOptions

RULES = only_rules("link-external-broken", "link-external-unreachable", "link-external-redirected")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.counts: Counter[tuple[str, str]] = Counter()
        self.lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
        pass

    def _answer(self, code: int, headers: dict[str, str] | None = None, body: bytes = b"") -> None:
        self.send_response(code)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _route(self) -> None:
        server = self.server
        path = self.path
        with server.lock:
            server.counts[(self.command, path)] += 1
            seen = server.counts[("HEAD", path)] + server.counts[("GET", path)]
            server.in_flight += 1
            server.peak = max(server.peak, server.in_flight)
        try:
            if path.startswith("/ok") or path == "/search?q=x":
                self._answer(200, body=b"<h1 id='top'>ok</h1>")
            elif path == "/page":
                self._answer(200, {"Content-Type": "text/html; charset=utf-8"},
                             b"<html><h2 id='setup'>Set up</h2><a name='legacy'></a><p id=\"caf\xc3\xa9\">x</p></html>")
            elif path == "/moved":
                self._answer(301, {"Location": "/ok-new"})
            elif path == "/found":
                self._answer(302, {"Location": "/ok-temp"})
            elif path == "/akams/dead":
                self._answer(302, {"Location": f"{server.base}/search?q=x"})
            elif path == "/akams/live":
                self._answer(301, {"Location": f"{server.base}/ok-target"})
            elif path == "/missing":
                self._answer(404)
            elif path == "/gone":
                self._answer(410)
            elif path == "/nohead":
                self._answer(405 if self.command == "HEAD" else 200)
            elif path == "/busy":
                self._answer(429, {"Retry-After": "5"}) if seen == 1 else self._answer(200)
            elif path == "/flaky":
                self._answer(500 if seen == 1 else 200)
            elif path == "/down":
                self._answer(500)
            elif path == "/slow":
                time.sleep(1.0)
                self._answer(200)
            elif path.startswith("/many/"):
                time.sleep(0.02)
                self._answer(200)
            else:
                self._answer(404)
        finally:
            with server.lock:
                server.in_flight -= 1

    do_HEAD = _route
    do_GET = _route


@pytest.fixture
def server() -> Iterator[_Server]:
    found = _Server()
    thread = threading.Thread(target=found.serve_forever, daemon=True)
    thread.start()
    yield found
    found.shutdown()
    found.server_close()


def _settings(server: _Server, **more: object) -> dict[str, object]:
    return {"external": True, "rules": RULES, "external_timeout": 0.3, "external_retries": 1,
            "external_max_retry_wait": 0.05, "external_host_interval": 0.0,
            "external_short_links": (f"{server.base}/akams/*",), **more}


def _run(root: Path, overrides: dict[str, object], cache: bool = True) -> tuple[list[str], object]:
    cwd = os.getcwd()
    try:
        os.chdir(root)
        result = lint([root], overrides=overrides, options=RunOptions(cache=cache, cache_dir=root / "cache", jobs=1))
    finally:
        os.chdir(cwd)
    return [f"{d.path}:{d.line}:{d.column} {d.code} {d.message}" for d in result.diagnostics], result


PAGE = """# Links

- [ok]({base}/ok)
- [moved]({base}/moved)
- [found]({base}/found)
- [short dead]({base}/akams/dead)
- [short live]({base}/akams/live)
- [missing]({base}/missing)
- [gone]({base}/gone)
- [no head]({base}/nohead)
- [busy]({base}/busy)
- [flaky]({base}/flaky)
- [down]({base}/down)
- [slow]({base}/slow)
- [nowhere](http://does-not-exist.invalid/page)
- [ok again]({base}/ok#top)
- [not http](mailto:someone@contoso.com)
"""


def test_findings_and_request_counts(tmp_path: Path, server: _Server) -> None:
    write_tree(tmp_path, {"page.md": PAGE.format(base=server.base),
                          "other.md": f"# Other\n\nSee [missing]({server.base}/missing).\n"})
    found, result = _run(tmp_path, _settings(server))
    base = server.base
    assert found == [
        f"other.md:3:5 PB217 '{base}/missing' is broken: 404 Not Found",
        f"page.md:4:3 PB219 '{base}/moved' has moved permanently to '{base}/ok-new'",
        f"page.md:6:3 PB217 '{base}/akams/dead' is broken: the short link leads to a search page ({base}/search?q=x)",
        f"page.md:8:3 PB217 '{base}/missing' is broken: 404 Not Found",
        f"page.md:9:3 PB217 '{base}/gone' is broken: 410 Gone",
        f"page.md:13:3 PB218 '{base}/down' is unreachable: 500 Internal Server Error",
        f"page.md:14:3 PB218 '{base}/slow' is unreachable: timed out",
        "page.md:15:3 PB217 'http://does-not-exist.invalid/page' is broken: unknown host",
    ]
    counts = server.counts
    # each URL once however often it is linked (the fragment stripped), redirects followed
    assert counts[("HEAD", "/ok")] == 1 and counts[("GET", "/ok")] == 0
    assert counts[("HEAD", "/missing")] == 1
    assert counts[("HEAD", "/moved")] == 1 and counts[("HEAD", "/ok-new")] == 1
    # short links: the redirect is not followed
    assert counts[("HEAD", "/akams/live")] == 1 and counts[("HEAD", "/ok-target")] == 0
    assert counts[("HEAD", "/search?q=x")] == 0
    # HEAD refused: GET
    assert counts[("HEAD", "/nohead")] == 1 and counts[("GET", "/nohead")] == 1
    # retried once: 429 (Retry-After capped), 500 then 200; 500 always; the slow one
    assert counts[("HEAD", "/busy")] == 2 and counts[("HEAD", "/flaky")] == 2
    assert counts[("HEAD", "/down")] == 2 and counts[("HEAD", "/slow")] == 2
    assert result.notices == []


def test_cache_answers_without_requests_and_asks_transient_failures_again(tmp_path: Path, server: _Server) -> None:
    write_tree(tmp_path, {"page.md": PAGE.format(base=server.base)})
    first, _ = _run(tmp_path, _settings(server))
    assert (tmp_path / "cache" / "external.json").is_file()
    server.counts.clear()
    second, _ = _run(tmp_path, _settings(server))
    # answers (200, 404, 410, 301, dead short link) come from the cache: not requested again
    for path in ("/ok", "/missing", "/gone", "/moved", "/akams/dead", "/akams/live", "/nohead", "/busy", "/flaky"):
        assert server.counts[("HEAD", path)] == 0, path
    # transient failures are asked again: 5xx, timeouts
    assert server.counts[("HEAD", "/down")] == 2 and server.counts[("HEAD", "/slow")] == 2
    assert second == first
    # an answer older than the maximum age is asked again
    server.counts.clear()
    _run(tmp_path, _settings(server, external_cache_max_age=0.0))
    assert server.counts[("HEAD", "/ok")] == 1
    # without the cache, everything is asked
    server.counts.clear()
    _run(tmp_path, _settings(server), cache=False)
    assert server.counts[("HEAD", "/missing")] == 1


def test_per_host_limit_is_never_exceeded(tmp_path: Path, server: _Server) -> None:
    urls = [f"{server.base}/many/{i}" for i in range(40)]
    settings = ExternalSettings(timeout=2, max_concurrency=16, per_host=2, host_interval=0.0)
    report = check_urls(urls + urls, settings)
    assert all(r.state == "ok" for r in report.results.values()) and len(report.results) == 40
    assert report.requests == 40
    assert server.peak == 2


def test_minimum_interval_between_requests_to_one_host(server: _Server) -> None:
    urls = [f"{server.base}/ok/{i}" for i in range(5)]
    started = time.monotonic()
    check_urls(urls, ExternalSettings(timeout=2, per_host=2, host_interval=0.1))
    assert time.monotonic() - started >= 0.4


def test_off_by_default_and_offline(tmp_path: Path, server: _Server) -> None:
    write_tree(tmp_path, {"page.md": PAGE.format(base=server.base)})
    found, _ = _run(tmp_path, {"rules": RULES})
    assert found == [] and not server.counts
    write_tree(tmp_path, {".playbooklint.toml": 'external = true\nexternal-timeout = 0.3\nexternal-retries = 0\n'
                                                '[rules]\nlink-external-broken = "error"\n'
                                                'link-external-unreachable = "off"\n'
                                                'link-external-redirected = "off"\n'})
    code = main(["check", str(tmp_path), "--offline", "--no-cache", "--select", "PB217"])
    assert code == 0 and not server.counts
    code = main(["check", str(tmp_path), "--no-cache", "--select", "PB217"])
    assert code == 1 and server.counts[("HEAD", "/missing")] == 1


def test_excluded_urls_are_not_requested(tmp_path: Path, server: _Server) -> None:
    write_tree(tmp_path, {"page.md": f"# P\n\n[a]({server.base}/missing) [b](https://localhost/x)\n"})
    found, _ = _run(tmp_path, _settings(server, external_exclude=(f"{server.base}/miss*",)))
    assert found == [] and not server.counts


def test_learn_urls_served_by_the_repository_are_not_requested(tmp_path: Path, server: _Server) -> None:
    write_tree(tmp_path, {
        "docfx.json": '{"build": {"content": [{"files": ["**/*.md"]}],'
                      ' "globalMetadata": {"breadcrumb_path": "/azure/thing/breadcrumb/toc.json"}}}',
        "index.md": "# Index\n\n[here](https://learn.microsoft.com/en-us/azure/thing/other)\n",
        "other.md": "# Other\n",
    })
    found, result = _run(tmp_path, _settings(server))
    assert found == [] and result.external_requests == 0


def test_network_unreachable_is_one_notice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    links = "".join(f"- [x](http://host{i}.invalid/page)\n" for i in range(12))
    write_tree(tmp_path, {"page.md": f"# Offline\n\n{links}"})
    found, result = _run(tmp_path, {"external": True, "rules": RULES, "external_timeout": 0.5})
    assert found == []
    assert result.notices == ["external links not checked: the network is unreachable (12 URLs)"]
    code = main(["check", str(tmp_path), "--external", "--no-cache", "--select", "PB217,PB218"])
    assert code == 0
    assert "external links not checked: the network is unreachable (12 URLs)" in capsys.readouterr().err


def test_fragments_of_external_pages_only_when_asked(tmp_path: Path, server: _Server) -> None:
    base = server.base
    write_tree(tmp_path, {"page.md": f"# P\n\n[a]({base}/page#setup) [b]({base}/page#nope)\n\n"
                                     f"[c]({base}/page#legacy) [d]({base}/page#caf%C3%A9) [e]({base}/ok#nope)\n"})
    found, _ = _run(tmp_path, _settings(server), cache=False)
    assert found == [] and server.counts[("HEAD", "/page")] == 1 and server.counts[("GET", "/page")] == 0
    server.counts.clear()
    found, _ = _run(tmp_path, _settings(server, external_fragments=True))
    # read once with GET (ids read with html.parser); /ok is not HTML: its fragment is not judged
    column = len(f"[a]({base}/page#setup) ") + 1
    assert found == [f"page.md:3:{column} PB217 '{base}/page' has no anchor '#nope'"]
    assert server.counts[("GET", "/page")] == 1 and server.counts[("HEAD", "/page")] == 0
    server.counts.clear()
    again, _ = _run(tmp_path, _settings(server, external_fragments=True))
    assert again == found and server.counts[("GET", "/page")] == 0  # the anchors are cached


def test_config_keys(tmp_path: Path) -> None:
    from playbooklint.config import load_config

    path = tmp_path / ".playbooklint.toml"
    path.write_text('external = true\nexternal-exclude = ["https://x/*"]\nexternal-accept = [200, 403]\n'
                    'external-timeout = 3\nexternal-per-host = 4\nexternal-cache-max-age = 60\n', encoding="utf-8")
    config = load_config(path)
    assert config.external and config.external_exclude == ("https://x/*",) and config.external_accept == (200, 403)
    assert config.external_timeout == 3 and config.external_per_host == 4 and config.external_cache_max_age == 60
    assert Config().external is False and Config().external_accept == tuple(range(200, 300))


def test_helpers() -> None:
    assert request_url("<https://contoso.com/a#b>") == "https://contoso.com/a"
    assert request_url("mailto:x@y") is None and request_url("https://<your-app>.azurewebsites.net") is None
    assert request_url("http://localhost:5000/") is None
    assert is_search_page("https://www.bing.com/search?q=aka.ms%2Fx") and is_search_page("https://x/search?q=1")
    assert not is_search_page("https://learn.microsoft.com/azure/")


def test_odd_urls_do_not_stop_the_run() -> None:
    report = check_urls(["https://host.invalid:99999/", "https://xn--.invalid/"], ExternalSettings(timeout=0.5))
    assert {r.state for r in report.results.values()} == {"unreachable"}
    assert all(r.transient and "cannot be requested" in r.detail for r in report.results.values())


def test_progress_counts_the_urls_answered(tmp_path: Path, server: _Server) -> None:
    urls = [f"{server.base}/ok/p{i}" for i in range(6)]
    seen: list[tuple[int, int]] = []
    check_urls(urls, ExternalSettings(timeout=2, per_host=2, host_interval=0.0),
               progress=lambda done, total: seen.append((done, total)))
    assert [done for done, _total in seen] == list(range(1, 7)) and {total for _d, total in seen} == {6}
    write_tree(tmp_path, {"page.md": f"[a]({server.base}/ok/q1) [b]({server.base}/ok/q2)\n",
                          ".playbooklint.toml": "external = true\n"})
    from playbooklint import lint
    calls: list[tuple[int, int]] = []
    lint([tmp_path], cache=False, jobs=1, link_progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1] == (2, 2)

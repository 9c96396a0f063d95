"""External links: each unique http(s) URL of a run requested once, politely, its answer cached.

The engine collects the URLs (``collect_urls``: links the Docset resolves as ``external``, so a
Microsoft Learn URL that a docset of the repository serves is never requested), checks them
(``check_urls``) before the rules run, and hands the answers to the docsets as a read-only mapping
(``Docset.external_result``); the rules in ``rules/external.py`` only read it.

The client is httpx: one well-kept client with HTTP/1.1 keep-alive, timeouts, async requests and
control over redirects, driven from the synchronous engine with ``asyncio.run``.

Politeness: at most ``external-max-concurrency`` requests in flight, ``external-per-host`` to one
host, and ``external-host-interval`` seconds between the starts of two requests to one host;
HEAD first, GET when HEAD is refused (405, 403, 501); retries with backoff for 429, 5xx and
timeouts, honouring ``Retry-After`` up to ``external-max-retry-wait``; redirects followed one by
one (each hop is a request to its host, under the same limits) up to ``MAX_REDIRECTS``.

Answers persist in ``external.json`` in the cache folder for ``external-cache-max-age`` seconds;
transient failures (timeouts, DNS and connection errors, 429, 5xx) are never cached. When no
request got any answer and every one failed to resolve or connect, the network is taken to be
unreachable: no URL is judged (``ExternalReport.network_down``) and the caller says so once.
"""

from __future__ import annotations

import asyncio
import email.utils
import fnmatch
import importlib.util
import json
import socket
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from . import __version__
from .cache import write_cache_file
from .config import Config
from .readfile import read_regular_text

if TYPE_CHECKING:
    from .docset import Docset

State = Literal["ok", "broken", "unreachable"]

MAX_REDIRECTS = 10
CACHE_FILE = "external.json"
CACHE_VERSION = 1
USER_AGENT = f"playbooklint/{__version__} (link checker; +https://github.com/playbooklint/playbooklint)"
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
HEAD_REFUSED = frozenset({403, 405, 501})
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
BROKEN_STATUS = frozenset({404, 410})
PERMANENT = frozenset({301, 308})
NEVER_CHECKED_HOSTS = ("localhost", "example.com", "example.org", "example.net")
"""Hosts (and their subdomains) that documentation names as placeholders: never requested."""
MAX_BODY = 5 * 1024 * 1024
"""Bytes of a page read for its anchors (``external-fragments``); the rest is not read."""
NETWORK_DOWN_AFTER = 12
"""Hosts that must all fail to resolve or connect, with no answer from any host, before the
network is taken to be unreachable and the remaining requests are not made."""

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class ExternalResult:
    """What requesting one URL (without its fragment) told."""

    state: State
    """ok, broken (404, 410, dead short link, unknown host, redirect loop) or unreachable (timeouts,
    5xx or 429 after retries, refused connections, other unaccepted codes)."""
    detail: str = ""
    """Why, for a message: ``404 Not Found``, ``timed out``, ``unknown host``..."""
    status: int | None = None
    """The last HTTP status received, if any."""
    moved_to: str | None = None
    """For a permanent redirect (301/308 on the first hop): where the redirects end."""
    transient: bool = False
    """A failure that may pass (timeout, DNS or connection error, 429, 5xx): never cached."""
    network: bool = False
    """The request never reached a server (DNS or connection failure)."""
    checked: float = 0.0
    """When it was checked (seconds since the epoch)."""
    anchors: tuple[str, ...] | None = None
    """With ``external-fragments``: the ids (and ``<a name>``) of the HTML page reached, sorted;
    None when the page was not read (not asked for, or not HTML)."""


@dataclass(frozen=True)
class ExternalSettings:
    """The ``external-*`` settings of a run (defaults: the config's)."""

    timeout: float = Config.external_timeout
    max_concurrency: int = Config.external_max_concurrency
    per_host: int = Config.external_per_host
    host_interval: float = Config.external_host_interval
    retries: int = Config.external_retries
    max_retry_wait: float = Config.external_max_retry_wait
    accept: frozenset[int] = frozenset(Config.external_accept)
    exclude: tuple[str, ...] = Config.external_exclude
    short_links: tuple[str, ...] = Config.external_short_links
    cache_max_age: float = Config.external_cache_max_age
    fragments: bool = Config.external_fragments

    @classmethod
    def from_config(cls, config: Config) -> ExternalSettings:
        return cls(config.external_timeout, config.external_max_concurrency, config.external_per_host,
                   config.external_host_interval, config.external_retries, config.external_max_retry_wait,
                   frozenset(config.external_accept), tuple(config.external_exclude),
                   tuple(config.external_short_links), config.external_cache_max_age,
                   config.external_fragments)


@dataclass
class ExternalReport:
    """The answers of one run."""

    results: dict[str, ExternalResult] = field(default_factory=dict)
    """URL (no fragment) -> answer; only the cached ones when the network was unreachable."""
    requests: int = 0
    """HTTP requests made (retries and redirect hops included)."""
    cached: int = 0
    """URLs answered from the cache."""
    network_down: int = 0
    """When the network was unreachable: how many URLs were not checked (else 0)."""

    def notices(self) -> list[str]:
        if self.network_down:
            return [f"external links not checked: the network is unreachable ({self.network_down} URLs)"]
        return []


def request_url(target: str) -> str | None:
    """The URL to request for a link target: http(s) only, without ``<>`` and the fragment;
    None for anything else or a URL that cannot be requested (a placeholder host, no host)."""
    url = target.strip()
    if url.startswith("<") and url.endswith(">"):
        url = url[1:-1].strip()
    if url[:7].lower() != "http://" and url[:8].lower() != "https://":
        return None
    url = url.split("#", 1)[0]
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host or any(c in host for c in "<>{}[]% \\|^`\"'"):
        return None
    if any(host == h or host.endswith("." + h) for h in NEVER_CHECKED_HOSTS) or host.startswith("169.254."):
        return None  # placeholders; and link-local addresses (cloud metadata services) are never asked
    return url


def collect_urls(docsets: Iterable[Docset], settings: ExternalSettings) -> dict[str, bool]:
    """Every http(s) URL the reported pages link to (no fragment, each once, not excluded), with
    True when a link to it names a fragment."""
    from .rules.external import external_links

    found: dict[str, bool] = {}
    for docset in docsets:
        for rel in sorted(docset.pages):
            if not docset.is_selected(rel):
                continue
            for _line, _column, url, fragment, _span in external_links(docset.pages[rel], docset):
                if not excluded(url, settings):
                    found[url] = found.get(url, False) or bool(fragment)
    return found


def excluded(url: str, settings: ExternalSettings) -> bool:
    return any(fnmatch.fnmatchcase(url, pattern) for pattern in settings.exclude)


def is_search_page(url: str) -> bool:
    """A search page, where a dead short link lands: Bing, or a ``.../search`` or ``?q=`` URL."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    if host == "bing.com" or host.endswith(".bing.com"):
        return True
    segments = [s for s in parts.path.lower().split("/") if s]
    return (bool(segments) and segments[-1] == "search") or "q" in parse_qs(parts.query)


class _Anchors(HTMLParser):
    """Every ``id`` and ``<a name>`` of an HTML page (read with html.parser, never regexes)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name == "id" or (name == "name" and tag == "a")):
                self.found.add(value)


def page_anchors(body: bytes, encoding: str | None) -> tuple[str, ...]:
    parser = _Anchors()
    try:
        parser.feed(body.decode(encoding or "utf-8", "replace"))
        parser.close()
    except (LookupError, AssertionError):
        pass
    return tuple(sorted(parser.found))


def has_anchor(result: ExternalResult, fragment: str) -> bool:
    """True unless the page was read and has no such id (GitHub prefixes its ids with
    ``user-content-``; its script adds the short ones)."""
    if result.anchors is None or not fragment:
        return True
    wanted = unquote(fragment)
    return any(a in result.anchors for a in (wanted, f"user-content-{wanted}", f"user-content-{wanted.lower()}"))


# ---------------------------------------------------------------------- the cache


def load_cache(path: Path, max_age: float, now: float) -> dict[str, ExternalResult]:
    """Cached answers younger than ``max_age``; anything unreadable is ignored."""
    try:
        data = json.loads(read_regular_text(path))
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION or not isinstance(data.get("urls"), dict):
        return {}
    found: dict[str, ExternalResult] = {}
    for url, entry in data["urls"].items():
        try:
            if isinstance(entry.get("anchors"), list):
                entry["anchors"] = tuple(entry["anchors"])
            result = ExternalResult(**entry)
        except (TypeError, AttributeError):
            continue
        if result.state in ("ok", "broken", "unreachable") and not result.transient \
                and 0 <= now - result.checked <= max_age:
            found[url] = result
    return found


def save_cache(path: Path, results: Mapping[str, ExternalResult], old: Mapping[str, ExternalResult]) -> None:
    """Keep the answers (never transient failures) with the still-fresh old ones; a folder that
    cannot be written is simply not written."""
    keep = {url: asdict(r) for url, r in {**old, **results}.items() if not r.transient}
    blob = json.dumps({"version": CACHE_VERSION, "urls": keep}, indent=0, sort_keys=True).encode("utf-8")
    write_cache_file(path, blob)


# ---------------------------------------------------------------------- checking


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _unknown_host(exc: BaseException) -> bool:
    """True when an error (or one it was raised from) is a failed DNS lookup."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, socket.gaierror):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    text = str(exc).lower()
    return "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text


class _Host:
    """One host's limits: a semaphore and the time its next request may start."""

    def __init__(self, per_host: int) -> None:
        self.slots = asyncio.Semaphore(per_host)
        self.lock = asyncio.Lock()
        self.next_start = 0.0


class _Checker:
    def __init__(self, settings: ExternalSettings) -> None:
        self.settings = settings
        self.slots = asyncio.Semaphore(settings.max_concurrency)
        self.hosts: dict[str, _Host] = {}
        self.requests = 0
        self.answered = False
        self.failed_hosts: set[str] = set()
        self.down = asyncio.Event()

    def _host(self, url: str) -> _Host:
        parts = urlsplit(url)
        key = f"{(parts.hostname or '').lower()}:{parts.port or ''}"
        found = self.hosts.get(key)
        if found is None:
            found = self.hosts[key] = _Host(self.settings.per_host)
        return found

    async def _send(self, client: Any, method: str, url: str, read: bool = False) -> Any:
        """One request under the global and per-host limits; the body is read (up to ``MAX_BODY``,
        into ``response.extensions["body"]``) only when asked."""
        host = self._host(url)
        # the host's slot first: a request waiting for its host must not hold one of the global
        # slots (pages list many links to one host in a row; they would take every global slot)
        async with host.slots, self.slots:
            async with host.lock:
                wait = host.next_start - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                host.next_start = time.monotonic() + self.settings.host_interval
            self.requests += 1
            request = client.build_request(method, url)
            response = await client.send(request, stream=True)
            try:
                if read:
                    body = bytearray()
                    async for chunk in response.aiter_bytes():
                        body += chunk
                        if len(body) > MAX_BODY:
                            break
                    response.extensions["body"] = bytes(body)
            finally:
                await response.aclose()
            return response

    async def _hop(self, client: Any, url: str, read: bool = False) -> Any:
        """HEAD, then GET when HEAD is refused (GET at once when the body is wanted); retried for
        429, 5xx and timeouts."""
        import httpx

        attempt = 0
        while True:
            wait: float | None = None
            try:
                response = await self._send(client, "GET" if read else "HEAD", url, read)
                if not read and response.status_code in HEAD_REFUSED:
                    response = await self._send(client, "GET", url)
                self.answered = True
                if response.status_code not in RETRY_STATUS or attempt >= self.settings.retries:
                    return response
                wait = _retry_after(response.headers.get("retry-after"))
            except httpx.TimeoutException:
                if attempt >= self.settings.retries:
                    raise
            except httpx.ConnectError as exc:
                if _unknown_host(exc) or attempt >= self.settings.retries:
                    raise
            attempt += 1
            backoff = 0.25 * 2 ** attempt if wait is None else wait
            await asyncio.sleep(min(backoff, self.settings.max_retry_wait))

    async def check(self, client: Any, url: str, read: bool = False) -> ExternalResult:
        """Request a URL (following redirects unless it is a short link); ``read``: read the page
        reached for its anchors."""
        import httpx

        now = time.time()
        short = any(fnmatch.fnmatchcase(url, p) for p in self.settings.short_links)
        current, moved_to, permanent = url, None, False
        try:
            for hop in range(MAX_REDIRECTS + 1):
                response = await self._hop(client, current, read)
                code = response.status_code
                location = response.headers.get("location")
                if 300 <= code < 400 and location:
                    following = urljoin(current, location)
                    if short:
                        if is_search_page(following):
                            return ExternalResult("broken", f"the short link leads to a search page ({following})",
                                                  code, checked=now)
                        return ExternalResult("ok", "", code, checked=now)
                    if hop == 0:
                        permanent = code in PERMANENT
                    current = following
                    continue
                moved_to = current if permanent and current != url else None
                result = self._judge(code, response.reason_phrase, moved_to, now)
                body = response.extensions.get("body")
                if read and result.state == "ok" and body is not None \
                        and "html" in response.headers.get("content-type", "").lower():
                    result = replace(result, anchors=page_anchors(body, response.charset_encoding))
                return result
            return ExternalResult("broken", f"more than {MAX_REDIRECTS} redirects", None, checked=now)
        except httpx.TimeoutException:
            return ExternalResult("unreachable", "timed out", transient=True, checked=now)
        except httpx.ConnectError as exc:
            self.failed_hosts.add(urlsplit(current).hostname or "")
            if not self.answered and len(self.failed_hosts) >= NETWORK_DOWN_AFTER:
                self.down.set()
            if _unknown_host(exc):
                return ExternalResult("broken", "unknown host", transient=True, network=True, checked=now)
            return ExternalResult("unreachable", f"cannot connect ({exc})", transient=True, network=True,
                                  checked=now)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            return ExternalResult("ok", f"not requested: {exc}", transient=True, checked=now)
        except httpx.HTTPError as exc:
            return ExternalResult("unreachable", f"{type(exc).__name__}: {exc}", transient=True, checked=now)

    def _judge(self, code: int, reason: str, moved_to: str | None, now: float) -> ExternalResult:
        said = f"{code} {reason}".strip()
        if code in self.settings.accept:
            return ExternalResult("ok", said, code, moved_to, checked=now)
        if code in BROKEN_STATUS:
            return ExternalResult("broken", said, code, checked=now)
        if code in RETRY_STATUS or code >= 500:
            return ExternalResult("unreachable", said, code, transient=True, checked=now)
        return ExternalResult("unreachable", said, code, checked=now)


def _fail_fast_sniffio() -> None:
    """httpcore imports ``sniffio`` on every request and falls back to asyncio when it is missing
    (anyio 4.x no longer installs it); a failed import is not remembered, so each request searched
    ``sys.path`` again: half the client's time in the benchmark. Marking the module missing makes
    the same import fail at once, with the same outcome."""
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


async def _check_all(urls: list[str], settings: ExternalSettings, bodies: frozenset[str] = frozenset(),
                     progress: Callable[[int, int], None] | None = None
                     ) -> tuple[dict[str, ExternalResult], int, bool]:
    import httpx

    _fail_fast_sniffio()
    checker = _Checker(settings)
    limits = httpx.Limits(max_connections=settings.max_concurrency,
                          max_keepalive_connections=settings.max_concurrency)
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    results: dict[str, ExternalResult] = {}
    async with httpx.AsyncClient(follow_redirects=False, timeout=settings.timeout, limits=limits,
                                 headers=headers) as client:
        async def one(url: str) -> None:
            try:
                results[url] = await checker.check(client, url, url in bodies)
            except Exception as exc:  # noqa: BLE001 - one odd URL must not stop the run
                results[url] = ExternalResult("unreachable", f"cannot be requested ({type(exc).__name__}: {exc})",
                                              transient=True, checked=time.time())
            if progress is not None:
                progress(len(results), len(urls))

        tasks = [asyncio.ensure_future(one(url)) for url in urls]
        everything: asyncio.Future[Any] = asyncio.ensure_future(asyncio.gather(*tasks))
        down: asyncio.Future[Any] = asyncio.ensure_future(checker.down.wait())
        await asyncio.wait({everything, down}, return_when=asyncio.FIRST_COMPLETED)
        if not everything.done():
            everything.cancel()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        down.cancel()
        await asyncio.gather(everything, down, return_exceptions=True)
    network_down = not checker.answered and bool(results) and all(r.network for r in results.values())
    return results, checker.requests, network_down


def _run(coroutine: Coroutine[Any, Any, _T]) -> _T:
    """``asyncio.run``, or in a thread of its own when the caller is inside an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    box: list[_T] = []
    thread = threading.Thread(target=lambda: box.append(asyncio.run(coroutine)))
    thread.start()
    thread.join()
    return box[0]


def check_urls(urls: Iterable[str] | Mapping[str, bool], settings: ExternalSettings,
               cache_path: Path | None = None, progress: Callable[[int, int], None] | None = None) -> ExternalReport:
    """Request each URL once (cached answers younger than the maximum age are not requested).
    ``urls`` may map each URL to True when a link names a fragment of it: with
    ``settings.fragments``, its page is read for its anchors."""
    now = time.time()
    wanted = list(dict.fromkeys(urls))
    bodies = frozenset(u for u, v in urls.items() if v) if settings.fragments and isinstance(urls, Mapping) \
        else frozenset()
    cached = load_cache(cache_path, settings.cache_max_age, now) if cache_path is not None else {}
    cached = {u: r for u, r in cached.items() if u not in bodies or r.anchors is not None or r.state != "ok"}
    report = ExternalReport()
    todo = [url for url in wanted if url not in cached]
    report.results = {url: cached[url] for url in wanted if url in cached}
    report.cached = len(report.results)
    if todo:
        fresh, report.requests, network_down = _run(_check_all(todo, settings, bodies, progress))
        if network_down:  # no answer judged; the cached ones still hold
            report.network_down = len(todo)
            return report
        report.results.update(fresh)
    if cache_path is not None:
        save_cache(cache_path, {u: r for u, r in report.results.items() if u in todo}, cached)
    return report

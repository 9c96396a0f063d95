"""Benchmark ``--external``: 1,000 unique URLs on 20 local hosts, per-host limit 2.

Each "host" is its own HTTP server on 127.0.0.2 ... 127.0.0.21 (all of 127.0.0.0/8 is loopback on
Linux; elsewhere, ports of 127.0.0.1 stand in), run in a separate process (so the servers do not
compete with the client for the GIL), answering 200 after a short delay and counting the requests
it serves at once. Prints the wall time and the client's peak RSS (and, with ``--trace``, the peak
memory the check allocated, measured by tracemalloc, which slows it down), and verifies that each
URL was requested once and no server ever saw more than the per-host limit at once.

    python bench/external.py [--urls 1000] [--hosts 20] [--per-host 2] [--interval 0.1] [--delay 0.02]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import socket
import sys
import threading
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from playbooklint.external import ExternalSettings, check_urls


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, host: str, delay: float) -> None:
        super().__init__((host, 0), _Handler)
        self.delay = delay
        self.lock = threading.Lock()
        self.in_flight = self.peak = self.served = 0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_HEAD(self) -> None:  # noqa: N802
        server = self.server
        with server.lock:
            server.in_flight += 1
            server.served += 1
            server.peak = max(server.peak, server.in_flight)
        try:
            time.sleep(server.delay)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
        finally:
            with server.lock:
                server.in_flight -= 1


def _addresses(count: int) -> list[str]:
    try:
        probe = socket.socket()
        probe.bind(("127.0.0.2", 0))
        probe.close()
        return [f"127.0.0.{i + 2}" for i in range(count)]
    except OSError:
        return ["127.0.0.1"] * count


def _serve(addresses: list[str], delay: float, pipe: object) -> None:
    servers = [_Server(address, delay) for address in addresses]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    pipe.send([f"http://{s.server_address[0]}:{s.server_address[1]}" for s in servers])  # type: ignore[attr-defined]
    pipe.recv()  # type: ignore[attr-defined]
    pipe.send([(s.peak, s.served) for s in servers])  # type: ignore[attr-defined]
    for server in servers:
        server.shutdown()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--interval", type=float, default=0.1, help="external-host-interval (s)")
    parser.add_argument("--delay", type=float, default=0.02, help="server time per request (s)")
    parser.add_argument("--trace", action="store_true", help="measure allocations with tracemalloc (slower)")
    args = parser.parse_args()

    mine, theirs = multiprocessing.Pipe()
    child = multiprocessing.Process(target=_serve, args=(_addresses(args.hosts), args.delay, theirs), daemon=True)
    child.start()
    bases: list[str] = mine.recv()
    # grouped by host, as pages list them (many links to one site in a row); each URL linked
    # three times: requested once
    per = -(-args.urls // len(bases))
    urls = [f"{bases[i // per]}/page/{i}" for i in range(args.urls)]
    settings = ExternalSettings(timeout=10, max_concurrency=args.concurrency, per_host=args.per_host,
                                host_interval=args.interval)
    if args.trace:
        tracemalloc.start()
    started = time.perf_counter()
    report = check_urls(urls * 3, settings)
    wall = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if args.trace else 0
    mine.send("stop")
    stats: list[tuple[int, int]] = mine.recv()
    child.join(5)
    ok = sum(1 for r in report.results.values() if r.state == "ok")
    peaks = [p for p, _ in stats]
    served = sum(n for _, n in stats)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    distinct = len({b.rsplit(":", 1)[0] for b in bases}) > 1
    traced = f"peak allocated {peak / 1e6:.1f} MB; " if args.trace else ""
    print(f"{args.urls} URLs on {len(bases)} hosts ({'distinct addresses' if distinct else 'ports of 127.0.0.1'}), "
          f"per-host {args.per_host}, concurrency {args.concurrency}, interval {args.interval}s, "
          f"server delay {args.delay * 1000:.0f} ms")
    print(f"wall {wall:.2f} s; {ok} ok; {report.requests} requests ({served} served); {traced}"
          f"client peak RSS {rss:.0f} MB; per-host peak in flight {min(peaks)}..{max(peaks)}")
    failed = max(peaks) > args.per_host or ok != args.urls or served != args.urls
    if failed:
        print("FAILED: per-host limit exceeded or URLs not each requested once", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

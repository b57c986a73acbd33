"""Where a benchmarked page spends its time, in-process: CPU ms per request, queries, and a profile.

    .venv/bin/python bench/profile_page.py [PAGE ...] [--n 50] [--profile] [--queries]

With --profile, SORT=tottime orders by own time, TOP=N prints N rows, FILTER=regex keeps matching rows.

Runs against the scale-seed database that `make bench` uses (production settings, same environment
as bench/run sets). The load test measures what users feel; this says where the milliseconds go.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ppda.settings.production")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench import targets  # noqa: E402
from bench.bench import PAGES, Page  # noqa: E402


def _floor():
    """The signed-in home page as the bench's coordinators: every signed-in page's fixed cost (middleware,
    session, second factor, base layout) and nothing else, for comparing a page's CPU with the floor's."""
    from django.urls import reverse

    return [(reverse("home"), targets._cookie(u)) for u in targets._coordinators()]


if not any("home" in p.name or "floor" in p.name for p in PAGES):
    PAGES = [Page("signed-in home page", _floor), *PAGES]

RENDER_MS: list[float] = []


def _time_renders() -> None:
    """Record the time of each top-level template render (the page's own, not its includes)."""
    from django.template.backends import django as backend

    original = backend.Template.render
    depth = [0]

    def render(self, context=None, request=None):
        depth[0] += 1
        t0 = time.process_time()
        try:
            return original(self, context, request)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                RENDER_MS.append((time.process_time() - t0) * 1000)

    backend.Template.render = render


def _client(cookie: str) -> Client:
    client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1")
    if cookie:
        name, _, value = cookie.partition("=")
        client.cookies[name] = value
    return client


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("pages", nargs="*", help="substrings of page names (default: all)")
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--profile", action="store_true", help="print the top functions by cumulative time")
    parser.add_argument("--queries", action="store_true", help="print each query of one request, timed")
    args = parser.parse_args()
    _time_renders()
    for page in PAGES:
        if args.pages and not any(p in page.name for p in args.pages):
            continue
        built = page.build()
        if not built:
            print(f"{page.name}: not available")
            continue
        clients = [(path, _client(cookie)) for path, cookie in built]
        for path, client in clients:
            response = client.get(path, secure=True)
            assert response.status_code == 200, (page.name, path, response.status_code)
        queries: list = []

        def timed_query(execute, sql, *a, queries=queries):
            t0 = time.perf_counter()
            try:
                return execute(sql, *a)
            finally:
                queries.append(((time.perf_counter() - t0) * 1000, sql))

        with connection.execute_wrapper(timed_query):
            clients[0][1].get(clients[0][0], secure=True)
        cpu = []
        RENDER_MS.clear()
        # CPU time, like the figures above: wall time would charge the page for waiting on a busy database.
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        for i in range(args.n):
            path, client = clients[i % len(clients)]
            t0 = time.process_time()
            if profiler:
                profiler.enable()
            client.get(path, secure=True)
            if profiler:
                profiler.disable()
            cpu.append((time.process_time() - t0) * 1000)
        print(
            f"{page.name:28} cpu p50 {statistics.median(cpu):6.1f} ms  min {min(cpu):6.1f} ms"
            f"  queries {len(queries)}  bytes {len(response.content)}"
            f"  (templates p50 {statistics.median(RENDER_MS or [0]):.1f} ms)"
        )
        if args.queries:
            for ms, sql in queries:
                print(f"    {ms:7.2f} ms  {sql[:300]}")
        if profiler:
            stats = pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative"))
            # FILTER: a regular expression on file:function (e.g. "wt-perf/(cases|oversight|ppda)") applied first.
            restrictions = [r for r in (os.environ.get("FILTER"),) if r]
            stats.print_stats(*restrictions, int(os.environ.get("TOP", "45")))
    return 0


if __name__ == "__main__":
    sys.exit(main())

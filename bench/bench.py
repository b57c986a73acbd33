"""Drive the running app (gunicorn, production settings, scale seed) with wrk and print the results table.

Run through `make bench` (bench/run starts the server). Pages are declared in PAGES: one line per page. Each
page: every session answers 200 once (or the page is reported, not measured), a warm-up, then
`wrk -t2 -c16 -d8s` with bench/rotate.lua rotating the page's 16 sessions. The run is appended to
bench/results/history.jsonl and the README's table regenerated from that file (bench/report.py).

Environment: BENCH_PORT, BENCH_THREADS (2), BENCH_CONCURRENCY (16), BENCH_DURATION (8 s), BENCH_WARMUP (1 s),
BENCH_TIMEOUT (10 s), BENCH_PAGES (comma-separated substrings of page names: only those), BENCH_WORKERS
(recorded; bench/run starts gunicorn with it), BENCH_NO_RECORD=1 (print only: no history, no README).
"""

import datetime as dt
import http.client
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ppda.settings.production")

import django  # noqa: E402

django.setup()

from bench import report, targets, wrk  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", "8001"))
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Page:
    name: str
    build: object  # () -> list[(path, cookie)] or None when the page does not exist yet
    kind: str | None = None  # "bare", "floor" or "peer": the references the others are measured against
    floor_target: float | None = None  # the share of the floor's throughput this page must reach (issue 18)


PAGES = [
    Page("bare /health/ (no session)", targets.bare_view, kind="bare"),
    Page("signed-in floor (accessibility statement)", targets.signed_in_floor, kind="floor"),
    Page("coordinator inbox", targets.coordinator_inbox, floor_target=0.5),
    Page("SOO dashboard", targets.soo_dashboard, floor_target=0.5),
    Page("case page", targets.case_page, floor_target=0.5),
    Page("allocation suggestions", targets.allocation_suggestions, floor_target=0.25),
    Page("case update form", targets.update_form_page),
    Page("panel agenda (chair)", targets.panel_agenda_page),
    Page("statistics (20,000 cases)", targets.statistics_page),
    Page("peer: admin staff directory", targets.admin_peer, kind="peer"),
]


def preflight(built: list[tuple[str, str]]) -> dict[str, int]:
    """Each session once, without following redirects: a page that sends someone to sign in measures nothing."""
    statuses: dict[str, int] = {}
    for path, cookie in built:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        headers = {"X-Forwarded-Proto": "https", "User-Agent": "ppda-bench"}
        if cookie:
            headers["Cookie"] = cookie
        try:
            conn.request("GET", path, headers=headers)
            code = str(conn.getresponse().status)
        finally:
            conn.close()
        statuses[code] = statuses.get(code, 0) + 1
    return statuses


def drain_seconds(figures: dict, load: wrk.Load) -> float:
    """How long the server needs to finish what wrk left behind. wrk stops with every connection's request in
    flight, and gunicorn's sync workers still answer them, so the next run would start behind that backlog
    (a slow page's warm-up ate a whole 8 s run). Little's law: connections / throughput; with no answers at
    all, the longest a request may take. Capped, so a broken page cannot stall the bench."""
    if figures.get("rps"):
        return min(60.0, load.connections / figures["rps"] * 1.2)
    return float(min(60, max(load.timeout_s, load.duration_s)))


def _wrk(url, built, load, **kwargs) -> dict:
    figures = wrk.run(url, built, load, **kwargs)
    time.sleep(drain_seconds(figures, load))
    return figures


def measure(page: Page, load: wrk.Load, warmup_s: int) -> dict:
    row = {"page": page.name, "kind": page.kind, "floor_target": page.floor_target}
    built = page.build()
    if not built:
        return row | {"skipped": "not built yet"}
    first = preflight(built)
    if set(first) != {"200"}:
        return row | {"skipped": f"first requests answered {first}", "sessions": len(built)}
    url = f"http://127.0.0.1:{PORT}"
    if warmup_s > 0:
        _wrk(url, built, load, duration_s=warmup_s)
    figures = _wrk(url, built, load)
    return row | {"sessions": len(built), "connections": load.connections} | figures


def _git(*args) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603, S607
    return done.stdout.strip()


def main() -> int:
    load = wrk.Load.from_env()
    warmup_s = int(os.environ.get("BENCH_WARMUP", "1"))  # whole seconds, as wrk takes them; 0: none
    only = [p.strip() for p in os.environ.get("BENCH_PAGES", "").split(",") if p.strip()]
    pages = [p for p in PAGES if not only or p.kind or any(o in p.name for o in only)]
    started = dt.datetime.now(dt.UTC)
    load_start = [round(x, 2) for x in os.getloadavg()]
    rows = []
    for page in pages:
        row = measure(page, load, warmup_s)
        rows.append(row)
        if "skipped" in row:
            print(f"  {page.name}: not measured ({row['skipped']})", flush=True)
        else:
            print(f"  {page.name}: {row['rps']} req/s, p50 {row['p50_ms']} p95 {row['p95_ms']} ms", flush=True)
    report.rate(rows)
    record = {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        # Uncommitted changes to the code make the commit's figures someone else's; the record files do not.
        "commit": _git("rev-parse", "--short", "HEAD")
        + ("+changes" if _git("status", "--porcelain", "--", ".", ":!bench/results", ":!README.md") else ""),
        "nproc": os.cpu_count(),
        "loadavg_start": load_start,
        "loadavg_end": [round(x, 2) for x in os.getloadavg()],
        "load": {
            "threads": load.threads,
            "connections": load.connections,
            "duration_s": load.duration_s,
            "timeout_s": load.timeout_s,
            "warmup_s": warmup_s,
        },
        "sessions_per_page": targets.USERS_PER_PAGE,
        "workers": int(os.environ.get("BENCH_WORKERS", "5")),
        "pages": rows,
        "offline": targets.offline_benchmarks(),
    }
    print()
    print(report.table(record))
    for name, value in record["offline"].items():
        print(f"{name}: {value}")
    Path(__file__).with_name("results.json").write_text(json.dumps(record, indent=2, ensure_ascii=False))
    if os.environ.get("BENCH_NO_RECORD") != "1":
        report.append(record)
        report.regenerate_readme()
        print(f"\nAppended to {report.HISTORY.relative_to(ROOT)}; README.md's bench table regenerated from it.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

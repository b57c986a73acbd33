"""Drive the running app (gunicorn, production settings, scale seed) and print the results table.

Run through `make bench` (bench/run starts the server). Pages are declared in PAGES: one line per page.
"""

import asyncio
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ppda.settings.production")

import django  # noqa: E402

django.setup()

from bench import targets  # noqa: E402
from bench.client import run_page  # noqa: E402

CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
DURATION = float(os.environ.get("BENCH_DURATION", "8"))
PORT = int(os.environ.get("BENCH_PORT", "8001"))
P95_TARGET_MS = 150.0
RATIO_TARGET = 0.5


@dataclass
class Page:
    name: str
    build: object  # () -> list[(path, cookie)] or None when the page does not exist yet


PAGES = [
    Page("bare view (1 query)", targets.bare_view),
    Page("coordinator inbox", targets.coordinator_inbox),
    Page("SOO dashboard", targets.soo_dashboard),
    Page("case page", targets.case_page),
    Page("allocation suggestions", targets.allocation_suggestions),
    Page("statistics (20,000 cases)", targets.statistics_page),
    Page("panel agenda page", targets.panel_agenda_page),
]


def main() -> int:
    results = []
    bare_rps = None
    for page in PAGES:
        built = page.build()
        if not built:
            print(f"  {page.name}: not available yet (skipped)")
            continue
        r = asyncio.run(run_page(page.name, built, port=PORT, concurrency=CONCURRENCY, duration=DURATION))
        row = r.as_dict()
        if bare_rps is None:
            bare_rps = r.rps
        row["ratio_to_bare"] = round(r.rps / bare_rps, 2) if bare_rps else None
        row["meets_target"] = (
            row["p95_ms"] < P95_TARGET_MS
            and (row["ratio_to_bare"] or 0) >= RATIO_TARGET
            and set(row["statuses"]) == {"200"}
        )
        results.append(row)
        print(f"  {page.name}: {row}", flush=True)

    extra = targets.offline_benchmarks()
    out = {
        "concurrency": CONCURRENCY,
        "duration_s": DURATION,
        "pages": results,
        "offline": extra,
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    Path(__file__).with_name("results.json").write_text(json.dumps(out, indent=2))
    print()
    print(f"{'page':28} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'x bare':>7}  target")
    for row in results:
        print(
            f"{row['page']:28} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['rps']:>8} "
            f"{row['ratio_to_bare']!s:>7}  {'ok' if row['meets_target'] else 'MISSED'}"
        )
    for name, value in extra.items():
        print(f"{name:28} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

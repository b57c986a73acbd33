"""make bench's figures: ratios and targets, the history file, and the README's table regenerated from it.

Pure functions over plain dicts (no Django), so tests/bench can check them fast.

A run is one JSON object a line in bench/results/history.jsonl (appended, never rewritten): when, which
commit, how loaded the machine was, how hard wrk pushed, and each page's figures.
"""

import json
from pathlib import Path

HISTORY = Path(__file__).with_name("results") / "history.jsonl"
README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"

# Targets (issue 18). Every page: p95 under 150 ms and at least 3x the admin peer's throughput; the pages
# named in FLOOR_TARGETS also reach this share of the signed-in floor's throughput.
P95_TARGET_MS = 150.0
PEER_TARGET = 3.0
REFERENCES = ("bare", "floor", "peer")  # the rows the others are measured against


def rate(rows: list[dict]) -> list[dict]:
    """Add x_bare, x_floor, x_peer and the verdict to each measured row (in place; returns the rows).

    A row is {"page", "kind" (bare/floor/peer or None), "floor_target" (None or a share), "rps", "p95_ms",
    "statuses", "errors", ...}; a skipped page carries "skipped" instead of figures.
    """
    measured = [r for r in rows if "skipped" not in r]
    ref = {r["kind"]: r["rps"] for r in measured if r.get("kind") in REFERENCES}
    for row in measured:
        exact = {kind: row["rps"] / ref[kind] if ref.get(kind) else None for kind in REFERENCES}
        for kind in REFERENCES:
            row[f"x_{kind}"] = None if exact[kind] is None else round(exact[kind], 2)
        row["missed"] = missed(row, exact)
    return rows


def missed(row: dict, exact: dict | None = None) -> list[str]:
    """What stands between a row and its targets (empty: met), judged on the unrounded ratios in `exact` (0.249
    of the floor misses 0.25 though it prints as 0.25). Wrong answers count for every row: a page that answered
    302 or 500 measured something else."""
    exact = exact or {kind: row.get(f"x_{kind}") for kind in REFERENCES}
    out = []
    other = {code: n for code, n in row["statuses"].items() if code != "200"}
    if other or not row["statuses"]:
        out.append(("statuses " + ", ".join(f"{c}×{n}" for c, n in sorted(other.items()))) if other else "no answers")
    if row.get("errors"):
        out.append("errors " + ", ".join(f"{k} {v}" for k, v in sorted(row["errors"].items())))
    connections = row.get("connections", 0)
    if 0 < row.get("requests", connections) < connections:
        # Fewer answers than connections: most requests were still waiting when wrk stopped; the figures are
        # of the fastest few. A longer BENCH_DURATION measures it.
        out.append(f"only {row['requests']} answers")
    if row.get("kind") in REFERENCES:
        return out
    if row["p95_ms"] >= P95_TARGET_MS:
        out.append(f"p95 ≥ {P95_TARGET_MS:g} ms")
    if row.get("floor_target") and (exact["floor"] or 0) < row["floor_target"]:
        out.append(f"× floor < {row['floor_target']:g}")
    if exact["peer"] is not None and exact["peer"] < PEER_TARGET:
        out.append(f"× peer < {PEER_TARGET:g}")
    return out


def append(record: dict, path: Path = HISTORY) -> None:
    """Add one run to the history: one line, appended, so earlier runs are kept as they were."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, sort_keys=True, ensure_ascii=False)
    if "\n" in line:
        raise ValueError("a history record must be one line")
    with path.open("a", encoding="utf-8") as f:
        f.write(line + "\n")


def load(path: Path = HISTORY) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _num(value, digits=0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def _verdict(row: dict) -> str:
    if row.get("kind") in REFERENCES and not row["missed"]:
        return "reference"
    return "; ".join(row["missed"]) if row["missed"] else "ok"


def table(record: dict) -> str:
    """The run's pages as a Markdown table."""
    lines = [
        "| page | req/s | p50 ms | p95 ms | p99 ms | × bare | × floor | × peer | targets |",
        "|---|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for row in record["pages"]:
        if "skipped" in row:
            lines.append(f"| {row['page']} | – | – | – | – | – | – | – | not measured: {row['skipped']} |")
            continue
        lines.append(
            f"| {row['page']} | {_num(row['rps'])} | {_num(row['p50_ms'], 1)} | {_num(row['p95_ms'], 1)} "
            f"| {_num(row['p99_ms'], 1)} | {_num(row['x_bare'], 2)} | {_num(row['x_floor'], 2)} "
            f"| {_num(row['x_peer'], 2)} | {_verdict(row)} |"
        )
    return "\n".join(lines)


def _loadavg(values) -> str:
    return " / ".join(f"{v:.2f}" for v in values) if values else "–"


def _rps_of(record: dict, kind: str):
    return next((r.get("rps") for r in record["pages"] if r.get("kind") == kind and "skipped" not in r), None)


def _floor_targets(record: dict) -> str:
    shares: dict[float, list[str]] = {}
    for row in record["pages"]:
        if row.get("floor_target"):
            shares.setdefault(row["floor_target"], []).append(row["page"])
    ordered = sorted(shares.items(), reverse=True)
    return "".join(f"; {', '.join(pages)} ≥ {share:g}× the floor" for share, pages in ordered)


def readme_block(history: list[dict], *, earlier: int = 5) -> str:
    """The README's benchmark section: the last run's table, then a line each for the runs before it."""
    if not history:
        return f"{START}\nNo run yet: `make bench` writes this table.\n{END}"
    last = history[-1]
    load = last["load"]
    out = [
        START,
        "<!-- Written by make bench from bench/results/history.jsonl (bench/report.py): edit neither by hand. -->",
        f"Last run: {last['date']}, commit `{last['commit']}`, {last['nproc']} cores, load average "
        f"{_loadavg(last['loadavg_start'])} (1/5/15 min) before the run. `wrk -t{load['threads']} "
        f"-c{load['connections']} -d{load['duration_s']:g}s` a page after {load['warmup_s']:g} s of warm-up, "
        f"{last['sessions_per_page']} sessions a page rotated by bench/rotate.lua, gunicorn {last['workers']} "
        "sync workers, production settings, the scale seed. × floor: throughput over the signed-in floor "
        "(the accessibility statement: middleware, session, second factor and base layout, no content); "
        f"targets: every page p95 < {P95_TARGET_MS:g} ms and ≥ {PEER_TARGET:g}× the peer{_floor_targets(last)}.",
        "",
        table(last),
    ]
    if last.get("offline"):
        out += ["", "In-process: " + "; ".join(f"{k} {v}" for k, v in last["offline"].items()) + "."]
    before = history[-1 - earlier : -1]
    if before:
        out += [
            "",
            f"Earlier runs ({len(history) - 1} in all in bench/results/history.jsonl; the last {len(before)}):",
            "",
            "| date | commit | load (1 min) | bare req/s | floor req/s | peer req/s | pages meeting targets |",
            "|---|---|--:|--:|--:|--:|--:|",
        ]
        for run in reversed(before):
            rated = [r for r in run["pages"] if "skipped" not in r and r.get("kind") not in REFERENCES]
            met = sum(1 for r in rated if not r["missed"])
            out.append(
                f"| {run['date']} | `{run['commit']}` | {_num((run['loadavg_start'] or [None])[0], 2)} "
                f"| {_num(_rps_of(run, 'bare'))} | {_num(_rps_of(run, 'floor'))} | {_num(_rps_of(run, 'peer'))} "
                f"| {met} of {len(rated)} |"
            )
    out.append(END)
    return "\n".join(out)


def rewrite_readme(text: str, block: str) -> str:
    """The README with its bench block replaced (markers included); it must hold exactly one pair, in order."""
    if text.count(START) != 1 or text.count(END) != 1 or text.index(START) > text.index(END):
        raise ValueError(f"README.md must hold one {START} … {END} block for make bench's table")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + block + tail


def regenerate_readme(history_path: Path = HISTORY, readme_path: Path = README) -> None:
    """Rewrite the README's bench block from the history file (not from memory: the file is the record)."""
    block = readme_block(load(history_path))
    readme_path.write_text(rewrite_readme(readme_path.read_text(encoding="utf-8"), block), encoding="utf-8")

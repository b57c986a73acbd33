"""make bench's record: ratios and targets, the appended history, and the README block regenerated from it."""

import pytest

from bench import report


def _row(page, rps, p95=50.0, kind=None, floor_target=None, statuses=None, **extra):
    return {
        "page": page,
        "kind": kind,
        "floor_target": floor_target,
        "rps": rps,
        "p50_ms": p95 / 2,
        "p95_ms": p95,
        "p99_ms": p95 * 1.5,
        "statuses": statuses or {"200": int(rps * 8)},
        "errors": {},
        **extra,
    }


def _run(date="2026-12-02 17:00 UTC", commit="abc1234", pages=None):
    pages = pages or [
        _row("bare", 1000.0, kind="bare"),
        _row("floor", 400.0, kind="floor"),
        _row("inbox", 200.0, floor_target=0.5),
        _row("allocation", 80.0, floor_target=0.25, p95=180.0),
        _row("panel", 60.0),
        _row("update form", 50.0),
        {"page": "later", "kind": None, "floor_target": None, "skipped": "not built yet"},
        _row("peer", 20.0, kind="peer"),
    ]
    return {
        "date": date,
        "commit": commit,
        "nproc": 2,
        "loadavg_start": [0.5, 0.4, 0.3],
        "loadavg_end": [2.0, 1.0, 0.5],
        "load": {"threads": 2, "connections": 16, "duration_s": 8, "timeout_s": 10, "warmup_s": 1},
        "sessions_per_page": 16,
        "workers": 5,
        "pages": report.rate(pages),
        "offline": {"allocation pack PDF": "0.80 s (median of 3)"},
    }


def test_ratios_are_to_the_references_of_the_same_run():
    rows = {r["page"]: r for r in _run()["pages"]}
    assert (rows["inbox"]["x_bare"], rows["inbox"]["x_floor"], rows["inbox"]["x_peer"]) == (0.2, 0.5, 10.0)
    assert rows["floor"]["x_bare"] == 0.4
    assert "x_floor" not in rows["later"]


def test_targets_name_what_was_missed():
    rows = {r["page"]: r for r in _run()["pages"]}
    assert rows["inbox"]["missed"] == []  # exactly 0.5 of the floor meets 0.5
    assert rows["allocation"]["missed"] == ["p95 ≥ 150 ms", "× floor < 0.25"]  # 80 / 400 = 0.2
    assert rows["panel"]["missed"] == []  # no floor target: p95 and 3× the peer (exactly 3)
    assert rows["update form"]["missed"] == ["× peer < 3"]
    assert rows["peer"]["missed"] == []  # references have no throughput targets


def test_allocation_under_its_share_of_the_floor_misses():
    rows = report.rate([_row("floor", 400.0, kind="floor"), _row("allocation", 99.0, floor_target=0.25)])
    assert rows[1]["missed"] == ["× floor < 0.25"]


def test_fewer_answers_than_connections_are_not_figures():
    rows = report.rate([_row("floor", 400.0, kind="floor"), _row("stats", 1.0, requests=9, connections=16)])
    assert "only 9 answers" in rows[1]["missed"]
    assert "only 16 answers" not in report.rate([_row("p", 2.0, requests=16, connections=16)])[0]["missed"]


def test_any_answer_but_200_fails_a_row_even_a_reference():
    rows = report.rate([_row("floor", 400.0, kind="floor", statuses={"200": 10, "302": 3})])
    assert rows[0]["missed"] == ["statuses 302×3"]
    assert report.table({"pages": rows}).splitlines()[-1].endswith("| statuses 302×3 |")


def test_history_is_appended_one_line_a_run(tmp_path):
    path = tmp_path / "results" / "history.jsonl"
    report.append(_run(commit="first"), path)
    before = path.read_bytes()
    report.append(_run(commit="second"), path)
    assert path.read_bytes().startswith(before)  # the earlier run is kept as it was
    assert [r["commit"] for r in report.load(path)] == ["first", "second"]
    assert len(path.read_text().splitlines()) == 2


README = """# ppda
text before
<!-- bench:start -->
old table
<!-- bench:end -->
text after
"""


def test_readme_block_is_regenerated_from_the_history_file(tmp_path):
    history, readme = tmp_path / "history.jsonl", tmp_path / "README.md"
    readme.write_text(README)
    for i in range(7):
        report.append(_run(date=f"2026-12-0{i + 1} 17:00 UTC", commit=f"c{i}"), history)
    report.regenerate_readme(history, readme)
    text = readme.read_text()
    assert text.startswith("# ppda\ntext before\n<!-- bench:start -->\n")
    assert text.endswith("<!-- bench:end -->\ntext after\n")
    assert "old table" not in text
    assert "commit `c6`" in text  # the last run's table
    assert "| inbox | 200 | 25.0 | 50.0 | 75.0 | 0.20 | 0.50 | 10.00 | ok |" in text
    assert "| later | – | – | – | – | – | – | – | not measured: not built yet |" in text
    assert "inbox ≥ 0.5× the floor; allocation ≥ 0.25× the floor" in text
    # The five runs before it, newest first; the oldest is only in the file.
    earlier = [line for line in text.splitlines() if line.startswith("| 2026-12-0")]
    assert [line.split("`")[1] for line in earlier] == ["c5", "c4", "c3", "c2", "c1"]
    assert "| 2026-12-06 17:00 UTC | `c5` | 0.50 | 1,000 | 400 | 20 | 2 of 4 |" in text
    # Run again from the same file: the same README (the block replaces itself, nothing accumulates).
    report.regenerate_readme(history, readme)
    assert readme.read_text() == text


@pytest.mark.parametrize(
    "text",
    [
        "no markers",
        "<!-- bench:end --> <!-- bench:start -->",
        "<!-- bench:start --><!-- bench:end --><!-- bench:start --><!-- bench:end -->",
    ],
)
def test_readme_without_one_block_is_refused(text):
    with pytest.raises(ValueError, match="bench:start"):
        report.rewrite_readme(text, "block")


def test_the_projects_readme_and_history_are_what_make_bench_expects():
    """make bench would measure for minutes and then fail on a README without its block or a bad history line."""
    report.rewrite_readme(report.README.read_text(), "block")
    for record in report.load(report.HISTORY):
        assert {"date", "commit", "nproc", "loadavg_start", "load", "pages"} <= set(record)
        assert record["pages"]
    block = report.readme_block(report.load(report.HISTORY))
    assert block in report.README.read_text(), "README's bench block is not the one bench/results/history.jsonl gives"

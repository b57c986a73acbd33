"""Charts are cached under a hash of what they plot: drawn once, never shared between different figures."""

import uuid

from oversight.statistics import charts
from oversight.statistics.figures import Count, Row, Table


def _table(*counts, run=None):
    # Labels unique to the test run: keys from earlier runs (the cache is Redis, shared) cannot answer.
    run = run or RUN
    return Table(
        slug="by-month",
        caption="Cases by month",
        columns=("Month", "Cases"),
        rows=[Row(label=f"Month {i} {run}", cells=(Count(n),)) for i, n in enumerate(counts)],
        chart="line",
    )


RUN = uuid.uuid4().hex


def _counting_draws(monkeypatch):
    calls = []
    real = charts._draw

    def draw(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(charts, "_draw", draw)
    return calls


def test_the_same_figures_are_drawn_once(monkeypatch):
    calls = _counting_draws(monkeypatch)
    run = uuid.uuid4().hex
    first = charts.chart_data_uri(_table(12, 40, 7, run=run), suppress=False)
    again = charts.chart_data_uri(_table(12, 40, 7, run=run), suppress=False)
    assert first == again and first.startswith("data:image/svg+xml")
    assert len(calls) == 1


def test_different_figures_never_share_a_picture(monkeypatch):
    calls = _counting_draws(monkeypatch)
    run = uuid.uuid4().hex
    exact = charts.chart_data_uri(_table(12, 40, 7, run=run), suppress=False)
    suppressed = charts.chart_data_uri(_table(12, 40, 7, run=run), suppress=True)  # 7: "fewer than 10"; 12: 10
    other = charts.chart_data_uri(_table(12, 41, 7, run=run), suppress=False)
    assert len({exact, suppressed, other}) == 3 and len(calls) == 3


def test_without_the_cache_the_chart_is_still_drawn(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(charts.cache, "get", down)
    monkeypatch.setattr(charts.cache, "set", down)
    assert charts.chart_data_uri(_table(12, 40, 7), suppress=False).startswith("data:image/svg+xml")

"""Charts drawn on the server with pygal, from the same cells as the table beside them.

pygal writes SVG directly (no browser, no JavaScript: its tooltip script is switched off with js=[]), is
pure Python with no numeric stack to install, and is maintained. The SVG is embedded as a data: image
(the CSP allows data: images, and an SVG loaded as an image never runs script), with a text alternative
pointing at the table, which carries the figures for screen-reader users. A suppressed figure is plotted as
a gap, exactly where the table says "fewer than 10" or "suppressed".
"""

from __future__ import annotations

import hashlib
import json
import logging

import pygal
from django.core.cache import cache
from pygal.style import Style

from .figures import Table, chart_value

logger = logging.getLogger(__name__)

# Drawing is most of the statistics page's CPU (~0.5 s of 0.9 s at 20,000 cases, bench/profile_page.py). A chart
# is a pure function of what it plots, so it is cached under a hash of exactly that: anyone whose own figures
# are the same gets the same picture, and nobody gets a picture of figures they could not see. Bump on changes.
CHART_VERSION = 1
CHART_CACHE_SECONDS = 24 * 3600

# GOV.UK colours: text #0b0c0c, blue #1d70b8, mid grey #b1b4b6.
STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#0b0c0c",
    foreground_strong="#0b0c0c",
    foreground_subtle="#505a5f",
    colors=("#1d70b8", "#f47738", "#00703c", "#4c2c92"),
    font_family="arial, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=12,
    title_font_size=16,
)


def chart_data_uri(table: Table, *, suppress: bool) -> str | None:
    """The table's chart as a data: URI, or None when the table has no chart or nothing to plot.

    A chart plots each row's first figure (the count)."""
    if not table.chart or not table.rows:
        return None
    values = [chart_value(row.cells[0], suppress=suppress) for row in table.rows]
    if all(v is None for v in values):
        return None
    labels = [row.label for row in table.rows]
    title = table.columns[1] if len(table.columns) > 1 else ""
    plotted = json.dumps([CHART_VERSION, table.chart, title, labels, values], default=str)
    key = "stats-chart:" + hashlib.sha256(plotted.encode()).hexdigest()
    try:
        cached = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache is an optimisation: without Redis, draw the chart
        logger.warning("chart cache unavailable")
        cached = None
    if cached is not None:
        return cached
    uri = _draw(table.chart, title, labels, values)
    try:
        cache.set(key, uri, CHART_CACHE_SECONDS)
    except Exception:  # noqa: BLE001
        logger.warning("chart cache unavailable")
    return uri


def _draw(chart_kind: str, title: str, labels: list, values: list) -> str:
    kind = pygal.Line if chart_kind == "line" else pygal.HorizontalBar
    horizontal = kind is pygal.HorizontalBar
    chart = kind(
        style=STYLE,
        js=[],
        show_legend=False,
        width=720,
        height=max(240, 36 * len(values) + 90) if horizontal else 320,
        x_label_rotation=0 if horizontal else 45,
        show_minor_x_labels=len(values) <= 24 or horizontal,
        x_labels_major_every=None if len(values) <= 24 else max(1, len(values) // 12),
        print_values=horizontal,
        truncate_label=40,
        disable_xml_declaration=False,
        include_x_axis=True,
        min_scale=1,
        allow_interruptions=True,
    )
    chart.x_labels = labels
    chart.add(title, values)
    return chart.render_data_uri()

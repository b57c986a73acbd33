"""What a figure is, and how it is shown: exactly to coordinators, with small numbers suppressed to anyone else.

The suppression rule (DESIGN.md section 2, the ONS threshold-and-rounding rule, which needs no secondary
suppression): counts 1–9 are shown as "fewer than 10", other counts are rounded to the nearest 5, and a
percentage or median whose base is under 10 is not shown at all. Zero is shown as 0. Coordinators see exact
figures. Every cell type carries its base, so the rule is applied in one place (`display`, `chart_value`)
whatever page, chart or export shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

THRESHOLD = 10
FEWER_THAN = "fewer than 10"
SUPPRESSED = "suppressed (base under 10)"
NO_DATA = "no data"


def rounded_count(n: int) -> int | None:
    """The suppressed form of a count: None for 1–9 (shown as "fewer than 10"), else the nearest 5."""
    if n == 0:
        return 0
    if 0 < n < THRESHOLD:
        return None
    # Nearest 5, halves cannot occur for integers (n mod 5 is 0..4).
    return (n + 2) // 5 * 5


@dataclass(frozen=True)
class Count:
    n: int


@dataclass(frozen=True)
class Percent:
    """numerator out of base, as a percentage."""

    numerator: int
    base: int

    @property
    def value(self) -> float | None:
        return 100.0 * self.numerator / self.base if self.base else None


@dataclass(frozen=True)
class Growth:
    """Change on the previous period, as a percentage of the previous period's count (the base)."""

    current: int
    previous: int

    @property
    def base(self) -> int:
        return self.previous

    @property
    def value(self) -> float | None:
        return 100.0 * (self.current - self.previous) / self.previous if self.previous else None


@dataclass(frozen=True)
class Statistic:
    """A median (or mean) over `base` values, in `unit` ("days", "hours", "contacts")."""

    value: float | None
    base: int
    unit: str = ""


Cell = Count | Percent | Growth | Statistic


def _number(value: float, unit: str) -> str:
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text} {unit}".strip()


def display(cell: Cell, *, suppress: bool) -> str:
    """The cell as text, exact (coordinators) or suppressed (everyone else, every export of figures)."""
    if isinstance(cell, Count):
        if not suppress:
            return str(cell.n)
        shown = rounded_count(cell.n)
        return FEWER_THAN if shown is None else str(shown)
    if cell.value is None:
        return NO_DATA
    if suppress and cell.base < THRESHOLD:
        return SUPPRESSED
    if isinstance(cell, Percent):
        text = f"{cell.value:.0f}%"
        return text if suppress else f"{cell.value:.1f}% ({cell.numerator} of {cell.base})"
    if isinstance(cell, Growth):
        return f"{cell.value:+.0f}%"
    return _number(cell.value, cell.unit)


def chart_value(cell: Cell, *, suppress: bool) -> float | None:
    """The number a chart plots: the same rule as `display` (None where the table shows no number)."""
    if isinstance(cell, Count):
        return float(cell.n) if not suppress else _none_or_float(rounded_count(cell.n))
    if cell.value is None or (suppress and cell.base < THRESHOLD):
        return None
    return round(cell.value, 1)


def _none_or_float(value):
    return None if value is None else float(value)


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[Cell, ...]


@dataclass
class Table:
    """One figure: a captioned table (and the chart drawn from the same numbers)."""

    slug: str
    caption: str
    columns: tuple[str, ...]  # the first names the row labels, the rest one per cell
    rows: list[Row] = field(default_factory=list)
    chart: str = ""  # "bar", "line" or "" (no chart)
    note: str = ""
    section: str = ""
    available: bool = True  # False: the data comes from a part of the service not built yet

    def shown(self, *, suppress: bool) -> list[tuple[str, list[str]]]:
        return [(row.label, [display(c, suppress=suppress) for c in row.cells]) for row in self.rows]


def not_available(slug: str, caption: str, *, section: str, note: str) -> Table:
    return Table(slug=slug, caption=caption, columns=(), section=section, available=False, note=note)

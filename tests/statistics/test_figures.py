"""Small-number suppression, at the boundaries the issue names (0, 1, 9, 10, 12, 13) and the base rule."""

import pytest

from oversight.statistics.figures import (
    FEWER_THAN,
    NO_DATA,
    SUPPRESSED,
    Count,
    Growth,
    Percent,
    Statistic,
    chart_value,
    display,
    rounded_count,
)


@pytest.mark.parametrize(
    ("n", "shown"),
    [
        (0, "0"),
        (1, FEWER_THAN),
        (9, FEWER_THAN),
        (10, "10"),
        (12, "10"),
        (13, "15"),
        (17, "15"),
        (18, "20"),
        (250, "250"),
    ],
)
def test_counts_outside_the_coordinators(n, shown):
    assert display(Count(n), suppress=True) == shown


@pytest.mark.parametrize("n", [0, 1, 9, 10, 12, 13])
def test_coordinators_see_exact_counts(n):
    assert display(Count(n), suppress=False) == str(n)


def test_rounded_count_is_the_nearest_five():
    assert [rounded_count(n) for n in (0, 1, 9, 10, 11, 12, 13, 14, 15)] == [0, None, None, 10, 10, 10, 15, 15, 15]


@pytest.mark.parametrize(("base", "suppressed"), [(1, True), (9, True), (10, False), (12, False), (13, False)])
def test_a_percentage_on_a_base_under_10_is_not_shown(base, suppressed):
    shown = display(Percent(1, base), suppress=True)
    assert (shown == SUPPRESSED) is suppressed
    if not suppressed:
        assert shown == f"{100 / base:.0f}%"  # no numerator or base beside it: those are counts
    assert display(Percent(1, base), suppress=False) == f"{100 / base:.1f}% (1 of {base})"


@pytest.mark.parametrize(("base", "suppressed"), [(1, True), (9, True), (10, False), (13, False)])
def test_a_median_on_a_base_under_10_is_not_shown(base, suppressed):
    cell = Statistic(24.0, base, "hours")
    assert (display(cell, suppress=True) == SUPPRESSED) is suppressed
    assert display(cell, suppress=False) == "24 hours"
    assert (chart_value(cell, suppress=True) is None) is suppressed


def test_growth_is_suppressed_on_a_small_previous_year():
    assert display(Growth(30, 9), suppress=True) == SUPPRESSED
    assert display(Growth(30, 10), suppress=True) == "+200%"
    assert display(Growth(30, 9), suppress=False) == "+233%"
    assert display(Growth(3, 0), suppress=False) == NO_DATA


def test_zero_base_is_no_data_for_everyone():
    assert display(Percent(0, 0), suppress=False) == NO_DATA
    assert display(Statistic(None, 0), suppress=True) == NO_DATA


@pytest.mark.parametrize(("n", "plotted"), [(0, 0.0), (1, None), (9, None), (10, 10.0), (12, 10.0), (13, 15.0)])
def test_charts_plot_what_the_table_shows(n, plotted):
    assert chart_value(Count(n), suppress=True) == plotted
    assert chart_value(Count(n), suppress=False) == float(n)

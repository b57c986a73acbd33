"""Each figure on the known data set (conftest.py), worked out by hand."""

import datetime as dt

import pytest

from oversight.statistics import providers
from oversight.statistics.figures import Count, Growth, Percent, Row, Statistic, Table
from oversight.statistics.selectors import StatisticsFilter, statistics_tables, statistics_tables_reduced

from .conftest import NOW

pytestmark = pytest.mark.django_db


def by_slug(tables) -> dict[str, dict[str, tuple]]:
    return {t.slug: {row.label: row.cells for row in t.rows} for t in tables if t.available}


@pytest.fixture
def figures(known):
    return by_slug(statistics_tables(StatisticsFilter(), now=NOW))


def test_cases_each_month_fill_the_months_between(figures):
    months = figures["cases_by_month"]
    assert len(months) == 16  # March 2025 to June 2026
    assert months["March 2025"] == (Count(1),)
    assert months["April 2025"] == (Count(0),)
    assert months["January 2026"] == (Count(2),)
    assert months["June 2026"] == (Count(1),)
    assert sum(c[0].n for c in months.values()) == 4


def test_cases_each_year_and_growth(figures):
    assert figures["cases_by_year"] == {"2025": (Count(1), Growth(1, 0)), "2026": (Count(3), Growth(3, 1))}
    assert Growth(3, 1).value == 200.0


def test_dimensions(figures):
    assert figures["by_route"]["999/101 call"] == (Count(2), Percent(2, 4))
    assert figures["by_route"]["Self-referral"] == (Count(2), Percent(2, 4))
    assert figures["by_route"]["IDVA referral"] == (Count(0), Percent(0, 4))
    assert figures["by_category"]["Police perpetrator"][0] == Count(2)
    assert figures["by_category"]["Both police"][0] == Count(1)
    assert figures["by_category"]["Police victim"][0] == Count(1)
    assert figures["by_risk"]["High"][0] == Count(2)
    assert figures["by_risk"]["Medium"][0] == Count(1)
    assert figures["by_risk"]["Not yet assessed"][0] == Count(1)
    assert figures["by_duty"]["On duty"][0] == Count(2)
    assert figures["by_duty"]["Off duty"][0] == Count(1)
    assert figures["by_duty"]["Not known"][0] == Count(1)


def test_rank_band_counts_each_case_once_under_its_most_senior_suspect(figures):
    bands = figures["by_rank_band"]
    assert bands["Above constable"][0] == Count(2)  # c1 sergeant; c4 superintendent and constable
    assert bands["Constable or staff equivalent"][0] == Count(1)  # c2
    assert bands["No police perpetrator recorded"][0] == Count(1)  # c3


def test_soo_load(figures):
    # Non-declined allocations: 2025 SOO A (c1); 2026 SOO B (c2, c4), SOO A (c3).
    assert figures["soo_per_year"]["2025"] == (Count(1), Count(1), Statistic(1.0, 1, "cases"), Statistic(1, 1, "cases"))
    assert figures["soo_per_year"]["2026"] == (Count(2), Count(3), Statistic(1.5, 2, "cases"), Statistic(2, 2, "cases"))
    # Open now: A has c3, B has c2 and c4 (c1's allocation ended at closure).
    assert figures["open_load"]["Open allocations"] == (
        Count(2),
        Count(3),
        Statistic(1.5, 2, "cases"),
        Statistic(2, 2, "cases"),
    )


def test_allocation_and_first_contact(figures):
    fc = figures["first_contact"]
    # Report to first allocation made: c1 24 h, c2 48 h, c3 24 h (the declined one), c4 23 h: median 24 h.
    assert fc["Median time from report to allocation"] == (Statistic(24.0, 4, "hours"),)
    # Due or met: c1 (10 h, in time), c2 (80 h, late), c3 (passed, none); c4 is not yet due.
    assert fc["First contact within 72 hours of allocation"] == (Percent(1, 3),)
    assert fc["Median time from allocation to first contact"] == (Statistic(45.0, 2, "hours"),)


def test_contacts_and_engagement(figures):
    cpc = figures["contacts_per_case"]
    assert cpc["Cases allocated to an SOO"] == (Count(4),)
    assert cpc["Completed contacts"] == (Count(4),)  # three for c1 (an attempt does not count), one for c2
    assert cpc["Median completed contacts per allocated case"] == (Statistic(0.5, 4, "contacts"),)  # 3, 1, 0, 0
    eng = figures["engagement"]
    assert eng["Engaged with the SOO"] == (Count(1), Percent(1, 4))
    assert eng["Declined SOO support"] == (Count(1), Percent(1, 4))
    assert eng["Not yet recorded"] == (Count(2), Percent(2, 4))


def test_support(figures):
    support = figures["support"]
    assert support["Independent domestic violence adviser (IDVA)"] == (Count(2), Count(1), Percent(1, 2))
    assert support["Wellbeing service"] == (Count(1), Count(0), Percent(0, 1))
    assert support["Occupational health"] == (Count(0), Count(0), Percent(0, 0))


def test_closure(figures):
    assert figures["confidence"]["Yes"] == (Count(1), Percent(1, 1))
    assert figures["confidence"]["No"] == (Count(0), Percent(0, 1))
    assert figures["confidence"]["Not asked or not recorded"] == (Count(0), Percent(0, 1))
    measures = figures["closure_measures"]
    assert measures["Cases closed"] == (Count(1),)
    assert measures["Median days from report to closure"] == (Statistic(180.0, 1, "days"),)
    assert measures["Median rating for being kept informed (1 to 5)"] == (Statistic(4.0, 1),)
    assert figures["criminal_outcomes"]["Charged"] == (Count(1),)
    assert figures["criminal_outcomes"]["No further action"] == (Count(0),)
    assert figures["misconduct_outcomes"]["Gross misconduct proven"] == (Count(1),)


def test_filters_narrow_the_cohort(known):
    january = by_slug(statistics_tables(StatisticsFilter(dt.date(2026, 1, 1), dt.date(2026, 1, 31)), now=NOW))
    assert january["cases_by_month"] == {"January 2026": (Count(2),)}
    assert january["first_contact"]["First contact within 72 hours of allocation"] == (Percent(0, 2),)
    perp = by_slug(statistics_tables(StatisticsFilter(category="police_perpetrator"), now=NOW))
    assert sum(c[0].n for c in perp["cases_by_year"].values()) == 2
    assert perp["by_rank_band"]["Above constable"][0] == Count(2)
    # The end date is inclusive in UK time: c4 was received at 11:00 on 14 June (BST).
    assert by_slug(statistics_tables(StatisticsFilter(date_to=dt.date(2026, 6, 14)), now=NOW))["cases_by_year"]["2026"][
        0
    ] == Count(3)
    assert by_slug(statistics_tables(StatisticsFilter(date_to=dt.date(2026, 6, 13)), now=NOW))["cases_by_year"]["2026"][
        0
    ] == Count(2)


def test_no_cases_gives_empty_tables_not_errors(db):
    tables = statistics_tables(StatisticsFilter(), now=NOW)
    figures = by_slug(tables)
    assert figures["cases_by_month"] == {}
    assert figures["first_contact"]["First contact within 72 hours of allocation"] == (Percent(0, 0),)


def test_providers_not_registered_are_not_available_yet(db):
    # Oversight registers the investigation figures (oversight/statistics/investigations.py) and panels its
    # own (panels/statistics.py): take them away to see the placeholder every unregistered provider shows.
    registered = {name: providers._providers.pop(name, None) for name in (providers.INVESTIGATIONS, providers.PANELS)}
    try:
        tables = {t.slug: t for t in statistics_tables(StatisticsFilter(), now=NOW)}
    finally:
        for name, provider in registered.items():
            if provider is not None:
                providers.register(name, provider)
    for slug in (
        "investigation_rates",
        "supporting_investigation",
        "investigation_outcomes",
        "panel_items",
        "learning_themes",
    ):
        assert tables[slug].available is False
        assert "Not available yet" in tables[slug].note


def test_a_registered_provider_joins_the_page(db):
    def panel_tables(stats_filter):
        return [Table("panel_items", "Panel items", ("Measure", "Figure"), [Row("Items", (Count(12),))])]

    previous = providers._providers.get(providers.PANELS)
    providers.register(providers.PANELS, panel_tables)
    try:
        tables = {t.slug: t for t in statistics_tables(StatisticsFilter(), now=NOW)}
        assert tables["panel_items"].available and tables["panel_items"].section == "Scrutiny panels"
        assert "learning_themes" not in tables
    finally:
        providers.unregister(providers.PANELS)
        if previous is not None:  # panels' own provider (panels/statistics.py), as the app registered it
            providers.register(providers.PANELS, previous)
    with pytest.raises(ValueError, match="Unknown statistics provider"):
        providers.register("nonsense", panel_tables)


def test_the_reduced_view_leaves_out_soo_workload_and_monthly_detail(known):
    slugs = {t.slug for t in statistics_tables_reduced(StatisticsFilter(), now=NOW)}
    assert "by_rank_band" in slugs and "confidence" in slugs
    assert not slugs & {"cases_by_month", "soo_per_year", "open_load", "support"}


def test_rank_band_counts_erased_bands_and_the_most_senior_of_mixed_suspects(known):
    """After a retention review the band kept on the party counts as the staff record did; a case with an erased
    "above" band and a live constable counts as above; an erased "constable" band counts as constable."""
    from cases.models import ERASED_BAND_ABOVE, ERASED_BAND_CONSTABLE
    from ppda.models import StaffMember
    from tests.factories.cases import CaseFactory, PartyFactory

    from .conftest import _suspect

    erased_above = CaseFactory(received_at=NOW - dt.timedelta(days=2))
    PartyFactory(case=erased_above, role="suspect", erased_band=ERASED_BAND_ABOVE)
    _suspect(erased_above, StaffMember.Rank.CONSTABLE)
    erased_constable = CaseFactory(received_at=NOW - dt.timedelta(days=2))
    PartyFactory(case=erased_constable, role="suspect", erased_band=ERASED_BAND_CONSTABLE)
    bands = by_slug(statistics_tables(StatisticsFilter(), now=NOW))["by_rank_band"]
    assert bands["Above constable"][0] == Count(3)  # c1, c4, erased_above
    assert bands["Constable or staff equivalent"][0] == Count(2)  # c2, erased_constable
    assert bands["No police perpetrator recorded"][0] == Count(1)  # c3

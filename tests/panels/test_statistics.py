"""Panel figures on the statistics page (registered by panels with oversight.statistics): items, bring-backs
and learning themes for the cohort's cases, in a fixed number of queries, suppressed outside coordinators."""

import pytest

from oversight.statistics import providers
from oversight.statistics.figures import FEWER_THAN
from oversight.statistics.selectors import StatisticsFilter
from panels import services
from panels.models import Theme
from tests.factories.panels import held_panel

pytestmark = pytest.mark.django_db


def _tables():
    return {t.slug: t for t in providers.tables(providers.PANELS, StatisticsFilter())}


def test_items_bring_backs_and_themes_are_counted(django_assert_num_queries):
    panel = held_panel(n_cases=3)
    first, second, _ = panel.items
    services.outcome_record(
        item=first,
        by=panel.chair,
        bring_back=True,
        bring_back_reason="Awaiting the misconduct meeting",
        themes=[Theme.ORGANISATIONAL, Theme.GOOD_PRACTICE],
    )
    services.outcome_record(item=second, by=panel.chair, themes=[Theme.ORGANISATIONAL])
    with django_assert_num_queries(2):
        tables = _tables()
    items = dict(tables["panel_items"].shown(suppress=False))
    assert items == {
        "Cases heard at a panel": ["3"],
        "Agenda items": ["3"],
        "Items the chair asked to bring back": ["1"],
    }
    themes = dict(tables["learning_themes"].shown(suppress=False))
    assert themes == {"Individual learning": ["0"], "Organisational learning": ["2"], "Good practice": ["1"]}
    # Outside the coordinators: small counts are never shown exactly.
    assert dict(tables["panel_items"].shown(suppress=True))["Agenda items"] == [FEWER_THAN]

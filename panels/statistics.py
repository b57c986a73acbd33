"""The scrutiny-panel figures for the statistics page (oversight.statistics.providers.PANELS).

For the cases of the statistics cohort: how many went to a panel (agenda items), how many the chair asked to
bring back, and the learning themes recorded (individual, organisational, good practice). Two aggregate
queries whatever the number of meetings; counts go through the same suppression as every other figure.
"""

from __future__ import annotations

from django.db.models import Count, Q

from oversight.statistics.figures import Count as CountCell
from oversight.statistics.figures import Row, Table

from .models import AgendaCase, Outcome, Theme

SECTION = "Scrutiny panels"


def panel_tables(stats_filter) -> list[Table]:
    cohort = stats_filter.cases().values("pk")
    items = AgendaCase.objects.filter(case__in=cohort).aggregate(
        cases=Count("case", distinct=True),
        items=Count("item", distinct=True),
        brought_back=Count("item", filter=Q(item__outcome__bring_back=True), distinct=True),
    )
    outcomes = Outcome.objects.filter(item__entries__case__in=cohort).distinct()
    themes = outcomes.aggregate(
        **{value: Count("pk", filter=Q(themes__contains=[value]), distinct=True) for value in Theme.values}
    )
    return [
        Table(
            "panel_items",
            "Panel items and bring-backs",
            ("Measure", "Number"),
            [
                Row("Cases heard at a panel", (CountCell(items["cases"]),)),
                Row("Agenda items", (CountCell(items["items"]),)),
                Row("Items the chair asked to bring back", (CountCell(items["brought_back"]),)),
            ],
            section=SECTION,
        ),
        Table(
            "learning_themes",
            "Panel learning themes",
            ("Theme", "Items"),
            [Row(Theme(value).label, (CountCell(themes[value]),)) for value in Theme.values],
            chart="bar",
            section=SECTION,
        ),
    ]

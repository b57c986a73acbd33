"""The investigation figures (cases/investigations), provided to the statistics page from oversight.

cases/ sits below oversight/ and cannot register with it, so the layer above reads the investigation record
itself and registers the provider (StatisticsConfig.ready). Two aggregate queries whatever the number of cases:
- misconduct-investigation rate: cases with a misconduct strand, of the cohort;
- IOPC-referral rate: cases referred (mandatory or voluntary), of the cohort;
- charge rate: criminal strands with a charge date, of the criminal strands;
- outcomes per strand, and the median days from report to outcome (concluded strands).
Victims supporting the investigation is not recorded anywhere yet: shown as not available.
"""

from __future__ import annotations

from django.db.models import Count, DurationField, ExpressionWrapper, F, FloatField, Q
from django.db.models.aggregates import Aggregate

from cases.investigations.models import Investigation, Strand

from .figures import Count as CountCell
from .figures import Percent, Row, Statistic, Table, not_available

SECTION = "Investigations"


class _MedianDays(Aggregate):
    """PostgreSQL's percentile_cont over an interval, in days."""

    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s) / 86400.0)"
    output_field = FloatField()


def investigation_tables(stats_filter) -> list[Table]:
    cohort = stats_filter.cases()
    cases = cohort.aggregate(
        total=Count("pk", distinct=True),
        misconduct=Count("pk", filter=Q(investigation__strands__kind=Strand.Kind.MISCONDUCT), distinct=True),
        referred=Count(
            "pk",
            filter=Q(
                investigation__iopc_referral__in=[
                    Investigation.IopcReferral.MANDATORY,
                    Investigation.IopcReferral.VOLUNTARY,
                ]
            ),
            distinct=True,
        ),
    )
    total = cases["total"]
    strands = Strand.objects.filter(investigation__case__in=cohort.values("pk"))
    days = ExpressionWrapper(F("concluded_at") - F("investigation__case__received_at"), output_field=DurationField())
    by_strand = strands.aggregate(
        criminal=Count("pk", filter=Q(kind=Strand.Kind.CRIMINAL)),
        charged=Count("pk", filter=Q(kind=Strand.Kind.CRIMINAL, charged_on__isnull=False)),
        concluded=Count("pk", filter=Q(concluded_at__isnull=False)),
        median_days=_MedianDays(days, filter=Q(concluded_at__isnull=False)),
        **{
            f"{kind}:{value}": Count("pk", filter=Q(kind=kind, outcome=value))
            for kind in Strand.Kind.values
            for value in Strand.Outcome.values
            if value
        },
    )
    rates = Table(
        "investigation_rates",
        "Misconduct investigations, IOPC referrals and charges",
        ("Figure", "Rate"),
        [
            Row("Cases with a misconduct investigation", (Percent(cases["misconduct"], total),)),
            Row("Cases referred to the IOPC", (Percent(cases["referred"], total),)),
            Row(
                "Criminal investigations that led to a charge", (Percent(by_strand["charged"], by_strand["criminal"]),)
            ),
        ],
        section=SECTION,
    )
    labels = dict(Strand.Outcome.choices)
    outcome_rows = [
        Row(f"{Strand.Kind(kind).label}: {labels[value]}", (CountCell(by_strand[f"{kind}:{value}"]),))
        for kind in Strand.Kind.values
        for value in Strand.Outcome.values
        if value and by_strand[f"{kind}:{value}"]
    ]
    median = by_strand["median_days"]
    outcome_rows.append(
        Row(
            "Median days from report to outcome",
            (Statistic(float(median) if median is not None else None, by_strand["concluded"], "days"),),
        )
    )
    outcomes = Table(
        "investigation_outcomes",
        "Investigation outcomes and days from report to outcome",
        ("Outcome", "Strands"),
        outcome_rows,
        section=SECTION,
    )
    supporting = not_available(
        "supporting_investigation",
        "Victims supporting the investigation",
        section=SECTION,
        note="Not recorded yet: the investigation record does not hold whether the victim supports it.",
    )
    return [rates, supporting, outcomes]

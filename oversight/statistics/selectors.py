"""The practice's figures (DESIGN.md section 1, step 10), aggregated in PostgreSQL.

Every figure counts one cohort: the cases *received* in the filter's date range (Europe/London dates), of the
filter's category. Each group of figures is one aggregate query (GROUP BY, FILTER, percentile_cont) whatever
the number of cases, so the page costs a constant number of queries; Python only lays the aggregated rows
out as tables. Figures owned by parts of the service built elsewhere come through providers.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Cast, Coalesce, Extract, TruncMonth, TruncYear
from django.utils import timezone

from cases.models import ERASED_BAND_ABOVE, ERASED_BAND_CONSTABLE, Case, Party
from oversight.closure.models import CaseClosure
from oversight.contacts.models import Contact, ContactPlan
from oversight.models import Allocation
from oversight.update_form.models import SUPPORT_KINDS, Support, SupportStatus
from oversight.update_form.selectors import BAND_ABOVE, BAND_CONSTABLE, CONSTABLE_OR_STAFF
from ppda.models import StaffMember

from . import providers
from .figures import Count as N
from .figures import Growth, Percent, Row, Statistic, Table

LONDON = ZoneInfo("Europe/London")
HOUR = 3600.0
DAY = 86400.0


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5): the median, interpolated, over non-null values."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _seconds(later: str, earlier: str):
    """later - earlier in seconds, computed by the database."""
    return Extract(ExpressionWrapper(F(later) - F(earlier), output_field=DurationField()), "epoch")


@dataclass(frozen=True)
class StatisticsFilter:
    """The cohort: cases received from date_from to date_to inclusive (London dates), of one category or all."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    category: str = ""

    def cases(self) -> QuerySet[Case]:
        qs = Case.objects.order_by()
        if self.date_from:
            qs = qs.filter(received_at__gte=dt.datetime.combine(self.date_from, dt.time.min, tzinfo=LONDON))
        if self.date_to:
            end = dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=LONDON)
            qs = qs.filter(received_at__lt=end)
        if self.category:
            qs = qs.filter(category=self.category)
        return qs

    def describe(self) -> str:
        parts = []
        if self.date_from:
            parts.append(f"received from {self.date_from:%-d %B %Y}")
        if self.date_to:
            parts.append(f"received up to {self.date_to:%-d %B %Y}")
        if self.category:
            parts.append(Case.Category(self.category).label.lower())
        return "All cases" if not parts else "Cases " + ", ".join(parts)


# -- Reports ----------------------------------------------------------------------------------------------


def _months(cases: QuerySet[Case]) -> list[tuple[dt.date, int]]:
    rows = (
        cases.annotate(month=TruncMonth("received_at", tzinfo=LONDON))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    counts = {r["month"].date(): r["n"] for r in rows}
    if not counts:
        return []
    # Every month from the first to the last, so a month with no reports shows as 0 (and the line is honest).
    out, month, last = [], min(counts), max(counts)
    while month <= last:
        out.append((month, counts.get(month, 0)))
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def _years(cases: QuerySet[Case]) -> list[tuple[int, int]]:
    rows = (
        cases.annotate(year=TruncYear("received_at", tzinfo=LONDON)).values("year").annotate(n=Count("id")).order_by()
    )
    counts = {r["year"].year: r["n"] for r in rows}
    if not counts:
        return []
    return [(y, counts.get(y, 0)) for y in range(min(counts), max(counts) + 1)]


def police_suspects_by_band() -> tuple[QuerySet[Party], QuerySet[Party]]:
    """(police suspects, police suspects above constable) of the outer case: by the staff record's rank, or by
    the band kept when a retention review deleted the identities (Party.erased_band), so a deleted case still
    counts under its perpetrator's rank."""
    suspects = Party.objects.filter(case=OuterRef("pk"), role=Party.Role.SUSPECT)
    police = suspects.filter(Q(staff__isnull=False) | Q(erased_band__in=(ERASED_BAND_ABOVE, ERASED_BAND_CONSTABLE)))
    above = suspects.filter(
        (Q(staff__isnull=False) & ~Q(staff__rank__in=CONSTABLE_OR_STAFF)) | Q(erased_band=ERASED_BAND_ABOVE)
    )
    return police, above


def _case_level(cases: QuerySet[Case]) -> dict:
    """One query over the cohort: every per-case dimension, the rank band, allocation, contacts, engagement.

    Set-based: each related table is aggregated once per case (GROUP BY case_id) and LEFT JOINed, not probed by
    correlated subqueries per case (at 20,000 cases those took ~660 ms; this takes a few tens)."""
    cohort_sql, cohort_params = cases.values(
        "pk", "route", "category", "risk_level", "duty", "status", "received_at"
    ).query.sql_with_params()
    party, staff = Party._meta.db_table, StaffMember._meta.db_table
    allocation, contact, plan = Allocation._meta.db_table, Contact._meta.db_table, ContactPlan._meta.db_table
    police = "(p.staff_id IS NOT NULL OR p.erased_band IN (%s, %s))"
    above = "((p.staff_id IS NOT NULL AND (s.rank IS NULL OR NOT (s.rank = ANY(%s)))) OR p.erased_band = %s)"
    params: list = [ERASED_BAND_ABOVE, ERASED_BAND_CONSTABLE, list(CONSTABLE_OR_STAFF), ERASED_BAND_ABOVE]
    params += [Party.Role.SUSPECT, Allocation.Status.DECLINED]
    params += [Contact.Outcome.COMPLETED, ContactPlan.Engagement.ENGAGED, ContactPlan.Engagement.DECLINED]
    per_case = (
        f"WITH cohort AS ({cohort_sql}), "  # noqa: S608 (table names from models, values as parameters)
        f"bands AS (SELECT p.case_id, bool_or({police}) AS police, bool_or({above}) AS above FROM {party} p "
        f"LEFT JOIN {staff} s ON s.id = p.staff_id WHERE p.role = %s AND p.case_id IN (SELECT pk FROM cohort) "
        "GROUP BY p.case_id), "
        f"allocs AS (SELECT a.case_id, bool_or(a.status <> %s) AS live, MIN(a.allocated_at) AS first_at "
        f"FROM {allocation} a WHERE a.case_id IN (SELECT pk FROM cohort) GROUP BY a.case_id), "
        f"contacts AS (SELECT a.case_id, COUNT(*) AS n FROM {contact} k JOIN {allocation} a ON a.id = k.allocation_id "
        "WHERE k.outcome = %s AND a.case_id IN (SELECT pk FROM cohort) GROUP BY a.case_id), "
        f"plans AS (SELECT a.case_id, bool_or(c.engagement = %s) AS engaged, bool_or(c.engagement = %s) AS declined "
        f"FROM {plan} c JOIN {allocation} a ON a.id = c.allocation_id "
        "WHERE a.case_id IN (SELECT pk FROM cohort) GROUP BY a.case_id), "
        "per AS (SELECT cohort.*, COALESCE(bands.police, false) AS police, COALESCE(bands.above, false) AS above, "
        "COALESCE(allocs.live, false) AS allocated, allocs.first_at, COALESCE(contacts.n, 0) AS contacts, "
        "COALESCE(plans.engaged, false) AS engaged, COALESCE(plans.declined, false) AS declined FROM cohort "
        "LEFT JOIN bands ON bands.case_id = cohort.pk LEFT JOIN allocs ON allocs.case_id = cohort.pk "
        "LEFT JOIN contacts ON contacts.case_id = cohort.pk LEFT JOIN plans ON plans.case_id = cohort.pk) "
    )
    columns: list[tuple[str, str, list]] = [("total", "COUNT(*)", [])]
    for name, field, choices in (
        ("route", "route", Case.Route),
        ("category", "category", Case.Category),
        ("risk", "risk_level", Case.Risk),
        ("duty", "duty", Case.Duty),
    ):
        for value in choices.values:
            columns.append((f"{name}_{value}", f"COUNT(*) FILTER (WHERE {field} = %s)", [value]))
    columns += [
        ("risk_", "COUNT(*) FILTER (WHERE risk_level = '')", []),
        ("band_above", "COUNT(*) FILTER (WHERE above)", []),
        ("band_constable", "COUNT(*) FILTER (WHERE police AND NOT above)", []),
        ("band_none", "COUNT(*) FILTER (WHERE NOT police)", []),
        ("open", "COUNT(*) FILTER (WHERE status <> %s)", [Case.Status.CLOSED]),
        ("allocated", "COUNT(*) FILTER (WHERE allocated)", []),
        ("contacts_total", "COALESCE(SUM(contacts) FILTER (WHERE allocated), 0)", []),
        (
            "contacts_median",
            "percentile_cont(0.5) WITHIN GROUP (ORDER BY contacts::float) FILTER (WHERE allocated)",
            [],
        ),
        ("engaged", "COUNT(*) FILTER (WHERE allocated AND engaged)", []),
        ("declined_soo", "COUNT(*) FILTER (WHERE allocated AND NOT engaged AND declined)", []),
        ("ever_allocated", "COUNT(*) FILTER (WHERE first_at IS NOT NULL)", []),
        (
            "allocate_seconds",
            "percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(epoch FROM first_at - received_at))",
            [],
        ),
    ]
    sql = per_case + "SELECT " + ", ".join(expr for _, expr, _ in columns) + " FROM per"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*cohort_params, *params, *(v for _, _, vs in columns for v in vs)])
        row = cursor.fetchone()
    out = dict(zip((name for name, _, _ in columns), row, strict=True))
    out["contacts_total"] = int(out["contacts_total"])
    if out["allocate_seconds"] is not None:
        out["allocate_seconds"] = float(out["allocate_seconds"])
    return out


def _first_contact(cases: QuerySet[Case], now: dt.datetime) -> dict:
    """72-hour compliance over allocations whose deadline has passed or was met (a live one still in time is
    not yet a success or a failure); the median time to first contact over those met."""
    met = Q(first_contact_met_at__isnull=False)
    return (
        Allocation.objects.filter(case__in=cases.values("pk"))
        .exclude(status=Allocation.Status.DECLINED)
        .aggregate(
            due=Count("id", filter=met | Q(first_contact_due__lte=now)),
            in_time=Count("id", filter=Q(first_contact_met_at__lte=F("first_contact_due"))),
            met=Count("id", filter=met),
            seconds=Median(_seconds("first_contact_met_at", "allocated_at"), filter=met),
        )
    )


def _soo_years(cases: QuerySet[Case]) -> list[tuple]:
    """Per year of allocation: SOOs allocated, allocations, the median and the most per SOO."""
    case_sql, case_params = cases.values("pk").query.sql_with_params()
    table = Allocation._meta.db_table
    sql = (
        f"WITH per AS (SELECT soo_id, EXTRACT(YEAR FROM allocated_at AT TIME ZONE %s)::int AS year, "  # noqa: S608
        f"COUNT(*) AS n FROM {table} WHERE status <> %s AND case_id IN ({case_sql}) GROUP BY soo_id, year) "
        "SELECT year, COUNT(*), SUM(n), percentile_cont(0.5) WITHIN GROUP (ORDER BY n), MAX(n) "
        "FROM per GROUP BY year ORDER BY year"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ["Europe/London", Allocation.Status.DECLINED, *case_params])
        return cursor.fetchall()


def _open_load(cases: QuerySet[Case]) -> dict:
    per_soo = (
        Allocation.objects.filter(
            case__in=cases.values("pk"), status__in=(Allocation.Status.PENDING, Allocation.Status.ACCEPTED)
        )
        .order_by()
        .values("soo")
        .annotate(n=Count("id"))
    )
    return per_soo.aggregate(soos=Count("soo"), allocations=Coalesce(Sum("n"), 0), median=Median("n"), most=Max("n"))


def _support(cases: QuerySet[Case]) -> dict:
    offered = (SupportStatus.OFFERED, SupportStatus.ACCEPTED, SupportStatus.DECLINED)
    agg = {}
    for kind, _label in SUPPORT_KINDS:
        agg[f"{kind}_offered"] = Count("id", filter=Q(**{f"{kind}_status__in": offered}))
        agg[f"{kind}_accepted"] = Count("id", filter=Q(**{f"{kind}_status": SupportStatus.ACCEPTED}))
    return Support.objects.filter(case__in=cases.values("pk")).aggregate(**agg)


def _closures(cases: QuerySet[Case]) -> dict:
    agg = {"closed": Count("id")}
    for value in CaseClosure.Confidence.values:
        agg[f"confident_{value}"] = Count("id", filter=Q(victim_confident_to_report=value))
    for value in CaseClosure.CriminalOutcome.values:
        agg[f"criminal_{value}"] = Count("id", filter=Q(criminal_outcome=value))
    for value in CaseClosure.MisconductOutcome.values:
        agg[f"misconduct_{value}"] = Count("id", filter=Q(misconduct_outcome=value))
    rated = Q(victim_kept_informed_rating__isnull=False)
    agg.update(
        rated=Count("id", filter=rated),
        rating=Median(Cast("victim_kept_informed_rating", FloatField()), filter=rated),
        days=Median(_seconds("closed_at", "case__received_at")),
    )
    return CaseClosure.objects.filter(case__in=cases.values("pk"), closed_at__isnull=False).aggregate(**agg)


# -- Tables -------------------------------------------------------------------------------------------------


def _per(seconds: float | None, unit: float) -> float | None:
    return None if seconds is None else seconds / unit


def _choice_table(slug, caption, label, choices, values: dict, prefix: str, total: int, section: str) -> Table:
    rows = [
        Row(text, (N(values[f"{prefix}_{value}"]), Percent(values[f"{prefix}_{value}"], total)))
        for value, text in choices
    ]
    return Table(slug, caption, (label, "Cases", "Share of cases"), rows, chart="bar", section=section)


REPORTS, SOOS, CONTACT, CLOSURE = "Reports", "Senior oversight officers", "Contact with the victim", "Closure"


def statistics_tables(stats_filter: StatisticsFilter, *, now: dt.datetime | None = None) -> list[Table]:
    """Every figure on the statistics page, in page order (a constant number of queries)."""
    now = now or timezone.now()
    cases = stats_filter.cases()
    months, years = _months(cases), _years(cases)
    c = _case_level(cases)
    total = c["total"]
    tables = [
        Table(
            "cases_by_month",
            "Cases reported each month",
            ("Month", "Cases"),
            [Row(f"{m:%B %Y}", (N(n),)) for m, n in months],
            chart="line",
            section=REPORTS,
        ),
        Table(
            "cases_by_year",
            "Cases reported each year, and the change on the year before",
            ("Year", "Cases", "Change on the year before"),
            [Row(str(y), (N(n), Growth(n, years[i - 1][1]) if i else Growth(n, 0))) for i, (y, n) in enumerate(years)],
            chart="bar",
            section=REPORTS,
        ),
        _choice_table("by_route", "Cases by route", "Route", Case.Route.choices, c, "route", total, REPORTS),
        _choice_table(
            "by_category", "Cases by category", "Category", Case.Category.choices, c, "category", total, REPORTS
        ),
        _choice_table(
            "by_risk",
            "Cases by risk level (DASH)",
            "Risk",
            [*Case.Risk.choices, ("", "Not yet assessed")],
            c,
            "risk",
            total,
            REPORTS,
        ),
        _choice_table("by_duty", "Cases by on or off duty", "Duty", Case.Duty.choices, c, "duty", total, REPORTS),
        _choice_table(
            "by_rank_band",
            "Cases by the perpetrator's rank",
            "Rank band",
            [("above", BAND_ABOVE), ("constable", BAND_CONSTABLE), ("none", "No police perpetrator recorded")],
            c,
            "band",
            total,
            REPORTS,
        ),
    ]
    tables[-1].note = "A case with several police suspects counts under the most senior of them."

    soo_years = _soo_years(cases)
    load = _open_load(cases)
    tables += [
        Table(
            "soo_per_year",
            "Cases allocated to each SOO, by year of allocation",
            ("Year", "SOOs allocated", "Allocations", "Median per SOO", "Most for one SOO"),
            [
                Row(str(year), (N(soos), N(int(n)), Statistic(median, soos, "cases"), Statistic(most, soos, "cases")))
                for year, soos, n, median, most in soo_years
            ],
            chart="bar",
            section=SOOS,
            note="Declined allocations are not counted.",
        ),
        Table(
            "open_load",
            "Open load: SOOs with an open allocation now",
            ("Now", "SOOs with open cases", "Open allocations", "Median per SOO", "Most for one SOO"),
            [
                Row(
                    "Open allocations",
                    (
                        N(load["soos"]),
                        N(load["allocations"]),
                        Statistic(load["median"], load["soos"], "cases"),
                        Statistic(load["most"], load["soos"], "cases"),
                    ),
                )
            ],
            section=SOOS,
        ),
    ]

    fc = _first_contact(cases, now)
    allocated = c["allocated"]
    not_recorded = allocated - c["engaged"] - c["declined_soo"]
    tables += [
        Table(
            "first_contact",
            "Time to allocate, and first contact within 72 hours",
            ("Measure", "Figure"),
            [
                Row(
                    "Median time from report to allocation",
                    (Statistic(_per(c["allocate_seconds"], HOUR), c["ever_allocated"], "hours"),),
                ),
                Row("First contact within 72 hours of allocation", (Percent(fc["in_time"], fc["due"]),)),
                Row(
                    "Median time from allocation to first contact",
                    (Statistic(_per(fc["seconds"], HOUR), fc["met"], "hours"),),
                ),
            ],
            section=CONTACT,
            note="72-hour compliance counts allocations whose deadline has passed or was met; "
            "a first contact is a completed contact or the victim's recorded choice not to engage.",
        ),
        Table(
            "contacts_per_case",
            "SOO–victim contacts per case",
            ("Measure", "Figure"),
            [
                Row("Cases allocated to an SOO", (N(allocated),)),
                Row("Completed contacts", (N(c["contacts_total"]),)),
                Row(
                    "Median completed contacts per allocated case",
                    (Statistic(c["contacts_median"], allocated, "contacts"),),
                ),
            ],
            section=CONTACT,
        ),
        Table(
            "engagement",
            "Victims engaging with their SOO",
            ("Victim's choice", "Cases", "Share of allocated cases"),
            [
                Row("Engaged with the SOO", (N(c["engaged"]), Percent(c["engaged"], allocated))),
                Row("Declined SOO support", (N(c["declined_soo"]), Percent(c["declined_soo"], allocated))),
                Row("Not yet recorded", (N(not_recorded), Percent(not_recorded, allocated))),
            ],
            chart="bar",
            section=CONTACT,
        ),
    ]
    support = _support(cases)
    tables.append(
        Table(
            "support",
            "Support the SOO linked the victim to",
            ("Support", "Offered", "Accepted", "Accepted of those offered"),
            [
                Row(
                    label,
                    (
                        N(support[f"{k}_offered"]),
                        N(support[f"{k}_accepted"]),
                        Percent(support[f"{k}_accepted"], support[f"{k}_offered"]),
                    ),
                )
                for k, label in SUPPORT_KINDS
            ],
            section=CONTACT,
        )
    )

    closures = _closures(cases)
    closed = closures["closed"]
    answered = sum(closures[f"confident_{v}"] for v in CaseClosure.Confidence.values)
    tables += [
        Table(
            "confidence",
            "Would the victim feel confident to report again? (asked at closure)",
            ("Answer", "Victims", "Share of answers"),
            [
                *(
                    Row(label, (N(closures[f"confident_{v}"]), Percent(closures[f"confident_{v}"], answered)))
                    for v, label in CaseClosure.Confidence.choices
                ),
                Row("Not asked or not recorded", (N(closed - answered), Percent(closed - answered, closed))),
            ],
            chart="bar",
            section=CLOSURE,
        ),
        Table(
            "closure_measures",
            "Closed cases",
            ("Measure", "Figure"),
            [
                Row("Cases closed", (N(closed),)),
                Row("Median days from report to closure", (Statistic(_per(closures["days"], DAY), closed, "days"),)),
                Row(
                    "Median rating for being kept informed (1 to 5)",
                    (Statistic(closures["rating"], closures["rated"]),),
                ),
            ],
            section=CLOSURE,
        ),
        Table(
            "criminal_outcomes",
            "Criminal investigation outcomes recorded at closure",
            ("Outcome", "Cases"),
            [Row(label, (N(closures[f"criminal_{v}"]),)) for v, label in CaseClosure.CriminalOutcome.choices],
            chart="bar",
            section=CLOSURE,
        ),
        Table(
            "misconduct_outcomes",
            "Misconduct investigation outcomes recorded at closure",
            ("Outcome", "Cases"),
            [Row(label, (N(closures[f"misconduct_{v}"]),)) for v, label in CaseClosure.MisconductOutcome.choices],
            chart="bar",
            section=CLOSURE,
        ),
    ]
    tables += providers.tables(providers.INVESTIGATIONS, stats_filter)
    tables += providers.tables(providers.PANELS, stats_filter)
    return tables


# The panel chair's reduced view: the practice's headline figures, never SOO workload or monthly detail
# (small monthly counts in a small force narrow too far), always suppressed.
REDUCED = {
    "cases_by_year",
    "by_route",
    "by_category",
    "by_risk",
    "by_duty",
    "by_rank_band",
    "first_contact",
    "engagement",
    "confidence",
    "criminal_outcomes",
    "misconduct_outcomes",
    "investigation_rates",
    "investigation_outcomes",
    "panel_items",
    "learning_themes",
}


def statistics_tables_reduced(stats_filter: StatisticsFilter, *, now: dt.datetime | None = None) -> list[Table]:
    return [t for t in statistics_tables(stats_filter, now=now) if t.slug in REDUCED]

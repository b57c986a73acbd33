"""Exports: the figures (CSV, XLSX; always suppressed, never identities), the inspection export and the case
list (coordinators only, identified by case reference, each logged with its row count and one access-log
row per case so the auditor can answer "who exported case X").

Spreadsheet formula injection is neutralised in every cell that holds text (`cell_safe`): a value that a
spreadsheet would read as a formula is prefixed with an apostrophe. Numbers and dates are written as such.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from openpyxl import Workbook

from cases.models import Case
from cases.selectors import cases_for_user
from oversight.contacts.models import Contact, ContactPlan
from oversight.models import Allocation
from oversight.update_form.selectors import BAND_ABOVE, BAND_CONSTABLE
from ppda.accounts.addresses import client_ip
from ppda.audit import CASE_OBJECT_TYPE, access_record
from ppda.models import AccessLog

from .figures import Table
from .selectors import police_suspects_by_band

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
LONDON = timezone.get_default_timezone()


def cell_safe(value):
    """Text a spreadsheet would evaluate (=, +, -, @, tab, CR, LF first) is prefixed with an apostrophe."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


# -- Figures ----------------------------------------------------------------------------------------------


def figure_rows(tables: list[Table]) -> list[list]:
    """The figures as rows (section, figure, row label, then one column per cell), small numbers suppressed."""
    out = []
    for table in tables:
        if not table.available:
            out.append([table.section, table.caption, "Not available yet", ""])
            continue
        out.append([table.section, table.caption, *table.columns])
        for label, cells in table.shown(suppress=True):
            out.append([table.section, table.caption, label, *cells])
        out.append([])
    return out


FIGURES_HEADER = ["Section", "Figure", "Row", "Values"]
FIGURES_NOTE = (
    "Small numbers suppressed: counts of 1 to 9 are shown as 'fewer than 10', other counts are rounded to "
    "the nearest 5, and a percentage or median on a base under 10 is not shown."
)


def figures_csv(tables: list[Table], *, described: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([cell_safe(described)])
    writer.writerow([FIGURES_NOTE])
    writer.writerow(FIGURES_HEADER)
    for row in figure_rows(tables):
        writer.writerow([cell_safe(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx(sheets: list[tuple[str, list[list]]]) -> bytes:
    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append([cell_safe(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def figures_xlsx(tables: list[Table], *, described: str) -> bytes:
    return _xlsx([("Figures", [[described], [FIGURES_NOTE], FIGURES_HEADER, *figure_rows(tables)])])


# -- Case-level exports (coordinators only, logged) --------------------------------------------------------


def _rank_band(above: bool, police: bool) -> str:
    return BAND_ABOVE if above else BAND_CONSTABLE if police else "No police perpetrator recorded"


def _local(value: dt.datetime | None):
    return timezone.localtime(value, LONDON).replace(tzinfo=None) if value else None


def inspection_cases(*, user, now: dt.datetime | None = None) -> QuerySet[Case]:
    """Live cases and cases closed in the last 12 months, with what the inspection asks, in one query.

    Only cases the user may see identified (cases_for_user): a coordinator who is a party to a case, or has
    declared a conflict on it, never exports it."""
    now = now or timezone.now()
    police_suspects, above_suspects = police_suspects_by_band()
    current = Allocation.objects.filter(case=OuterRef("pk")).exclude(status=Allocation.Status.DECLINED)
    current = current.order_by("-allocated_at", "-id")
    contacts = (
        Contact.objects.filter(allocation__case=OuterRef("pk"), outcome=Contact.Outcome.COMPLETED)
        .order_by()
        .values("allocation__case")
        .annotate(c=Count("id"))
        .values("c")
    )
    # The current allocation's plan: the same order as `current`.
    engagement = (
        ContactPlan.objects.filter(allocation__case=OuterRef("pk"))
        .exclude(allocation__status=Allocation.Status.DECLINED)
        .order_by("-allocation__allocated_at", "-allocation_id")
    )
    return (
        cases_for_user(user)
        .filter(~Q(status=Case.Status.CLOSED) | Q(closed_at__gte=now - dt.timedelta(days=365)))
        .select_related("closure")
        .annotate(
            suspect_above=Exists(above_suspects),
            suspect_police=Exists(police_suspects),
            allocated_at=Subquery(current.values("allocated_at")[:1]),
            first_contact_due=Subquery(current.values("first_contact_due")[:1]),
            first_contact_met_at=Subquery(current.values("first_contact_met_at")[:1]),
            engagement=Subquery(engagement.values("engagement")[:1]),
            completed_contacts=Coalesce(Subquery(contacts, output_field=IntegerField()), Value(0)),
        )
        .order_by("received_at", "id")
    )


INSPECTION_COLUMNS = [
    "Reference",
    "Received (UK time)",
    "Route",
    "Category",
    "Risk (DASH)",
    "On or off duty",
    "Perpetrator rank band",
    "Status",
    "Allocated to an SOO (UK time)",
    "First contact due (UK time)",
    "First contact (UK time)",
    "First contact within 72 hours",
    "Victim's engagement with the SOO",
    "Completed SOO contacts",
    "Closed (UK time)",
    "Reason for closing",
    "Criminal outcome",
    "Misconduct outcome",
    "Would feel confident to report again",
    "Outcome (PSD)",
]


def _inspection_row(case: Case) -> list:
    closure = getattr(case, "closure", None)
    in_time = ""
    if case.first_contact_met_at:
        in_time = "Yes" if case.first_contact_met_at <= case.first_contact_due else "No"
    elif case.first_contact_due and case.first_contact_due <= timezone.now():
        in_time = "No"
    engagement = ContactPlan.Engagement(case.engagement).label if case.engagement else ""
    closed = closure is not None and closure.closed_at is not None
    return [
        case.reference,
        _local(case.received_at),
        case.get_route_display(),
        case.get_category_display(),
        case.get_risk_level_display(),
        case.get_duty_display(),
        _rank_band(case.suspect_above, case.suspect_police),
        case.get_status_display(),
        _local(case.allocated_at),
        _local(case.first_contact_due),
        _local(case.first_contact_met_at),
        in_time,
        engagement,
        case.completed_contacts,
        _local(case.closed_at),
        closure.get_reason_display() if closed else "",
        closure.get_criminal_outcome_display() if closed else "",
        closure.get_misconduct_outcome_display() if closed else "",
        closure.get_victim_confident_to_report_display() if closed else "",
        case.outcome,
    ]


def inspection_rows(*, user, now: dt.datetime | None = None) -> tuple[list[list], list[tuple[str, str]]]:
    """(rows, [(public id, reference)]) for the inspection export."""
    cases = list(inspection_cases(user=user, now=now))
    return [_inspection_row(c) for c in cases], [(str(c.public_id), c.reference) for c in cases]


def inspection_xlsx(rows: list[list], *, now: dt.datetime) -> bytes:
    about = [
        ["Live cases and cases closed in the 12 months to " + f"{timezone.localtime(now):%-d %B %Y}"],
        ["No names or personal details of the people in the cases: case references only."],
        [],
        INSPECTION_COLUMNS,
    ]
    return _xlsx([("Cases", [*about, *rows])])


CASE_LIST_COLUMNS = ["Reference", "Received (UK time)", "Route", "Category", "Risk (DASH)", "On or off duty", "Status"]


def case_list_rows(cases: QuerySet[Case], *, user) -> tuple[list[list], list[tuple[str, str]]]:
    """The cohort's cases the user may see identified (never their own case), in order of receipt."""
    cases = list(
        cases.filter(pk__in=cases_for_user(user).values("pk"))
        .only("public_id", "reference", "received_at", "route", "category", "risk_level", "duty", "status")
        .order_by("received_at", "id")
    )
    rows = [
        [
            c.reference,
            f"{timezone.localtime(c.received_at):%Y-%m-%d %H:%M}",
            c.get_route_display(),
            c.get_category_display(),
            c.get_risk_level_display(),
            c.get_duty_display(),
            c.get_status_display(),
        ]
        for c in cases
    ]
    return rows, [(str(c.public_id), c.reference) for c in cases]


def case_list_csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CASE_LIST_COLUMNS)
    for row in rows:
        writer.writerow([cell_safe(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def export_log(*, request, what: str, cases: list[tuple[str, str]]) -> AccessLog:
    """One summary row with the row count, and one row per exported case (in the caller's transaction)."""
    summary = access_record(
        request=request, action=AccessLog.Action.EXPORT, object_type=CASE_OBJECT_TYPE, what=f"{what}: {len(cases)} rows"
    )
    user, ip, path = request.user, client_ip(request), request.path[:300]
    AccessLog.objects.bulk_create(
        [
            AccessLog(
                user=user,
                username=user.get_username(),
                action=AccessLog.Action.EXPORT,
                object_type=CASE_OBJECT_TYPE,
                object_id=public_id,
                case_reference=reference,
                what=what[:120],
                path=path,
                ip_address=ip,
            )
            for public_id, reference in cases
        ],
        batch_size=1000,
    )
    return summary

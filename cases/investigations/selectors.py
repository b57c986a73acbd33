"""Reads of investigations, for this app's views and for the apps built on cases/ (oversight, panels).

Other apps use:
- `psd_updates_for_case(case)`: the PSD updates of a case, newest first (panels' "PSD update" slot).
- `investigation_for_case(case)`: the record with its strands, or None.
- `investigation_record_summary(case)`: a one-paragraph summary (`summary`, `updated_at`) for the update form.
- `outcomes_for_case(case)`: (criminal, misconduct) outcomes in words, for closure; None without a record.
- `psd_assigned(user, case)`: whether the user is the case's assigned PSD representative now.
Every list is a constant number of queries whatever its length.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from cases.models import Case
from cases.selectors import _excluding_own_and_conflicted
from ppda.roles import Role, has_role

from .models import Investigation, PsdAssignment, PsdUpdate, Strand


def psd_assigned(user, case: Case) -> bool:
    """True while the user, a PSD representative, holds a live assignment to the case."""
    if not (user.is_authenticated and user.is_active and has_role(user, Role.PSD_REP)):
        return False
    return PsdAssignment.objects.filter(case=case, user=user, ended_at__isnull=True).exists()


def _strands() -> Prefetch:
    return Prefetch("strands", queryset=Strand.objects.select_related("officer_in_charge"))


def investigation_for_case(case: Case) -> Investigation | None:
    """The case's investigation record with its strands (and their officers in charge), or None. Two queries."""
    return Investigation.objects.filter(case=case).prefetch_related(_strands()).first()


def psd_updates_for_case(case: Case, *, limit: int | None = None) -> list[PsdUpdate]:
    """The PSD updates posted on the case, newest first, with their strand, officers and author: one query.

    Identified (officer names, free text): for the identified pages and the PSD representative's own panel slot;
    an anonymised reader passes `text`, `decision` and `rationale` through the update form's redactor."""
    qs = PsdUpdate.objects.filter(investigation__case=case).select_related(
        "strand", "from_officer", "to_officer", "posted_by"
    )
    return list(qs[:limit] if limit else qs)


def assignments_for_case(case: Case) -> list[PsdAssignment]:
    """Every assignment of the case, live first, with the users: one query."""
    return list(
        PsdAssignment.objects.filter(case=case)
        .select_related("user", "assigned_by", "ended_by")
        .order_by("ended_at", "-assigned_at")
    )


@dataclass(frozen=True)
class RecordSummary:
    summary: str
    updated_at: dt.datetime


def _strand_words(strand: Strand) -> str:
    words = f"{strand.get_kind_display()} investigation ({strand.get_unit_display()}): {strand.get_status_display()}"
    if strand.outcome:
        words += f", {strand.get_outcome_display().lower()}"
    return words


def investigation_record_summary(case: Case) -> RecordSummary | None:
    """What the update form shows of the investigation record: each strand's unit, status and outcome, the IOPC
    referral and the latest PSD update. Free text (the update): the panel rendering redacts it."""
    investigation = investigation_for_case(case)
    if investigation is None:
        return None
    parts = [_strand_words(s) for s in investigation.strands.all()]
    if investigation.iopc_referral != Investigation.IopcReferral.NONE:
        iopc = f"IOPC: {investigation.get_iopc_referral_display().lower()}"
        if investigation.iopc_mode:
            iopc += f", {investigation.get_iopc_mode_display().lower()} investigation"
        parts.append(iopc)
    latest = PsdUpdate.objects.filter(investigation=investigation).first()
    if latest is not None:
        said = latest.text or latest.decision
        parts.append(f"Latest PSD update: {latest.get_kind_display().lower()}" + (f", {said}" if said else ""))
    summary = ". ".join(parts)
    if not summary.endswith((".", "!", "?")):  # the update's own text may already end its sentence
        summary += "."
    return RecordSummary(summary=summary, updated_at=investigation.last_update_at)


def outcomes_for_case(case: Case) -> tuple[str, str] | None:
    """(criminal, misconduct) outcomes in words, "" for a strand still open; None without a record. A strand
    never opened reads "No criminal investigation" / "No misconduct investigation". One query (a record always
    has a strand)."""
    strands = list(Strand.objects.filter(investigation__case=case))
    if not strands:
        return None
    words = {Strand.Kind.CRIMINAL: "No criminal investigation", Strand.Kind.MISCONDUCT: "No misconduct investigation"}
    for strand in strands:
        if not strand.is_concluded:
            words[strand.kind] = ""
        elif strand.outcome:
            prefix = "Charged; court outcome: " if strand.kind == Strand.Kind.CRIMINAL else ""
            words[strand.kind] = prefix + strand.get_outcome_display()
        else:
            words[strand.kind] = strand.get_status_display()
    return words[Strand.Kind.CRIMINAL], words[Strand.Kind.MISCONDUCT]


# -- The PSD representative's list -----------------------------------------------------------------------------


@dataclass
class PsdRow:
    case: Case
    investigation: Investigation | None
    next_due: str
    due_at: dt.datetime | dt.date | None
    overdue: bool


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    raise ValueError(day)


def reg19_next_marker(allegation_on: dt.date, today: dt.date) -> tuple[int, dt.date]:
    """The next reg. 19 marker (months after the allegation) not yet reached, and its date."""
    first, every = settings.INVESTIGATION_REG19_FIRST_MONTHS, settings.INVESTIGATION_REG19_REPEAT_MONTHS
    months = first
    while _add_months(allegation_on, months) <= today:
        months += every
    return months, _add_months(allegation_on, months)


def next_thing_due(investigation: Investigation | None, *, now: dt.datetime) -> tuple[str, object, bool]:
    """(what, when, overdue) for the PSD representative's list: open the record, else the earliest of the next
    PSD update (no-update threshold) and the next reg. 19 marker of an open misconduct strand."""
    if investigation is None:
        return "Open the investigation record", None, False
    if investigation.concluded_at is not None:
        return "Nothing: the investigation is concluded", None, False
    update_due = investigation.last_update_at + dt.timedelta(days=settings.INVESTIGATION_NO_UPDATE_DAYS)
    items = [("Post an update", update_due, update_due <= now, update_due.date())]
    today = now.date()
    for strand in investigation.strands.all():
        if strand.kind == Strand.Kind.MISCONDUCT and not strand.is_concluded and strand.allegation_on:
            months, on = reg19_next_marker(strand.allegation_on, today)
            items.append((f"Reg. 19 {months}-month report to the PCC", on, False, on))
    what, when, overdue, _ = min(items, key=lambda i: i[3])
    return what, when, overdue


def psd_cases_for_user(user, *, now: dt.datetime) -> list[PsdRow]:
    """The cases the PSD representative is assigned to now (never one they may not open), oldest assignment
    first, each with its record and the next thing due: three queries whatever the number of cases."""
    if not has_role(user, Role.PSD_REP):
        return []
    cases: QuerySet = _excluding_own_and_conflicted(
        user, Case.objects.filter(psd_assignments__user=user, psd_assignments__ended_at__isnull=True)
    ).order_by("psd_assignments__assigned_at")
    cases = list(cases)
    records = {
        i.case_id: i for i in Investigation.objects.filter(case__in=[c.pk for c in cases]).prefetch_related(_strands())
    }
    rows = []
    for case in cases:
        record = records.get(case.pk)
        what, when, overdue = next_thing_due(record, now=now)
        rows.append(PsdRow(case=case, investigation=record, next_due=what, due_at=when, overdue=overdue))
    return rows


def psd_reps_assignable() -> QuerySet:
    """Active PSD representatives, for the coordinators' assignment form (the service checks the case rules)."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.PSD_REP)
        .order_by("last_name", "first_name", "username")
    )

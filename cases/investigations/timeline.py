"""The case timeline (MOJ timeline pattern): everything that happened to a case, newest first.

cases/ knows intake, triage, PSD assignment, the investigation and its updates, and the case's status changes
(closure, reopening). The apps built on cases add their own events by registering a source
(`timeline_source_register(fn)`, in their AppConfig.ready): oversight adds allocations, acceptance and
contacts; panels will add panel outcomes. A source is `fn(case) -> list[TimelineEvent]` in a fixed number of
queries, so the timeline costs the same for 3 events or 300.

Identified: `title` names no one, but `detail` is free text (or, with `names_staff`, a staff member's name)
and `by` a person's name. The anonymised variant
(`anonymised_timeline` in oversight/update_form/render.py) drops `by` and staff names and passes `detail`
through the update form's redactor, failing closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from cases.models import Case

from .models import Investigation, PsdAssignment, PsdUpdate, Strand


@dataclass(frozen=True)
class TimelineEvent:
    at: dt.datetime
    title: str  # generic, never identifying: "Case triaged", "PSD update: decision"
    detail: str = ""  # free text (may identify): redacted in the anonymised variant
    by: str = ""  # who did it (identified only)
    kind: str = ""  # a stable slug: intake, triage, allocation, contact, psd, investigation, status, panel
    names_staff: bool = False  # `detail` is a staff member's name (SOO, PSD, officer): dropped when anonymised


TimelineSource = Callable[[Case], list[TimelineEvent]]
_sources: list[TimelineSource] = []


def timeline_source_register(source: TimelineSource) -> None:
    if source not in _sources:
        _sources.append(source)


def _name(user) -> str:
    return user.display_name if user is not None else ""


def _case_events(case: Case) -> list[TimelineEvent]:
    events = [TimelineEvent(at=case.received_at, title=f"Case received ({case.get_route_display()})", kind="intake")]
    if case.triaged_at:
        title = "Case triaged" + (f": DASH risk {case.get_risk_level_display().lower()}" if case.risk_level else "")
        events.append(TimelineEvent(at=case.triaged_at, title=title, kind="triage"))
    # Closure and reopening, from the case's own history (one query).
    previous = None
    for row in case.history.order_by("history_date", "history_id").only("status", "history_date").iterator():
        if previous is not None and row.status != previous and row.status in (Case.Status.CLOSED, Case.Status.REOPENED):
            title = "Case closed" if row.status == Case.Status.CLOSED else "Case reopened"
            events.append(TimelineEvent(at=row.history_date, title=title, kind="status"))
        previous = row.status
    return events


def _psd_events(case: Case) -> list[TimelineEvent]:
    events = []
    for a in PsdAssignment.objects.filter(case=case).select_related("user", "assigned_by", "ended_by"):
        events.append(
            TimelineEvent(
                at=a.assigned_at,
                title="PSD representative assigned",
                by=_name(a.assigned_by),
                detail=_name(a.user),
                kind="psd",
                names_staff=True,
            )
        )
        if a.ended_at:
            events.append(
                TimelineEvent(
                    at=a.ended_at,
                    title="PSD representative removed",
                    by=_name(a.ended_by),
                    detail=_name(a.user),
                    kind="psd",
                    names_staff=True,
                )
            )
    investigation = Investigation.objects.filter(case=case).select_related("created_by").first()
    if investigation is not None:
        events.append(
            TimelineEvent(
                at=investigation.opened_at,
                title="Investigation record opened",
                by=_name(investigation.created_by),
                kind="investigation",
            )
        )
    updates = PsdUpdate.objects.filter(investigation__case=case).select_related("strand", "to_officer", "posted_by")
    for u in updates:
        title = f"PSD update: {u.get_kind_display().lower()}"
        detail = u.text
        if u.kind == PsdUpdate.Kind.STATUS and u.strand is not None:
            title = f"{u.strand.get_kind_display()} investigation: {_status(u.from_status)} to {_status(u.to_status)}"
        elif u.kind == PsdUpdate.Kind.INVESTIGATOR and u.strand is not None:
            title = f"{u.strand.get_kind_display()} investigation: officer in charge changed"
            detail = f"{u.to_officer.first_name} {u.to_officer.last_name}" if u.to_officer else ""
        elif u.kind in (PsdUpdate.Kind.DECISION, PsdUpdate.Kind.IOPC):
            title = "PSD decision not to act" if u.decided_not_to else f"PSD {u.get_kind_display().lower()}"
            detail = f"{u.decision}. Rationale: {u.rationale}" if u.rationale else u.decision
        events.append(
            TimelineEvent(
                at=u.posted_at,
                title=title,
                detail=detail,
                by=_name(u.posted_by),
                kind="investigation",
                names_staff=u.kind == PsdUpdate.Kind.INVESTIGATOR,
            )
        )
    return events


def _status(value: str) -> str:
    return Strand.Status(value).label.lower() if value in Strand.Status.values else value


def case_timeline(case: Case) -> list[TimelineEvent]:
    """Every event of the case, newest first: a fixed number of queries whatever the number of events."""
    events = _case_events(case) + _psd_events(case)
    for source in list(_sources):
        events += source(case)
    return sorted(events, key=lambda e: e.at, reverse=True)

"""Reads for closure. The update form shows the closure read-only through closure_for_case."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from cases.models import Case, Party
from oversight.models import Allocation

from . import hooks
from .models import CaseClosure, CaseReopening
from .services import CLOSURE_FIELDS, closure_blockers


def closure_for_case(case: Case) -> CaseClosure | None:
    """The case's closure record (draft or closed), or None if the SOO has not started it. One query."""
    return CaseClosure.objects.filter(case=case).select_related("closed_by", "updated_by").first()


@dataclass
class ClosureChange:
    at: object
    by: str
    fields: list[str] = field(default_factory=list)
    closed: bool = False


_LABELS = {name: CaseClosure._meta.get_field(name).verbose_name for name in CLOSURE_FIELDS}


def closure_changes(closure: CaseClosure | None) -> list[ClosureChange]:
    """Each save of the closure, newest first: who, when and which items changed (from simple-history).
    One query, however many saves."""
    if closure is None:
        return []
    rows = list(closure.history.select_related("history_user").order_by("history_date", "history_id"))
    changes, previous = [], None
    for row in rows:
        changed = [
            _LABELS[name]
            for name in CLOSURE_FIELDS
            if previous is None or getattr(row, name) != getattr(previous, name)
        ]
        if previous is None:
            changed = [label for name, label in _LABELS.items() if getattr(row, name) not in ("", None, False)]
        closed = row.closed_at is not None and (previous is None or previous.closed_at is None)
        if changed or closed or previous is None:
            user = row.history_user
            changes.append(
                ClosureChange(
                    at=row.history_date,
                    by=(user.display_name if user is not None else "The system"),
                    fields=changed,
                    closed=closed,
                )
            )
        previous = row
    changes.reverse()
    return changes


@dataclass
class ClosurePage:
    case: Case
    closure: CaseClosure | None
    blockers: dict[str, list[str]]
    outcomes: hooks.InvestigationOutcomes | None
    allocation: Allocation | None
    can_edit: bool
    changes: list[ClosureChange]
    reopened_by: list[CaseReopening]

    @property
    def closed(self) -> bool:
        return self.case.status == Case.Status.CLOSED


def closure_page(case: Case, *, allocation: Allocation | None = None) -> ClosurePage:
    """What the closure page shows: the record, what still stops closing, and whether it may be edited.

    `allocation` is the viewing SOO's, from the guarded fetch (oversight.access.closure_get_for_user); None
    for a coordinator. Only an accepted allocation on an open case edits: after closing (the grace period)
    and for coordinators the page is read-only.
    """
    closure = closure_for_case(case)
    can_edit = (
        allocation is not None and allocation.status == Allocation.Status.ACCEPTED and case.status != Case.Status.CLOSED
    )
    closed = case.status == Case.Status.CLOSED
    outcomes = hooks.investigation_outcomes(case)  # read once: the blockers use it too
    return ClosurePage(
        case=case,
        closure=closure,
        blockers={} if closed else closure_blockers(case, closure, outcomes=outcomes),
        outcomes=outcomes,
        allocation=allocation,
        can_edit=can_edit,
        changes=closure_changes(closure),
        reopened_by=list(
            CaseReopening.objects.filter(earlier_case=case).select_related("new_case").order_by("reopened_at")
        )
        if closed
        else [],
    )


def reopen_candidates(case: Case, visible) -> list[Case]:
    """Open cases (from `visible`, the coordinator's cases_for_user) about a victim of this closed case that do
    not yet reopen an earlier case: the new reports a coordinator may reopen it with, newest first."""
    victims = list(
        case.parties.filter(role=Party.Role.VICTIM).values_list("staff_id", "normalised_name", "date_of_birth")
    )
    match = Q()
    for staff_id, name, dob in victims:
        if staff_id:
            match |= Q(staff_id=staff_id)
        elif name and dob:
            match |= Q(staff__isnull=True, normalised_name=name, date_of_birth=dob)
    if not match:
        return []
    same_victim = Party.objects.filter(match, role=Party.Role.VICTIM).exclude(case=case).values("case_id")
    return list(
        visible.filter(pk__in=same_victim)
        .exclude(status=Case.Status.CLOSED)
        .exclude(pk__in=CaseReopening.objects.values("new_case_id"))
        .order_by("-received_at")[:20]
    )

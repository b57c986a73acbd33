"""Writes to investigations: keyword-only, one transaction each, each checking the state it starts from.

PSD assignment is the coordinators'; the investigation record and its updates are the assigned PSD
representative's. Every refusal is an ApplicationError with a message for the person who asked, and nothing
is written. Notices about a case go only to people who may open it (cases.access), by reference and link.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cases.access import users_who_may_open
from cases.extensions import allocation_reads
from cases.models import Case, Party
from ppda.errors import ApplicationError
from ppda.models import StaffMember
from ppda.notifications import notification_send
from ppda.permissions import grant, revoke
from ppda.roles import Role, has_role

from .models import Investigation, PsdAssignment, PsdUpdate, Strand, Unit

VIEW_CASE = "cases.view_case"


def investigation_url(case: Case) -> str:
    return reverse("cases:investigation", args=[case.public_id])


def _require_coordinator(user) -> None:
    if not has_role(user, Role.COORDINATOR):
        raise ApplicationError("Only a case coordinator can assign PSD representatives")


def live_assignment(*, case: Case, user) -> PsdAssignment | None:
    if not (user.is_authenticated and has_role(user, Role.PSD_REP)):
        return None
    return PsdAssignment.objects.filter(case=case, user=user, ended_at__isnull=True).first()


def _require_assigned(*, case: Case, user) -> PsdAssignment:
    assignment = live_assignment(case=case, user=user)
    if assignment is None:
        raise ApplicationError("Only the PSD representative assigned to this case can do this")
    return assignment


# -- Assignment -----------------------------------------------------------------------------------------------


@transaction.atomic
def psd_assign(*, case: Case, user, by) -> PsdAssignment:
    """A coordinator assigns a PSD representative to a case: the assignment (history) and the grant that lets
    them open it identified. Never someone who may not open the case (a party, a party's line manager, a
    declared conflict); the first-open declaration still applies when they open it."""
    _require_coordinator(by)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == Case.Status.CLOSED:
        raise ApplicationError("This case is closed: reopen it before assigning PSD")
    if not (user.is_active and has_role(user, Role.PSD_REP)):
        raise ApplicationError("Choose a PSD representative", field="user")
    if not users_who_may_open(case, get_user_model().objects.filter(pk=user.pk)).exists():
        raise ApplicationError(
            "This person cannot be assigned: they are a party, a party's line manager, or declared a conflict",
            field="user",
        )
    assignment = PsdAssignment(case=case, user=user, assigned_at=timezone.now(), assigned_by=by)
    assignment._history_user = by
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        raise ApplicationError("This PSD representative is already assigned to this case", field="user") from None
    grant(user, VIEW_CASE, case, by=by, source="psd_assign")
    notification_send(
        recipients=[user],
        kind="psd_assigned",
        message=f"You have been assigned to case {case.reference} as its PSD representative.",
        link=investigation_url(case),
        case_reference=case.reference,
        event_key=f"psd_assigned:{assignment.pk}",
    )
    return assignment


@transaction.atomic
def psd_unassign(*, assignment: PsdAssignment, by) -> PsdAssignment:
    """End a live assignment and revoke the grant that came with it: from now on the case answers 404."""
    _require_coordinator(by)
    locked = PsdAssignment.objects.select_for_update().select_related("case", "user").get(pk=assignment.pk)
    if locked.ended_at is not None:
        raise ApplicationError("This PSD representative is no longer assigned")
    locked.ended_at = timezone.now()
    locked.ended_by = by
    locked._history_user = by
    locked.save()
    revoke(locked.user, VIEW_CASE, locked.case, by=by, source="psd_unassign")
    return locked


# -- The investigation record ---------------------------------------------------------------------------------


def _officer_check(case: Case, officer: StaffMember | None, field: str) -> None:
    """The officer in charge is never a party to the case (the conflict rules see them by their staff record)."""
    if officer is None:
        return
    if Party.objects.filter(case=case, staff=officer).exists():
        raise ApplicationError("A party to this case cannot be its officer in charge", field=field)
    if Party.objects.filter(case=case, staff__line_manager=officer).exists():
        raise ApplicationError("A party's line manager cannot be the officer in charge", field=field)


@transaction.atomic
def investigation_open(
    *,
    case: Case,
    by,
    criminal: bool,
    misconduct: bool,
    together: bool = True,
    criminal_unit: str = Unit.PPDA_PSD,
    misconduct_unit: str = Unit.PPDA_PSD,
    other_force: str = "",
    criminal_officer: StaffMember | None = None,
    misconduct_officer: StaffMember | None = None,
    allegation_on: dt.date | None = None,
) -> Investigation:
    """The assigned PSD representative opens the case's investigation record with its strands (a criminal and/or
    a misconduct investigation). Once per case; not on a closed case; a misconduct strand needs the date of
    the allegation (reg. 19 counts from it)."""
    _require_assigned(case=case, user=by)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == Case.Status.CLOSED:
        raise ApplicationError("This case is closed")
    if Investigation.objects.filter(case=case).exists():
        raise ApplicationError("This case already has an investigation record")
    if not (criminal or misconduct):
        raise ApplicationError("Choose a criminal investigation, a misconduct investigation, or both", field="strands")
    if misconduct and allegation_on is None:
        raise ApplicationError("Enter the date of the allegation", field="allegation_on")
    now = timezone.now()
    if allegation_on is not None and allegation_on > timezone.localdate(now):
        raise ApplicationError("The date of the allegation cannot be in the future", field="allegation_on")
    units = {k for k, on in ((criminal_unit, criminal), (misconduct_unit, misconduct)) if on}
    if Unit.OTHER_FORCE in units and not other_force.strip():
        raise ApplicationError("Name the force investigating", field="other_force")
    _officer_check(case, criminal_officer if criminal else None, "criminal_officer")
    _officer_check(case, misconduct_officer if misconduct else None, "misconduct_officer")
    investigation = Investigation(
        case=case, together=together and criminal and misconduct, opened_at=now, last_update_at=now, created_by=by
    )
    investigation._history_user = by
    investigation.save()
    for kind, on, unit, officer in (
        (Strand.Kind.CRIMINAL, criminal, criminal_unit, criminal_officer),
        (Strand.Kind.MISCONDUCT, misconduct, misconduct_unit, misconduct_officer),
    ):
        if not on:
            continue
        strand = Strand(
            investigation=investigation,
            kind=kind,
            unit=unit,
            other_force=other_force.strip() if unit == Unit.OTHER_FORCE else "",
            officer_in_charge=officer,
            status=Strand.FIRST[kind],
            opened_at=now,
            allegation_on=allegation_on if kind == Strand.Kind.MISCONDUCT else None,
        )
        strand._history_user = by
        strand.save()
    _notify(case, by=by, event=f"investigation_opened:{investigation.pk}", what="opened the investigation record")
    return investigation


def _locked_strand(investigation: Investigation, strand: Strand | None) -> Strand:
    if strand is None:
        raise ApplicationError("Choose the investigation this is about", field="strand")
    try:
        return Strand.objects.select_for_update().get(pk=strand.pk, investigation=investigation)
    except Strand.DoesNotExist:
        raise ApplicationError("Choose the investigation this is about", field="strand") from None


def _label(status: str) -> str:
    return Strand.Status(status).label.lower()


@transaction.atomic
def psd_update_post(
    *,
    investigation: Investigation,
    by,
    kind: str,
    text: str = "",
    strand: Strand | None = None,
    to_status: str = "",
    outcome: str = "",
    to_officer: StaffMember | None = None,
    decision: str = "",
    rationale: str = "",
    decided_not_to: bool = False,
    iopc_referral: str = "",
    iopc_referred_on: dt.date | None = None,
    iopc_mode: str = "",
) -> PsdUpdate:
    """The assigned PSD representative posts an update: a progress note, a status change (only a step the
    strand's TRANSITIONS allow from the status now stored, with an outcome where the step needs one), a change of
    officer in charge, a decision with its rationale (a decision *not* to do something included), or the IOPC
    referral. The SOO and the coordinators are told (reference and link only); an officer change is alerted by
    the investigation sweep instead (claimed once), so they are not told twice."""
    investigation = Investigation.objects.select_for_update().select_related("case").get(pk=investigation.pk)
    case = investigation.case
    _require_assigned(case=case, user=by)
    if case.status == Case.Status.CLOSED:
        raise ApplicationError("This case is closed: its investigation record can no longer change")
    text = text.strip()
    now = timezone.now()
    update = PsdUpdate(investigation=investigation, kind=kind, text=text, posted_at=now, posted_by=by)
    if kind == PsdUpdate.Kind.NOTE:
        if not text:
            raise ApplicationError("Enter the update", field="text")
    elif kind == PsdUpdate.Kind.STATUS:
        locked = _locked_strand(investigation, strand)
        if not to_status:
            raise ApplicationError("Choose the new status", field="to_status")
        if to_status not in Strand.Status.values or not locked.can_move_to(to_status):
            allowed = ", ".join(_label(s) for s in locked.next_statuses()) or "none: it is concluded"
            target = _label(to_status) if to_status in Strand.Status.values else to_status
            raise ApplicationError(
                f"A {locked.get_kind_display().lower()} investigation at {_label(locked.status)} cannot move to "
                f"{target}. Next steps allowed: {allowed}",
                field="to_status",
            )
        needed = Strand.OUTCOMES.get(to_status)
        if needed and outcome not in needed:
            raise ApplicationError("Choose the outcome", field="outcome")
        if not needed and outcome:
            raise ApplicationError("An outcome is recorded only when the investigation reaches it", field="outcome")
        update.strand, update.from_status, update.to_status, update.outcome = locked, locked.status, to_status, outcome
        locked.status = to_status
        if needed:
            locked.outcome = outcome
        if to_status == Strand.Status.CHARGED:
            locked.charged_on = timezone.localdate(now)
        if to_status in Strand.CONCLUDED:
            locked.concluded_at = now
        locked._history_user = by
        locked.save()
    elif kind == PsdUpdate.Kind.INVESTIGATOR:
        locked = _locked_strand(investigation, strand)
        if to_officer is None:
            raise ApplicationError("Choose the new officer in charge", field="to_officer")
        if to_officer.pk == locked.officer_in_charge_id:
            raise ApplicationError("This officer is already in charge", field="to_officer")
        if locked.is_concluded:
            raise ApplicationError("This investigation is concluded", field="strand")
        _officer_check(case, to_officer, "to_officer")
        update.strand, update.from_officer_id, update.to_officer = locked, locked.officer_in_charge_id, to_officer
        locked.officer_in_charge = to_officer
        locked._history_user = by
        locked.save()
    elif kind == PsdUpdate.Kind.DECISION:
        decision = decision.strip()
        if not decision:
            raise ApplicationError("Enter the decision", field="decision")
        if not rationale.strip():
            raise ApplicationError("Enter the rationale for the decision", field="rationale")
        update.decision, update.rationale, update.decided_not_to = decision, rationale.strip(), decided_not_to
        update.strand = strand
    elif kind == PsdUpdate.Kind.IOPC:
        if iopc_referral not in Investigation.IopcReferral.values:
            raise ApplicationError("Choose whether the case was referred to the IOPC", field="iopc_referral")
        referred = iopc_referral != Investigation.IopcReferral.NONE
        if referred and iopc_referred_on is None:
            raise ApplicationError("Enter the date of the referral", field="iopc_referred_on")
        if iopc_mode not in Investigation.IopcMode.values or (iopc_mode and not referred):
            raise ApplicationError("Choose the mode of investigation the IOPC decided", field="iopc_mode")
        if iopc_referred_on is not None and iopc_referred_on > timezone.localdate(now):
            raise ApplicationError("The date of the referral cannot be in the future", field="iopc_referred_on")
        investigation.iopc_referral = iopc_referral
        investigation.iopc_referred_on = iopc_referred_on if referred else None
        investigation.iopc_mode = iopc_mode if referred else ""
        update.decision = f"IOPC: {investigation.get_iopc_referral_display()}" + (
            f"; mode of investigation {investigation.get_iopc_mode_display().lower()}"
            if investigation.iopc_mode
            else ""
        )
        update.rationale = text
        update.text = ""
    else:
        raise ApplicationError("Choose the kind of update", field="kind")
    update.save()
    investigation.last_update_at = now
    open_strands = Strand.objects.filter(investigation=investigation).exclude(status__in=Strand.CONCLUDED)
    investigation.concluded_at = None if open_strands.exists() else (investigation.concluded_at or now)
    investigation._history_user = by
    investigation.save()
    if kind != PsdUpdate.Kind.INVESTIGATOR:
        _notify(
            case, by=by, event=f"psd_update:{update.pk}", what=f"posted an update ({update.get_kind_display().lower()})"
        )
    return update


def case_notice_recipients(case: Case, *, exclude=None) -> list:
    """The SOO of the live allocation and the coordinators, narrowed by cases.access.users_who_may_open (the
    same rule as coordinators_for_case): never a party, a party's line manager or someone conflicted."""
    soo_ids = allocation_reads().soo_user_ids([case.pk]).get(case.pk, [])
    users = get_user_model().objects.filter(is_active=True).filter(Q(groups__name=Role.COORDINATOR) | Q(pk__in=soo_ids))
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return list(users_who_may_open(case, users).distinct())


def _notify(case: Case, *, by, event: str, what: str) -> None:
    notification_send(
        recipients=case_notice_recipients(case, exclude=by),
        kind="psd_update",
        message=f"PSD {what} on case {case.reference}.",
        link=investigation_url(case),
        case_reference=case.reference,
        event_key=event,
    )

"""Writes for closure: save the draft, close the case, revoke access after the grace period, reopen.

Each service is keyword-only and atomic, checks the state it starts from, and refuses with
ppda.errors.ApplicationError, whose `errors` name each problem (keyed by the closure field it concerns).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, fields

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cases.access import coordinators_for_case
from cases.models import Case, CaseLink, CaseUserObjectPermission, Party
from cases.selectors import VIEW_CASE
from cases.services import case_link_create, case_status_change
from oversight.allocation.services import allocation_end_on_closure
from oversight.models import Allocation
from ppda.errors import ApplicationError
from ppda.grant_history import object_grants_delete
from ppda.notifications import notification_send
from ppda.permissions import require_role
from ppda.roles import Role, has_role

from . import hooks
from .models import CaseClosure, CaseReopening, ClosureAccessRevocation

logger = logging.getLogger(__name__)

DEFAULT_GRACE_DAYS = 14


def grace_period() -> dt.timedelta:
    """How long a closing SOO keeps read-only access to the case (setting CLOSURE_ACCESS_GRACE_DAYS)."""
    return dt.timedelta(days=int(getattr(settings, "CLOSURE_ACCESS_GRACE_DAYS", DEFAULT_GRACE_DAYS)))


# -- The draft -----------------------------------------------------------------------------------------------


@dataclass
class ClosureInput:
    """What the closure page posts. Blank values are allowed: a draft may be saved at any stage."""

    misconduct_assessment_done: bool = False
    iopc_referral_considered: bool = False
    victim_informed: bool = False
    panel_agreement: str = ""
    victim_confident_to_report: str = ""
    victim_kept_informed_rating: int | None = None
    reason: str = ""
    reason_other: str = ""
    criminal_outcome: str = ""
    criminal_outcome_detail: str = ""
    misconduct_outcome: str = ""
    misconduct_outcome_detail: str = ""
    final_conversation_on: dt.date | None = None
    no_further_contact_explained: bool = False
    learning: str = ""


CLOSURE_FIELDS = tuple(f.name for f in fields(ClosureInput))


def _open_allocation_for(case: Case, user) -> Allocation:
    """The user's accepted allocation on this case, or a refusal saying why they cannot write the closure."""
    staff_id = getattr(user, "staff_id", None)
    allocation = (
        Allocation.objects.filter(case=case, soo_id=staff_id, status__in=Allocation.LIVE).first()
        if staff_id is not None and has_role(user, Role.SOO)
        else None
    )
    if allocation is None:
        raise ApplicationError("Only the senior oversight officer allocated to this case can close it.")
    if allocation.status != Allocation.Status.ACCEPTED:
        raise ApplicationError("Accept the allocation before recording the closure of the case.")
    return allocation


def _lock_case(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _already_closed(case: Case) -> ApplicationError:
    when = f" on {timezone.localtime(case.closed_at):%-d %B %Y}" if case.closed_at else ""
    return ApplicationError(f"Case {case.reference} is already closed{when}. Nothing was changed.")


def _value_errors(data: ClosureInput, case: Case) -> dict[str, list[str]]:
    """Values that are wrong whatever the stage (a draft may be incomplete, never wrong)."""
    errors: dict[str, list[str]] = {}

    def choice(name: str, choices, message: str) -> None:
        value = getattr(data, name)
        if value and value not in choices.values:
            errors[name] = [message]

    choice("panel_agreement", CaseClosure.PanelAgreement, "Select whether the panel is content or has signed off")
    choice("victim_confident_to_report", CaseClosure.Confidence, "Select yes, no or not sure")
    choice("reason", CaseClosure.Reason, "Select the reason for closing the case")
    choice("criminal_outcome", CaseClosure.CriminalOutcome, "Select the outcome of the criminal investigation")
    choice("misconduct_outcome", CaseClosure.MisconductOutcome, "Select the outcome of the misconduct investigation")
    rating = data.victim_kept_informed_rating
    if rating is not None and not 1 <= rating <= 5:
        errors["victim_kept_informed_rating"] = ["How well the victim was kept informed must be from 1 to 5"]
    on = data.final_conversation_on
    if on is not None:
        if on > timezone.localdate():
            errors["final_conversation_on"] = ["The date of the final conversation must be today or in the past"]
        elif on < timezone.localtime(case.received_at).date():
            errors["final_conversation_on"] = [
                "The date of the final conversation must be on or after the day the case was received"
            ]
    if len(data.reason_other) > 200:
        errors["reason_other"] = ["Describe the reason in 200 characters or fewer"]
    return errors


@transaction.atomic
def closure_draft_save(*, case: Case, user, data: ClosureInput) -> CaseClosure:
    """The SOO saves the closure section (any time, complete or not). Only the allocated SOO with an accepted
    allocation, and only while the case is open; values must be valid (a rating 1-5, no future date)."""
    locked = _lock_case(case)
    if locked.status == Case.Status.CLOSED:
        raise _already_closed(locked)
    _open_allocation_for(locked, user)
    for name in ("reason_other", "criminal_outcome_detail", "misconduct_outcome_detail", "learning"):
        setattr(data, name, (getattr(data, name) or "").strip())
    errors = _value_errors(data, locked)
    if errors:
        raise ApplicationError(errors=errors)
    closure = CaseClosure.objects.select_for_update().filter(case=locked).first() or CaseClosure(case=locked)
    for name in CLOSURE_FIELDS:
        setattr(closure, name, getattr(data, name))
    if closure.reason != CaseClosure.Reason.OTHER:
        closure.reason_other = ""
    closure.updated_by = user
    closure._history_user = user
    closure.save()
    return closure


# -- What is still missing -----------------------------------------------------------------------------------

# The items a case cannot close without, in the order the page shows them, each with its message.
REQUIRED_MESSAGES = {
    "misconduct_assessment_done": "Confirm that the misconduct assessment has been done",
    "iopc_referral_considered": "Confirm that a referral to the IOPC has been considered",
    "victim_informed": "Confirm that the victim has been informed of the outcome",
    "panel_agreement": "Record whether the panel is content for the case to close or has signed off the closure",
    "victim_confident_to_report": "Record whether the victim would feel confident to report again",
    "victim_kept_informed_rating": "Record how well the victim felt kept informed, from 1 to 5",
    "reason": "Select the reason for closing the case",
    "reason_other": "Describe the reason for closing the case",
    "criminal_outcome": "Select the outcome of the criminal investigation",
    "criminal_outcome_detail": "Describe the outcome of the criminal investigation",
    "misconduct_outcome": "Select the outcome of the misconduct investigation",
    "misconduct_outcome_detail": "Describe the outcome of the misconduct investigation",
    "final_conversation_on": "Enter the date of your final conversation with the victim",
    "no_further_contact_explained": (
        "Confirm that you told the victim there will be no further contact unless there are new incidents"
    ),
    "learning": "Record the learning from this case (write 'None' if there was none)",
}


def closure_missing(closure: CaseClosure | None, *, outcomes: hooks.InvestigationOutcomes | None = None) -> dict:
    """field -> [message] for every required item not yet recorded (all of them when there is no draft).

    Investigation outcomes recorded in the investigation record (hooks.investigation_outcomes) count as
    recorded. "Other" reasons and outcomes need their description.
    """
    c = closure or CaseClosure()
    missing = []
    for name in ("misconduct_assessment_done", "iopc_referral_considered", "victim_informed", "panel_agreement"):
        if not getattr(c, name):
            missing.append(name)
    if not c.victim_confident_to_report:
        missing.append("victim_confident_to_report")
    if c.victim_kept_informed_rating is None:
        missing.append("victim_kept_informed_rating")
    if not c.reason:
        missing.append("reason")
    elif c.reason == CaseClosure.Reason.OTHER and not c.reason_other.strip():
        missing.append("reason_other")
    for kind in ("criminal", "misconduct"):
        if outcomes is not None and getattr(outcomes, kind):
            continue
        value, detail = getattr(c, f"{kind}_outcome"), getattr(c, f"{kind}_outcome_detail")
        if not value:
            missing.append(f"{kind}_outcome")
        elif value == "other" and not detail.strip():
            missing.append(f"{kind}_outcome_detail")
    if c.final_conversation_on is None:
        missing.append("final_conversation_on")
    if not c.no_further_contact_explained:
        missing.append("no_further_contact_explained")
    if not c.learning.strip():
        missing.append("learning")
    return {name: [REQUIRED_MESSAGES[name]] for name in missing}


BRING_BACK_KEY = "bring_back"


_ASK = object()


def closure_blockers(case: Case, closure: CaseClosure | None, *, outcomes=_ASK) -> dict[str, list[str]]:
    """Everything that stops the case closing now: each missing item, and a panel waiting to hear it again.
    `outcomes`: the investigation outcomes when the caller has already read them (hooks.investigation_outcomes)."""
    if outcomes is _ASK:
        outcomes = hooks.investigation_outcomes(case)
    blockers = closure_missing(closure, outcomes=outcomes)
    pending = hooks.pending_bring_back(case)
    if pending:
        blockers[BRING_BACK_KEY] = pending
    return blockers


# -- Closing -------------------------------------------------------------------------------------------------


@transaction.atomic
def case_close(*, case: Case, user) -> Case:
    """The SOO closes the case, in one transaction, once nothing required is missing.

    Refused with one message per missing item, and while a panel that asked for the case to be brought back
    has not yet heard it (hooks.pending_bring_back). Closing a closed case is refused with a clear message.
    On closing: the case becomes closed (case_status_change), the SOO's allocation ends ("case closed") but
    their read-only access lasts the grace period (CLOSURE_ACCESS_GRACE_DAYS, revoked by the closure
    sweep), and the coordinators are told by reference and link.
    """
    locked = _lock_case(case)
    if locked.status == Case.Status.CLOSED:
        raise _already_closed(locked)
    allocation = _open_allocation_for(locked, user)
    closure = CaseClosure.objects.select_for_update().filter(case=locked).first()
    blockers = closure_blockers(locked, closure)
    if blockers:
        count = sum(len(v) for v in blockers.values())
        raise ApplicationError(
            f"Case {locked.reference} cannot be closed yet: {count} "
            f"{'thing needs' if count == 1 else 'things need'} attention.",
            errors=blockers,
        )
    now = timezone.now()
    try:
        closed = case_status_change(case=locked, to_status=Case.Status.CLOSED, user=user)
        ended = allocation_end_on_closure(allocation=allocation, by=user)
    except ApplicationError as exc:
        raise ApplicationError(exc.message) from None
    closure.closed_at = now
    closure.closed_by = user
    closure.updated_by = user
    closure._history_user = user
    closure.save()
    ClosureAccessRevocation.objects.create(
        allocation=ended, case=closed, soo_id=ended.soo_id, due_at=now + grace_period()
    )
    notification_send(
        recipients=list(coordinators_for_case(closed)),
        kind="case_closed",
        message=f"The senior oversight officer closed case {closed.reference}.",
        link=reverse("closure:review", args=[closed.public_id]),
        case_reference=closed.reference,
        event_key=f"case-closed:{closed.public_id}:{now.isoformat()}",
    )
    return closed


# -- The grace-period sweep ----------------------------------------------------------------------------------


@dataclass
class RevocationSweepResult:
    revoked: int = 0
    kept: int = 0  # claimed, but the SOO holds a live allocation on the case again: their grant stays


SWEEP_BATCH = 500


def _grants_delete(pairs: list[tuple[int, int]]) -> None:
    """Delete the case grant of every user of each (case, staff) pair: guardian's remove_perm, set-based."""
    if not pairs:
        return
    app_label, codename = VIEW_CASE.split(".")
    match = Q()
    for case_id, soo_id in pairs:
        match |= Q(content_object_id=case_id, user__staff_id=soo_id)
    object_grants_delete(
        CaseUserObjectPermission.objects.filter(
            match, permission__codename=codename, permission__content_type__app_label=app_label
        ),
        by=None,
        source="closure_access_sweep",
    )


def _sweep_batch(now: dt.datetime, batch: int, result: RevocationSweepResult) -> int:
    """Claim and revoke up to `batch` due revocations in one transaction; returns how many were claimed."""
    with transaction.atomic():
        claimed = list(
            ClosureAccessRevocation.objects.filter(revoked_at__isnull=True, due_at__lte=now)
            .order_by("due_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", "case_id", "soo_id")[:batch]
        )
        if not claimed:
            return 0
        ClosureAccessRevocation.objects.filter(pk__in=[pk for pk, _, _ in claimed], revoked_at__isnull=True).update(
            revoked_at=now
        )
        live = set(
            Allocation.objects.filter(
                status__in=Allocation.LIVE,
                case_id__in={case_id for _, case_id, _ in claimed},
                soo_id__in={soo_id for _, _, soo_id in claimed},
            ).values_list("case_id", "soo_id")
        )
        to_revoke = [(case_id, soo_id) for _, case_id, soo_id in claimed if (case_id, soo_id) not in live]
        result.kept += len(claimed) - len(to_revoke)
        _grants_delete(to_revoke)
        result.revoked += len(to_revoke)
    return len(claimed)


def closure_access_sweep(*, now: dt.datetime | None = None, batch: int = SWEEP_BATCH) -> RevocationSweepResult:
    """Revoke every closing SOO's read-only access whose grace period is over, each exactly once.

    Due rows are claimed under a row lock that other sweeps skip (SELECT ... FOR UPDATE SKIP LOCKED) and
    marked revoked_at in the same transaction as the grants are deleted; a sweep that starts after the
    first committed finds revoked_at set. So two sweeps at once, a re-run or a redelivered task
    (acks_late) revoke once; a crash rolls claim and revocation back together. Set-based: a fixed number
    of queries per batch. An SOO allocated the case again in the meantime keeps their grant.
    """
    now = now or timezone.now()
    result = RevocationSweepResult()
    while _sweep_batch(now, batch, result) == batch:
        pass  # a full batch: there may be more (a sweep that was down catches up)
    logger.info("closure access sweep revoked %s, kept %s", result.revoked, result.kept)
    return result


# -- Reopening -----------------------------------------------------------------------------------------------


def _victim_keys(case: Case) -> set[tuple]:
    """How a victim is recognised across cases: their staff record, or their name with date of birth."""
    keys = set()
    for staff_id, name, dob in case.parties.filter(role=Party.Role.VICTIM).values_list(
        "staff_id", "normalised_name", "date_of_birth"
    ):
        if staff_id:
            keys.add(("staff", staff_id))
        elif name and dob:
            keys.add(("person", name, dob))
    return keys


@transaction.atomic
def case_reopen(*, earlier_case: Case, new_case: Case, user, note: str = "") -> CaseReopening:
    """A coordinator reopens work on a closed case because of a new report about the same victim.

    The new report is its own case (its own reference, triage and allocation); it is linked to the earlier
    one (a repeat-report CaseLink) and the reopening is recorded. Allocation then suggests the SOO who
    supported this victim before first (continuity), unless the rules now exclude them. The earlier case
    stays closed: its closure, closing date and the victim's feedback remain true for the statistics, and
    the new work is allocated once, on the new case. Refused unless the earlier case is closed, the new one
    is open, and the two share a victim (the same staff record, or the same name and date of birth).
    """
    require_role(user, Role.COORDINATOR)
    # Both rows locked, in pk order (no deadlock with a reopening of the same pair the other way round).
    list(Case.objects.select_for_update().filter(pk__in=[earlier_case.pk, new_case.pk]).order_by("pk").values("pk"))
    earlier = Case.objects.get(pk=earlier_case.pk)
    new = Case.objects.get(pk=new_case.pk)
    if earlier.pk == new.pk:
        raise ApplicationError("A case cannot reopen itself: enter the reference of the new report", field="reference")
    if earlier.status != Case.Status.CLOSED:
        raise ApplicationError(f"Case {earlier.reference} is not closed, so there is nothing to reopen.")
    if new.status == Case.Status.CLOSED:
        raise ApplicationError(
            f"Case {new.reference} is closed: enter the reference of the new report", field="reference"
        )
    if CaseReopening.objects.filter(new_case=new).exists():
        raise ApplicationError(f"Case {new.reference} already reopens an earlier case.", field="reference")
    if not (_victim_keys(earlier) & _victim_keys(new)):
        raise ApplicationError(
            f"Case {new.reference} has no victim in common with case {earlier.reference}: check the victim "
            "recorded at intake on the new case",
            field="reference",
        )
    link = CaseLink.objects.filter(Q(from_case=new, to_case=earlier) | Q(from_case=earlier, to_case=new)).first()
    if link is not None and link.kind != CaseLink.Kind.REPEAT:
        raise ApplicationError(
            f"These cases are already linked as {link.get_kind_display().lower()}: a case cannot reopen it.",
            field="reference",
        )
    if link is None:
        try:
            link = case_link_create(
                from_case=new,
                to_case=earlier,
                kind=CaseLink.Kind.REPEAT,
                note=note or "Reopens the earlier case",
                user=user,
            )
        except ApplicationError as exc:
            raise ApplicationError(exc.message, field="reference") from None
    reopening = CaseReopening(earlier_case=earlier, new_case=new, link=link, reopened_by=user)
    reopening._history_user = user
    reopening.save()
    return reopening

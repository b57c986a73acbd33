"""Writes for allocation: allocate, accept, decline, end, and standing conflict declarations.

Each service is keyword-only and atomic, checks the state it starts from, and raises ApplicationError
with a message fit to show the coordinator or SOO. Access follows the allocation: the SOO's user gets
`cases.view_case` on the case when allocated and loses it when the allocation is declined or ended.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cases.access import coordinators_for_case, users_who_may_open
from cases.models import Case, CaseAccessDeclaration, ConflictDeclaration, Party, normalise_name
from cases.selectors import VIEW_CASE, case_declaration_for, cases_for_user
from cases.services import case_access_declare, case_status_change
from oversight.models import CLOSED_END_REASON, Allocation
from ppda.errors import ApplicationError
from ppda.models import StaffMember
from ppda.notifications import notification_send
from ppda.permissions import grant, require_role, revoke
from ppda.roles import Role, has_role

from .rules import SOFT_RULE_LABELS
from .selectors import allocation_check

ALLOCATABLE_STATUSES = (Case.Status.TRIAGED, Case.Status.REOPENED)
NO_CONFLICT_TEXT = (
    "I confirm that I do not know the victim or the suspect in this case, that I am not in their team or "
    "line-management chain, and that I know of no other reason I could not act independently as their senior "
    "oversight officer. If that changes I will tell the case coordinators at once."
)


def _soo_user(staff: StaffMember):
    return get_user_model().objects.filter(staff=staff, is_active=True, groups__name=Role.SOO).order_by("pk").first()


def _lock_case(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def allocation_create(*, case: Case, soo: StaffMember, by, overrides: dict[str, str] | None = None) -> Allocation:
    """Allocate `soo` to `case` as senior oversight officer.

    Only a coordinator may allocate, and only a triaged case (or one returned for reallocation or
    reopened) with no live allocation. The conflict rules are checked again here, at write time: a hard
    exclusion is refused; a soft one needs a recorded reason for each rule. The case row is locked, and
    the database allows one live allocation per case, so of two coordinators allocating at once exactly
    one succeeds. First contact is due 72 elapsed hours after allocation (UTC).
    """
    require_role(by, Role.COORDINATOR)
    overrides = {k: (v or "").strip() for k, v in (overrides or {}).items()}
    with transaction.atomic():
        locked = _lock_case(case)
        if not cases_for_user(by).filter(pk=locked.pk).exists():
            raise ApplicationError("You cannot allocate this case.")
        current = Allocation.objects.filter(case=locked, status__in=Allocation.LIVE).select_related("soo").first()
        if current is not None:
            raise ApplicationError(
                f"Case {locked.reference} has already been allocated (at "
                f"{timezone.localtime(current.allocated_at):%H:%M on %d %B %Y}), perhaps by another coordinator a "
                "moment ago. Nothing was changed: reload the page to see who it is with."
            )
        if locked.status not in ALLOCATABLE_STATUSES:
            raise ApplicationError(
                f"Case {locked.reference} is {locked.get_status_display().lower()}: only a triaged case, or one "
                "returned for reallocation, can be allocated."
            )
        check = allocation_check(locked, soo)
        if check is None:
            raise ApplicationError(f"{soo.full_name} is not a chief inspector and cannot be an SOO.")
        if check.hard:
            reasons = "; ".join(e.reason for e in check.hard)
            raise ApplicationError(f"{soo.full_name} cannot be allocated this case: {reasons}.")
        missing = [code for code in check.soft_codes if not overrides.get(code)]
        if missing:
            raise ApplicationError(
                f"Give a reason for overriding each exclusion for {soo.full_name}: "
                + "; ".join(f"{SOFT_RULE_LABELS[c].lower()} ({_reasons(check, c)})" for c in missing)
                + ".",
                missing_reasons=missing,
            )
        soo_user = _soo_user(soo)
        if soo_user is None:  # the rules already refuse this; kept so a grant never goes nowhere
            raise ApplicationError(f"{soo.full_name} has no SOO user account.")
        now = timezone.now()
        recorded = [{"rule": e.code, "exclusion": e.reason, "reason": overrides[e.code]} for e in check.soft]
        try:
            with transaction.atomic():
                allocation = Allocation.objects.create(
                    case=locked,
                    soo=soo,
                    status=Allocation.Status.PENDING,
                    allocated_at=now,
                    allocated_by=by,
                    first_contact_due=Allocation.due_for(now),
                    overrides=recorded,
                )
        except IntegrityError:
            raise ApplicationError(
                f"Case {locked.reference} was allocated by another coordinator a moment ago. Nothing was changed."
            ) from None
        case_status_change(case=locked, to_status=Case.Status.ALLOCATED, user=by, needs_reallocation=False)
        grant(soo_user, VIEW_CASE, locked, by=by, source="allocation_create")
        notification_send(
            recipients=users_who_may_open(locked, get_user_model().objects.filter(pk=soo_user.pk)),
            kind="allocation",
            message=f"You have been allocated case {locked.reference} as senior oversight officer. "
            "Please accept or decline it, and make first contact within 72 hours.",
            link=reverse("oversight:respond", args=[allocation.public_id]),
            case_reference=locked.reference,
            event_key=f"allocation:{allocation.public_id}",
        )
    return allocation


def _reasons(check, code: str) -> str:
    return ", ".join(e.reason for e in check.soft if e.code == code)


def _lock_allocation(allocation: Allocation) -> Allocation:
    return Allocation.objects.select_for_update().select_related("case", "soo").get(pk=allocation.pk)


def _remove_access(allocation: Allocation, *, by, source: str) -> None:
    user = _soo_user(allocation.soo) or get_user_model().objects.filter(staff=allocation.soo).first()
    if user is not None:
        revoke(user, VIEW_CASE, allocation.case, by=by, source=source)


def _check_own_pending(allocation: Allocation, by) -> Allocation:
    if getattr(by, "staff_id", None) != allocation.soo_id or not has_role(by, Role.SOO):
        raise ApplicationError("This allocation is not yours.")
    if allocation.status != Allocation.Status.PENDING:
        raise ApplicationError(f"You have already responded to this allocation ({allocation.get_status_display()}).")
    return allocation


def allocation_accept(*, allocation: Allocation, by, declaration: str = NO_CONFLICT_TEXT, request=None) -> Allocation:
    """The SOO accepts, confirming they have no conflict; the declaration text is stored with the time.

    That confirmation is also the SOO's first-open declaration on the case (recorded and logged here unless
    they made one already), so the SOO declares once, not on the response page and again on opening the case."""
    with transaction.atomic():
        case = _lock_case(allocation.case)
        locked = _check_own_pending(_lock_allocation(allocation), by)
        locked.status = Allocation.Status.ACCEPTED
        locked.responded_at = timezone.now()
        locked.no_conflict_declaration = declaration
        locked._history_user = by
        locked.save(update_fields=["status", "responded_at", "no_conflict_declaration"])
        if case_declaration_for(case=case, user=by) is None:
            case_access_declare(
                case=case, user=by, kind=CaseAccessDeclaration.Kind.NO_CONFLICT, note=declaration, request=request
            )
        if locked.case.status == Case.Status.ALLOCATED:
            case_status_change(case=locked.case, to_status=Case.Status.ACTIVE, user=by)
    return locked


def allocation_decline(*, allocation: Allocation, by, reason: str, conflict_with: list[Party] = ()) -> Allocation:
    """The SOO declines with a reason: the case returns to the inbox flagged for reallocation.

    A conflict with a party is stored as a standing declaration (source: declined), so the rules exclude
    this SOO from that person's cases in future. The SOO loses access to the case at once.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Say why you are declining this allocation.")
    with transaction.atomic():
        case = _lock_case(allocation.case)
        locked = _check_own_pending(_lock_allocation(allocation), by)
        now = timezone.now()
        for party in conflict_with:
            if party.case_id != case.pk:
                raise ApplicationError("That person is not a party to this case.")
            ConflictDeclaration.objects.create(
                declarer=locked.soo,
                against_staff=party.staff,
                against_normalised_name="" if party.staff_id else party.normalised_name,
                against_date_of_birth=None if party.staff_id else party.date_of_birth,
                reason=reason,
                source=ConflictDeclaration.Source.DECLINED_ALLOCATION,
                source_case=case,
                recorded_by=by,
            )
        locked.status = Allocation.Status.DECLINED
        locked.responded_at = now
        locked.decline_reason = reason
        locked._history_user = by
        locked.save(update_fields=["status", "responded_at", "decline_reason"])
        case_status_change(case=case, to_status=Case.Status.TRIAGED, user=by, needs_reallocation=True)
        _remove_access(locked, by=by, source="allocation_decline")
        notification_send(
            recipients=coordinators_for_case(case),
            kind="allocation_declined",
            message=f"The SOO declined case {case.reference}. It is back in the inbox for reallocation.",
            link=reverse("oversight:allocate", args=[case.public_id]),
            case_reference=case.reference,
            event_key=f"allocation-declined:{locked.public_id}",
        )
    return locked


def allocation_end(*, allocation: Allocation, by, reason: str, reallocate: bool = True) -> Allocation:
    """End a live allocation (reallocation by a coordinator, or closure): the SOO loses access to the case.

    With `reallocate` the case returns to the inbox flagged for reallocation; closure passes False.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Give a reason for ending this allocation.")
    require_role(by, Role.COORDINATOR)
    with transaction.atomic():
        case = _lock_case(allocation.case)
        locked = _lock_allocation(allocation)
        if locked.status not in Allocation.LIVE:
            raise ApplicationError("This allocation has already ended.")
        locked.status = Allocation.Status.ENDED
        locked.ended_at = timezone.now()
        locked.end_reason = reason[:200]
        locked._history_user = by
        locked.save(update_fields=["status", "ended_at", "end_reason"])
        if reallocate:
            case_status_change(case=case, to_status=Case.Status.TRIAGED, user=by, needs_reallocation=True)
        _remove_access(locked, by=by, source="allocation_end")
        soo_user = _soo_user(locked.soo)
        if soo_user is not None:
            notification_send(
                recipients=users_who_may_open(case, get_user_model().objects.filter(pk=soo_user.pk)),
                kind="allocation_ended",
                message=f"Your allocation to case {case.reference} has ended. You no longer have access to it.",
                link=reverse("oversight:dashboard"),
                case_reference=case.reference,
                event_key=f"allocation-ended:{locked.public_id}",
            )
    return locked


FIRST_OPEN_CONFLICT_REASON = "The SOO declared a conflict of interest on first opening the case."


def allocation_end_on_first_open_conflict(*, case: Case, user) -> list[Allocation]:
    """An SOO who declares a conflict on first opening their allocated case gives it back (DESIGN.md section 3):
    the live allocation ends (a pending one as declined), the SOO loses access, the case returns to the inbox
    flagged for reallocation, and the coordinators who may open it are told (reference and link only).

    Registered with cases.extensions; runs inside case_access_declare's transaction."""
    staff_id = getattr(user, "staff_id", None)
    if staff_id is None:
        return []
    locked_case = _lock_case(case)
    live = list(
        Allocation.objects.select_for_update()
        .select_related("case", "soo")
        .filter(case=locked_case, soo_id=staff_id, status__in=Allocation.LIVE)
    )
    now = timezone.now()
    for allocation in live:
        if allocation.status == Allocation.Status.PENDING:
            allocation.status, allocation.responded_at = Allocation.Status.DECLINED, now
            allocation.decline_reason = FIRST_OPEN_CONFLICT_REASON
            fields = ["status", "responded_at", "decline_reason"]
        else:
            allocation.status, allocation.ended_at = Allocation.Status.ENDED, now
            allocation.end_reason = FIRST_OPEN_CONFLICT_REASON
            fields = ["status", "ended_at", "end_reason"]
        allocation._history_user = user
        allocation.save(update_fields=fields)
        _remove_access(allocation, by=user, source="first_open_conflict")
    if live:
        if locked_case.status in (Case.Status.ALLOCATED, Case.Status.ACTIVE):
            case_status_change(case=locked_case, to_status=Case.Status.TRIAGED, user=user, needs_reallocation=True)
        notification_send(
            recipients=list(coordinators_for_case(locked_case).exclude(pk=user.pk)),
            kind="allocation_conflict",
            message=f"The SOO declared a conflict of interest on opening case {locked_case.reference}. "
            "Their allocation has ended and the case is back in the inbox for reallocation.",
            link=reverse("oversight:allocate", args=[locked_case.public_id]),
            case_reference=locked_case.reference,
            event_key=f"allocation-conflict:{live[0].public_id}",
        )
    return live


def allocation_end_on_closure(*, allocation: Allocation, by) -> Allocation:
    """End the SOO's allocation because they closed the case (oversight.closure.services.case_close).

    Unlike allocation_end, the SOO keeps their read-only grant: closure revokes it after the grace period
    (the closure access sweep). Only the allocation's own SOO, and only an accepted allocation. The caller
    holds the case lock and the transaction.
    """
    locked = _lock_allocation(allocation)
    if getattr(by, "staff_id", None) != locked.soo_id:
        raise ApplicationError("This allocation is not yours.")
    if locked.status != Allocation.Status.ACCEPTED:
        raise ApplicationError("Only an accepted allocation ends when the case closes.")
    locked.status = Allocation.Status.ENDED
    locked.ended_at = timezone.now()
    locked.end_reason = CLOSED_END_REASON
    locked._history_user = by
    locked.save(update_fields=["status", "ended_at", "end_reason"])
    return locked


def conflict_declaration_create(
    *,
    declarer: StaffMember,
    by,
    reason: str,
    against_staff: StaffMember | None = None,
    first_name: str = "",
    last_name: str = "",
    date_of_birth: dt.date | None = None,
) -> ConflictDeclaration:
    """Record a standing conflict: `declarer` knows a colleague (staff record) or a named person (name + DOB).

    An SOO records declarations for themselves; a coordinator for anyone.
    """
    if not (has_role(by, Role.COORDINATOR) or (has_role(by, Role.SOO) and by.staff_id == declarer.pk)):
        raise ApplicationError("You may record conflict declarations only for yourself.")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Say how you know this person.")
    if against_staff is not None:
        if against_staff.pk == declarer.pk:
            raise ApplicationError("A declaration must be against someone else.")
        name, dob = "", None
    else:
        name = normalise_name(first_name, last_name)
        if not name or date_of_birth is None:
            raise ApplicationError("Give the person's name and date of birth.")
        dob = date_of_birth
    with transaction.atomic():
        duplicate = ConflictDeclaration.objects.filter(declarer=declarer).filter(
            Q(against_staff=against_staff)
            if against_staff
            else Q(against_normalised_name=name, against_date_of_birth=dob)
        )
        if duplicate.exists():
            raise ApplicationError("This conflict is already declared.")
        return ConflictDeclaration.objects.create(
            declarer=declarer,
            against_staff=against_staff,
            against_normalised_name=name,
            against_date_of_birth=dob,
            reason=reason,
            source=ConflictDeclaration.Source.STANDING,
            recorded_by=by,
        )

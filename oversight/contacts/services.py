"""Writes: log a contact, correct one, record the victim's engagement choice, agree a contact schedule.

Each service runs in one transaction, locks the allocation row first (so two saves for the same
allocation serialise), and checks the state it starts from.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone

from cases.access import coordinators_for_case
from oversight.models import Allocation
from ppda.errors import ApplicationError
from ppda.notifications import notification_send

from .models import Contact, ContactCorrection, ContactPlan
from .schedule import due_window, next_contact_on

MAX_LISTED_DATES = 52
MAX_INTERVAL_DAYS = 90


def _allocation_for_soo(*, allocation: Allocation, user) -> Allocation:
    """Re-read and lock the allocation; only its SOO may write, and only while it is accepted."""
    locked = Allocation.objects.select_for_update().get(pk=allocation.pk)
    if user.staff_id is None or locked.soo_id != user.staff_id:
        raise ApplicationError("Only the senior oversight officer allocated to this case can record contact.")
    if locked.status != Allocation.Status.ACCEPTED:
        raise ApplicationError("Accept the allocation before recording contact with the victim.")
    return locked


def _plan_for(allocation: Allocation) -> ContactPlan:
    """The allocation's plan, unsaved if new (the caller saves once, so history gets one row per change).
    The allocation row is locked, so two first contacts cannot both create one."""
    return ContactPlan.objects.filter(allocation=allocation).first() or ContactPlan(allocation=allocation)


def _last_completed(allocation: Allocation) -> dt.datetime | None:
    return (
        Contact.objects.filter(allocation=allocation, outcome=Contact.Outcome.COMPLETED)
        .order_by("-contacted_at")
        .values_list("contacted_at", flat=True)
        .first()
    )


def _plan_refresh(plan: ContactPlan, *, last_completed: dt.datetime | None) -> None:
    """Derive the next contact due from the schedule; a victim who declined gets no scheduled contact."""
    if plan.engagement == ContactPlan.Engagement.DECLINED:
        day = None
    else:
        day = next_contact_on(
            cadence=plan.cadence, interval_days=plan.interval_days, dates=plan.dates, last_completed=last_completed
        )
    plan.next_contact_on = day
    plan.next_contact_due_at, plan.next_contact_overdue_at = due_window(day)


def _first_contact_meet(allocation: Allocation, *, at: dt.datetime, user, reason: str) -> None:
    """The deadline is met at the earliest completed contact or recorded decline (a later-logged earlier
    contact moves it back). Saved with update_fields so simple-history records the change."""
    if allocation.first_contact_met_at is not None and allocation.first_contact_met_at <= at:
        return
    allocation.first_contact_met_at = at
    allocation._history_user = user
    allocation._change_reason = reason
    allocation.save(update_fields=["first_contact_met_at"])


def _contact_errors(allocation: Allocation, *, contacted_at, method: str, outcome: str, note: str, now) -> dict:
    """The rules a contact's fields keep, whether logged or corrected."""
    errors = {}
    if contacted_at is None or timezone.is_naive(contacted_at):
        errors["contacted_at"] = "Enter the date and time of the contact."
    elif contacted_at > now:
        errors["contacted_at"] = "The date and time of the contact must not be in the future."
    elif contacted_at < allocation.allocated_at:
        errors["contacted_at"] = "The contact must be after the case was allocated to you."
    if method not in Contact.Method.values:
        errors["method"] = "Select how you contacted the victim."
    if outcome not in Contact.Outcome.values:
        errors["outcome"] = "Select the outcome of the contact."
    if len(note) > 500:
        errors["note"] = "The note must be 500 characters or fewer."
    return errors


@transaction.atomic
def contact_log(
    *,
    allocation: Allocation,
    user,
    contacted_at: dt.datetime,
    method: str,
    outcome: str,
    note: str = "",
    form_token=None,
) -> Contact:
    """Record a contact or attempt by the allocated SOO.

    With `form_token` (the contact form's), the same form saved again returns the contact it already recorded
    (its `duplicate` set), writing nothing: the allocation lock serialises the saves, and the unique token backs
    it up.

    A completed contact, or the victim declining SOO support, meets the 72-hour first-contact deadline;
    an attempt with no answer is logged but does not. A decline records the victim's engagement choice.
    """
    allocation = _allocation_for_soo(allocation=allocation, user=user)
    if form_token is not None:
        already = Contact.objects.filter(form_token=form_token).first()
        if already is not None:
            if already.allocation_id != allocation.pk:
                raise ApplicationError("This form has expired. Reload the page and enter the contact again.")
            already.duplicate = True
            return already
    now = timezone.now()
    note = (note or "").strip()
    errors = _contact_errors(allocation, contacted_at=contacted_at, method=method, outcome=outcome, note=note, now=now)
    if errors:
        raise ApplicationError(errors={k: [v] for k, v in errors.items()})

    contact = Contact(
        allocation=allocation,
        contacted_at=contacted_at,
        method=method,
        outcome=outcome,
        note=note,
        recorded_by=user,
        recorded_at=now,
        form_token=form_token,
    )
    contact.duplicate = False
    contact._history_user = user
    contact.save()

    plan = _plan_for(allocation)
    if outcome == Contact.Outcome.DECLINED:
        plan.engagement = ContactPlan.Engagement.DECLINED
        plan.engagement_recorded_at = now
    elif outcome == Contact.Outcome.COMPLETED and plan.engagement == ContactPlan.Engagement.NOT_RECORDED:
        plan.engagement = ContactPlan.Engagement.ENGAGED
        plan.engagement_recorded_at = now
    if outcome in Contact.MEETS_DEADLINE:
        _first_contact_meet(allocation, at=contacted_at, user=user, reason=f"First contact: {outcome}")
    _plan_refresh(plan, last_completed=_last_completed(allocation))
    plan._history_user = user
    plan.save()
    return contact


def _contact_fields(contact: Contact) -> dict:
    return {
        "contacted_at": contact.contacted_at.astimezone(dt.UTC).isoformat(),
        "method": contact.method,
        "outcome": contact.outcome,
        "note": contact.note,
    }


def _first_contact_after_correction(
    allocation: Allocation, *, before: dict, contact: Contact, user, reason: str
) -> dt.datetime | None:
    """The deadline is met when the first completed contact (or recorded decline) happened, so a correction of a
    contact's time or outcome moves first_contact_met_at with it, in either direction (DESIGN.md section 4: the
    time of the contact meets the deadline, not the time it was logged). Only a correction of the contact that
    met it can move it later: then it is worked out again from every contact and recorded decline. Returns the
    time it was met before the correction."""
    met = allocation.first_contact_met_at
    before_at = dt.datetime.fromisoformat(before["contacted_at"])
    if met is not None and before["outcome"] in Contact.MEETS_DEADLINE and before_at == met:
        earliest = Contact.objects.filter(allocation=allocation, outcome__in=Contact.MEETS_DEADLINE).aggregate(
            at=Min("contacted_at")
        )["at"]
        declined = ContactPlan.history.filter(
            allocation_id=allocation.pk, engagement=ContactPlan.Engagement.DECLINED
        ).aggregate(at=Min("engagement_recorded_at"))["at"]
        new = min((t for t in (earliest, declined) if t is not None), default=None)
    elif contact.outcome in Contact.MEETS_DEADLINE and (met is None or contact.contacted_at < met):
        new = contact.contacted_at
    else:
        return met
    if new != met:
        allocation.first_contact_met_at = new
        allocation._history_user = user
        allocation._change_reason = reason
        allocation.save(update_fields=["first_contact_met_at"])
    return met


def first_contact_outcome(allocation: Allocation, *, met: dt.datetime | None, now: dt.datetime) -> str:
    """The 72-hour outcome as the statistics count it: "in time", "late", or "open" while a live deadline runs."""
    if met is not None:
        return "in time" if met <= allocation.first_contact_due else "late"
    return "late" if allocation.first_contact_due <= now else "open"


OUTCOME_WORDS = {"in time": "met within 72 hours", "late": "not met within 72 hours", "open": "not yet met"}


def _tell_coordinators_outcome_changed(allocation: Allocation, *, was: str, now_is: str, correction) -> None:
    """A correction that turns a decided 72-hour outcome round (in time <-> late, or met -> not yet met) changes
    the force's compliance figures and may hide a failure, so the coordinators who may open the case are told.
    The message holds no identifier: the reference and link say which case."""
    if was == now_is or was == "open":  # a first contact recorded by a correction is ordinary news, not a flip
        return
    case = allocation.case
    notification_send(
        recipients=coordinators_for_case(case),
        kind="first_contact_corrected",
        message=(
            f"A corrected contact changed the first contact with the victim from {OUTCOME_WORDS[was]} "
            f"to {OUTCOME_WORDS[now_is]}. The correction and its reason are on the contact log."
        ),
        link=reverse("contacts:detail", args=[case.public_id]),
        case_reference=case.reference,
        event_key=f"contacts:correction:{correction.pk}:first_contact",
    )


@transaction.atomic
def contact_correct(
    *,
    contact: Contact,
    user,
    contacted_at: dt.datetime,
    method: str,
    outcome: str,
    note: str = "",
    reason: str,
    form_token,
) -> ContactCorrection:
    """Correct a saved contact, keeping what it said: the allocated SOO, while the allocation is accepted, records
    what changed and why. Never a silent edit: the contact and its ContactCorrection (before, after, who, when,
    reason) are written together, and the contact page shows every correction.

    The correction form's token is claimed once (as the contact form's is): the same form saved again returns
    the correction already made (`duplicate` set) and writes nothing. A correction that changes nothing, or
    gives no reason, is refused. The consequences follow the corrected contact: the first-contact deadline
    (_first_contact_after_correction), the next scheduled contact, and the engagement choice a decline records.
    """
    allocation = _allocation_for_soo(allocation=contact.allocation, user=user)
    already = ContactCorrection.objects.filter(form_token=form_token).first()
    if already is not None:
        if already.contact_id != contact.pk:
            raise ApplicationError("This form has expired. Reload the page and enter the correction again.")
        already.duplicate = True
        return already
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.allocation_id != allocation.pk:
        raise ApplicationError("Only a contact recorded under your allocation can be corrected.")
    now = timezone.now()
    note = (note or "").strip()
    reason = (reason or "").strip()
    # The form has minutes: the same minute as shown keeps the stored instant (no correction of the seconds).
    if contacted_at is not None and contacted_at == contact.contacted_at.replace(second=0, microsecond=0):
        contacted_at = contact.contacted_at
    errors = _contact_errors(allocation, contacted_at=contacted_at, method=method, outcome=outcome, note=note, now=now)
    if not reason:
        errors["reason"] = "Enter why the contact is being corrected."
    elif len(reason) > 500:
        errors["reason"] = "The reason must be 500 characters or fewer."
    before = _contact_fields(contact)
    if not errors:
        contact.contacted_at, contact.method, contact.outcome, contact.note = contacted_at, method, outcome, note
        if _contact_fields(contact) == before:
            errors[""] = "Nothing has changed. Change what was recorded wrongly, or cancel."
    if errors:
        raise ApplicationError(errors={k: [v] for k, v in errors.items()})

    after = _contact_fields(contact)
    changed = [name for name in ContactCorrection.FIELDS if before[name] != after[name]]
    contact._history_user = user
    contact._change_reason = "Corrected by the SOO (reason on the contact's correction)"
    contact.save(update_fields=changed)
    correction = ContactCorrection.objects.create(
        contact=contact,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
        reason=reason,
        corrected_by=user,
        corrected_at=now,
        form_token=form_token,
    )
    correction.duplicate = False

    plan = _plan_for(allocation)
    watched = ("engagement", "engagement_recorded_at", "next_contact_on")
    was = [getattr(plan, name) for name in watched]
    if "outcome" in changed:
        if outcome == Contact.Outcome.DECLINED and plan.engagement != ContactPlan.Engagement.DECLINED:
            plan.engagement = ContactPlan.Engagement.DECLINED
            plan.engagement_recorded_at = now
        elif outcome == Contact.Outcome.COMPLETED and plan.engagement == ContactPlan.Engagement.NOT_RECORDED:
            plan.engagement = ContactPlan.Engagement.ENGAGED
            plan.engagement_recorded_at = now
    _plan_refresh(plan, last_completed=_last_completed(allocation))
    if plan.pk is None or [getattr(plan, name) for name in watched] != was:
        plan._history_user = user
        plan.save()
    was_met = _first_contact_after_correction(
        allocation, before=before, contact=contact, user=user, reason="First contact: a contact was corrected"
    )
    _tell_coordinators_outcome_changed(
        allocation,
        was=first_contact_outcome(allocation, met=was_met, now=now),
        now_is=first_contact_outcome(allocation, met=allocation.first_contact_met_at, now=now),
        correction=correction,
    )
    return correction


@transaction.atomic
def engagement_record(*, allocation: Allocation, user, engagement: str) -> ContactPlan:
    """Record or change the victim's choice to engage with the SOO (history keeps every change).

    A recorded decline meets the first-contact deadline, and stops scheduled-contact reminders.
    """
    allocation = _allocation_for_soo(allocation=allocation, user=user)
    if engagement not in (ContactPlan.Engagement.ENGAGED, ContactPlan.Engagement.DECLINED):
        raise ApplicationError("Select whether the victim engages with you or declines support.", field="engagement")
    now = timezone.now()
    plan = _plan_for(allocation)
    if plan.engagement == engagement:
        return plan
    plan.engagement = engagement
    plan.engagement_recorded_at = now
    if engagement == ContactPlan.Engagement.DECLINED:
        _first_contact_meet(allocation, at=now, user=user, reason="Victim declined SOO support")
    _plan_refresh(plan, last_completed=_last_completed(allocation))
    plan._history_user = user
    plan.save()
    return plan


@transaction.atomic
def contact_schedule_set(
    *, allocation: Allocation, user, cadence: str, interval_days: int | None = None, dates=()
) -> ContactPlan:
    """Record the contact schedule agreed with the victim: every N days, or on listed dates.

    It is agreed at first contact, so a completed contact must be on record; the next contact due is
    derived from it and the last completed contact.
    """
    allocation = _allocation_for_soo(allocation=allocation, user=user)
    last = _last_completed(allocation)
    plan = _plan_for(allocation)
    errors = {}
    if last is None:
        errors["cadence"] = "Record a completed contact with the victim before agreeing a contact schedule."
    elif plan.engagement == ContactPlan.Engagement.DECLINED:
        errors["cadence"] = "The victim declined SOO support: record that they engage before agreeing a schedule."
    clean_dates: list[dt.date] = []
    if cadence == ContactPlan.Cadence.INTERVAL:
        if not isinstance(interval_days, int) or not 1 <= interval_days <= MAX_INTERVAL_DAYS:
            errors["interval_days"] = f"Enter a number of days between 1 and {MAX_INTERVAL_DAYS}."
    elif cadence == ContactPlan.Cadence.DATES:
        clean_dates = sorted(set(dates or ()))
        today = timezone.localdate()
        if not clean_dates:
            errors["dates"] = "Enter at least one date for a planned contact."
        elif clean_dates[0] < today:
            errors["dates"] = "Planned contact dates must be today or later."
        elif len(clean_dates) > MAX_LISTED_DATES:
            errors["dates"] = f"Enter at most {MAX_LISTED_DATES} dates."
    elif cadence != ContactPlan.Cadence.NONE:
        errors["cadence"] = "Select how often you agreed to contact the victim."
    if errors:
        raise ApplicationError(errors={k: [v] for k, v in errors.items()})

    plan.cadence = cadence
    plan.interval_days = interval_days if cadence == ContactPlan.Cadence.INTERVAL else None
    plan.dates = clean_dates
    plan.schedule_agreed_at = timezone.now()
    _plan_refresh(plan, last_completed=last)
    plan._history_user = user
    plan.save()
    return plan

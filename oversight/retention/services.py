"""Writes for retention reviews: retain (with a reason and the next review date) or delete the identities, and
the reminders that reviews are due.

Each decision is keyword-only and atomic, locks the case, and checks the state it starts from: a closed case
still holding its identities whose review (the date the page was opened on) is due. One decision per review:
a repeated or concurrent submit of the same decision returns the first (idempotent); a different decision on
a review already decided is refused.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from cases.access import CaseRecipients
from cases.models import Case
from cases.services import add_years, case_retention_set
from ppda.errors import ApplicationError
from ppda.notifications import notification_send
from ppda.permissions import require_role
from ppda.roles import Role

from .erasure import case_identities_erase
from .models import RetentionDecision, RetentionReminder

logger = logging.getLogger(__name__)

MAX_RETAIN_YEARS = 25
REASON_MAX = 2000


def _starting_state(case: Case, kind: str, review_on: dt.date) -> tuple[Case, RetentionDecision | None]:
    """The locked case, and the decision already made on this review if it is the same one (a repeat)."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    earlier = RetentionDecision.objects.filter(case=locked, review_on=review_on).first()
    if earlier is not None:
        if earlier.kind == kind:
            return locked, earlier
        raise ApplicationError(
            f"This review of case {locked.reference} was already decided: {earlier.get_kind_display().lower()}."
        )
    if locked.status != Case.Status.CLOSED:
        raise ApplicationError(f"Case {locked.reference} is not closed, so it has no retention review.")
    if locked.identities_erased_at is not None:
        raise ApplicationError(f"The identities in case {locked.reference} have already been deleted.")
    if locked.retention_review_on != review_on:
        raise ApplicationError(
            f"The review date of case {locked.reference} changed while you were deciding: check it and decide again."
        )
    if review_on > timezone.localdate():
        raise ApplicationError(f"Case {locked.reference} is not due for review until {review_on:%-d %B %Y}.")
    return locked, None


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Enter the reason for your decision", field="reason")
    if len(reason) > REASON_MAX:
        raise ApplicationError(f"The reason must be {REASON_MAX} characters or fewer", field="reason")
    return reason


@transaction.atomic
def retention_retain(*, case: Case, user, review_on: dt.date, reason: str, next_review_on: dt.date | None):
    """A coordinator retains a case due for review: the reason and the next review date (after today, within
    MAX_RETAIN_YEARS) are recorded with who and when, and the case's review date moves to it."""
    require_role(user, Role.COORDINATOR)
    locked, earlier = _starting_state(case, RetentionDecision.Kind.RETAIN, review_on)
    if earlier is not None:
        return earlier
    reason = _reason(reason)
    today = timezone.localdate()
    if next_review_on is None:
        raise ApplicationError("Enter the date of the next review", field="next_review_on")
    if next_review_on <= today:
        raise ApplicationError("The date of the next review must be in the future", field="next_review_on")
    if next_review_on > add_years(today, MAX_RETAIN_YEARS):
        raise ApplicationError(
            f"The date of the next review must be within {MAX_RETAIN_YEARS} years", field="next_review_on"
        )
    case_retention_set(case=locked, user=user, review_on=next_review_on)
    return RetentionDecision.objects.create(
        case=locked,
        kind=RetentionDecision.Kind.RETAIN,
        reason=reason,
        review_on=review_on,
        next_review_on=next_review_on,
        decided_at=timezone.now(),
        decided_by=user,
    )


@transaction.atomic
def retention_delete(*, case: Case, user, review_on: dt.date, reason: str, confirmed: bool):
    """A coordinator deletes the party identities of a case due for review, once they confirm it cannot be
    undone. In one transaction: the decision (who, when, why), the deletion everywhere including history
    (erasure.case_identities_erase), and the case marked so that it leaves the queue. The case itself stays,
    so the statistics still count it in its period and outcome figures."""
    require_role(user, Role.COORDINATOR)
    locked, earlier = _starting_state(case, RetentionDecision.Kind.DELETE, review_on)
    if earlier is not None:
        return earlier
    reason = _reason(reason)
    if not confirmed:
        raise ApplicationError(
            "Confirm that you understand the identities will be deleted and cannot be recovered", field="confirm"
        )
    decision = RetentionDecision.objects.create(
        case=locked,
        kind=RetentionDecision.Kind.DELETE,
        reason=reason,
        review_on=review_on,
        decided_at=timezone.now(),
        decided_by=user,
    )
    decision.erased = case_identities_erase(case=locked, user=user)
    decision.save(update_fields=["erased"])
    case_retention_set(case=locked, user=user, review_on=None, erased_at=decision.decided_at)
    return decision


# -- Reminders -----------------------------------------------------------------------------------------------


@dataclass
class ReminderSweepResult:
    cases: int = 0
    notices: int = 0


REMINDER_BATCH = 500
# The reminder for a case's current review date, if it was sent.
_reminded = RetentionReminder.objects.filter(case_id=OuterRef("pk"), review_on=OuterRef("retention_review_on"))


def retention_reminders_sweep(*, today: dt.date | None = None, batch: int = REMINDER_BATCH) -> ReminderSweepResult:
    """Tell the coordinators who may open each case (cases.access.CaseRecipients) that its retention review is
    due, once per case and review date: the reminder row is claimed first (unique per case and date, rows
    locked and skipped by a concurrent sweep), so a re-run, a second beat or a redelivered task sends nothing
    twice. Reference and link only."""
    today = today or timezone.localdate()
    result = ReminderSweepResult()
    while True:
        with transaction.atomic():
            due = list(
                Case.objects.filter(
                    status=Case.Status.CLOSED, identities_erased_at__isnull=True, retention_review_on__lte=today
                )
                .filter(~Exists(_reminded))
                .order_by("retention_review_on", "pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", "public_id", "reference", "retention_review_on")[:batch]
            )
            if not due:
                break
            now = timezone.now()
            RetentionReminder.objects.bulk_create(
                [RetentionReminder(case_id=pk, review_on=on, sent_at=now) for pk, _, _, on in due],
                ignore_conflicts=True,
            )
            recipients = CaseRecipients(pk for pk, _, _, _ in due)
            users = {u.pk: u for u in _users(recipients, due)}
            for pk, public_id, reference, on in due:
                created = notification_send(
                    recipients=[users[i] for i in recipients.coordinators(pk) if i in users],
                    kind="retention_review_due",
                    message=f"Case {reference} is due for its retention review.",
                    link=reverse("retention:decide", args=[public_id]),
                    case_reference=reference,
                    event_key=f"retention-due:{public_id}:{on.isoformat()}",
                )
                result.notices += len(created)
            result.cases += len(due)
        if len(due) < batch:
            break
    logger.info("retention reminders: %s cases, %s notices", result.cases, result.notices)
    return result


def _users(recipients: CaseRecipients, due) -> list:
    ids = {i for pk, _, _, _ in due for i in recipients.coordinators(pk)}
    return list(get_user_model().objects.filter(pk__in=ids))

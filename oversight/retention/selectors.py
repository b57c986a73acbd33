"""Reads for retention reviews. The queue is built on cases.selectors.cases_for_user: a coordinator never sees
a case they may not open (a party, a party's line manager, a declared conflict), filtered in the query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils import timezone

from cases.models import Case
from cases.selectors import cases_for_user

from .models import RetentionDecision


def retention_due_cases(user, *, today: dt.date | None = None) -> QuerySet[Case]:
    """Closed cases the user may open, still holding their identities, whose review date is today or past:
    the longest overdue first (the partial index case_retention_due). Plain, so that counting it is cheap."""
    today = today or timezone.localdate()
    return cases_for_user(user).filter(
        status=Case.Status.CLOSED, identities_erased_at__isnull=True, retention_review_on__lte=today
    )


def retention_queue(cases: QuerySet[Case]) -> QuerySet[Case]:
    """A page of the queue: each row with how many times the case was retained before (one query a page)."""
    return (
        cases.annotate(times_retained=Count("retention_decisions"))
        .only("public_id", "reference", "closed_at", "retention_review_on", "received_at")
        .order_by("retention_review_on", "pk")
    )


@dataclass
class RetentionPage:
    case: Case
    decisions: list[RetentionDecision]
    due: bool
    erased: bool

    @property
    def state(self) -> str:
        if self.erased:
            return "erased"
        if self.case.status != Case.Status.CLOSED:
            return "open"
        return "due" if self.due else "not_due"


def retention_page(case: Case, *, today: dt.date | None = None) -> RetentionPage:
    """What the decision page shows: the case's review state and every decision so far (one query)."""
    today = today or timezone.localdate()
    decisions = list(RetentionDecision.objects.filter(case=case).select_related("decided_by").order_by("decided_at"))
    return RetentionPage(
        case=case,
        decisions=decisions,
        due=case.status == Case.Status.CLOSED
        and case.identities_erased_at is None
        and case.retention_review_on is not None
        and case.retention_review_on <= today,
        erased=case.identities_erased_at is not None,
    )

"""Retention factories, named after states: cases closed through case_close at a given time."""

import datetime as dt

import time_machine
from django.utils import timezone

from cases.models import Case
from oversight.closure.services import case_close
from tests.factories.cases import SafeContactFactory
from tests.factories.closure import ActiveAllocationFactory, CompleteClosureFactory


def closed_case(*, closed_at: dt.datetime | None = None, **closure) -> Case:
    """A case (a civilian victim with a safe contact, a police suspect) its SOO closed through case_close at
    `closed_at` (default now). `closure`: fields of the CompleteClosureFactory."""
    with time_machine.travel(closed_at or timezone.now(), tick=False):
        allocation = ActiveAllocationFactory()
        victim = allocation.case.parties.get(role="victim")
        SafeContactFactory(party=victim, safe_email="safe.victim@example.org")
        CompleteClosureFactory(case=allocation.case, **closure)
        case_close(case=allocation.case, user=allocation.soo.user)
    return Case.objects.get(pk=allocation.case_id)


def due_for_review_case(**kwargs) -> Case:
    """A case closed six years and a week ago: its retention review (six years by default) is due."""
    return closed_case(closed_at=timezone.now() - dt.timedelta(days=6 * 366 + 7), **kwargs)


def not_yet_due_case(**kwargs) -> Case:
    """A case closed a year ago: its review is five years away."""
    return closed_case(closed_at=timezone.now() - dt.timedelta(days=365), **kwargs)

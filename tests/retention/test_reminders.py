"""The beat sweep tells the coordinators when a retention review falls due: only those who may open the case
(cases.access), reference and link only, once per case and review date however often it runs."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Party
from oversight.retention.models import RetentionReminder
from oversight.retention.services import retention_reminders_sweep, retention_retain
from oversight.retention.tasks import retention_reminders_sweep_task
from ppda.models import Notification
from ppda.roles import Role
from tests.factories.cases import PoliceVictimFactory
from tests.factories.directory import StaffMemberFactory, UserFactory
from tests.factories.retention import due_for_review_case, not_yet_due_case

pytestmark = pytest.mark.django_db


def test_due_reviews_are_told_once_to_the_coordinators_who_may_open_the_case():
    ok = UserFactory(roles=[Role.COORDINATOR])
    staff = StaffMemberFactory()
    party = UserFactory(staff=staff, roles=[Role.COORDINATOR])
    soo_only = UserFactory(roles=[Role.SOO])
    case = due_for_review_case()
    PoliceVictimFactory(case=case, staff=staff)
    not_yet_due_case()

    result = retention_reminders_sweep()
    assert (result.cases, result.notices) == (1, 1)
    notice = Notification.objects.get(kind="retention_review_due")
    assert notice.recipient == ok
    assert notice.case_reference == case.reference
    assert notice.link == reverse("retention:decide", args=[case.public_id])
    assert notice.message == f"Case {case.reference} is due for its retention review."
    victim = case.parties.filter(role=Party.Role.VICTIM).exclude(first_name="").get()
    assert victim.first_name not in notice.message
    assert not Notification.objects.filter(recipient__in=[party, soo_only], kind="retention_review_due").exists()

    # Again, and through the task beat runs: nothing more.
    assert retention_reminders_sweep().cases == 0
    assert retention_reminders_sweep_task() == {"cases": 0, "notices": 0}
    assert Notification.objects.filter(kind="retention_review_due").count() == 1


def test_a_retained_case_is_told_again_when_its_next_review_falls_due():
    coordinator = UserFactory(roles=[Role.COORDINATOR])
    case = due_for_review_case()
    retention_reminders_sweep()
    next_on = timezone.localdate() + dt.timedelta(days=30)
    retention_retain(
        case=case, user=coordinator, review_on=case.retention_review_on, reason="Claim pending", next_review_on=next_on
    )
    assert retention_reminders_sweep().cases == 0  # not due yet
    assert retention_reminders_sweep(today=next_on).cases == 1
    assert (
        list(RetentionReminder.objects.filter(case=case).values_list("review_on", flat=True).order_by("review_on"))[-1]
        == next_on
    )
    assert Notification.objects.filter(recipient=coordinator, kind="retention_review_due").count() == 2


def test_a_full_batch_is_followed_by_the_next():
    UserFactory(roles=[Role.COORDINATOR])
    for _ in range(3):
        due_for_review_case()
    assert retention_reminders_sweep(batch=2).cases == 3
    assert RetentionReminder.objects.count() == 3

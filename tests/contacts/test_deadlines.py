"""The 72-hour first-contact deadline and its reminders, with a controlled clock (DESIGN.md section 4)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from oversight.contacts.models import Contact, DeadlineEvent
from oversight.contacts.services import contact_log, engagement_record
from oversight.contacts.sweep import deadlines_sweep
from oversight.models import Allocation
from ppda.models import Notification
from ppda.roles import Role
from tests.factories.contacts import AllocationFactory, PendingAllocationFactory
from tests.factories.directory import ChiefInspectorFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=False)

LONDON = ZoneInfo("Europe/London")
T0 = dt.datetime(2026, 11, 2, 9, 15, tzinfo=dt.UTC)


def at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def coordinators(db):
    return [UserFactory(roles=[Role.COORDINATOR]) for _ in range(2)]


def sweep_at(clock, hours, django_capture_on_commit_callbacks):
    clock.move_to(at(hours))
    with django_capture_on_commit_callbacks(execute=True):
        return deadlines_sweep()


def kinds_for(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("kind", flat=True))


def test_reminders_at_24_and_48_hours_then_breach_at_72(clock, coordinators, django_capture_on_commit_callbacks):
    allocation = AllocationFactory()
    soo = allocation.soo.user

    sweep_at(clock, 23.99, django_capture_on_commit_callbacks)
    assert kinds_for(soo) == []
    sweep_at(clock, 24, django_capture_on_commit_callbacks)
    assert kinds_for(soo) == ["reminder_24h"]
    sweep_at(clock, 30, django_capture_on_commit_callbacks)
    assert kinds_for(soo) == ["reminder_24h"]  # a re-run sends nothing new
    sweep_at(clock, 47.9, django_capture_on_commit_callbacks)
    assert kinds_for(soo) == ["reminder_24h"]
    sweep_at(clock, 48, django_capture_on_commit_callbacks)
    assert kinds_for(soo) == ["reminder_24h", "reminder_48h"]
    sweep_at(clock, 71.99, django_capture_on_commit_callbacks)
    allocation.refresh_from_db()
    assert allocation.breached_at is None
    assert all(kinds_for(c) == [] for c in coordinators)

    sweep_at(clock, 72, django_capture_on_commit_callbacks)
    allocation.refresh_from_db()
    assert allocation.breached_at == at(72) == allocation.first_contact_due
    assert all(kinds_for(c) == ["breach"] for c in coordinators)
    assert kinds_for(soo) == ["reminder_24h", "reminder_48h", "breach"]
    # The breach is in the allocation's history, written by the sweep.
    assert allocation.history.filter(breached_at=at(72)).exists()

    sweep_at(clock, 200, django_capture_on_commit_callbacks)
    assert Notification.objects.count() == 2 + 3  # 2 reminders + breach to the SOO and both coordinators
    assert len(mail.outbox) == 5
    assert {e.kind for e in DeadlineEvent.objects.all()} == {"reminder_24h", "reminder_48h", "breach"}


def test_no_reminder_after_a_completed_contact(clock, coordinators, django_capture_on_commit_callbacks):
    allocation = AllocationFactory()
    clock.move_to(at(10))
    contact_log(
        allocation=allocation,
        user=allocation.soo.user,
        contacted_at=at(9.5),
        method=Contact.Method.PHONE,
        outcome=Contact.Outcome.COMPLETED,
    )
    allocation.refresh_from_db()
    assert allocation.first_contact_met_at == at(9.5)
    for hours in (24, 48, 72, 100):
        sweep_at(clock, hours, django_capture_on_commit_callbacks)
    assert Notification.objects.count() == 0
    allocation.refresh_from_db()
    assert allocation.breached_at is None
    # Met through the model's save: simple-history recorded who met the deadline, and when.
    met = allocation.history.filter(first_contact_met_at=at(9.5)).get()
    assert met.history_user == allocation.soo.user


def test_attempts_are_logged_but_do_not_meet_the_deadline(clock, coordinators, django_capture_on_commit_callbacks):
    allocation = AllocationFactory()
    for hours in (2, 20, 50):
        clock.move_to(at(hours))
        contact_log(
            allocation=allocation,
            user=allocation.soo.user,
            contacted_at=at(hours),
            method=Contact.Method.PHONE,
            outcome=Contact.Outcome.ATTEMPTED,
            note="No answer; no voicemail left (not safe).",
        )
    allocation.refresh_from_db()
    assert allocation.first_contact_met_at is None
    assert allocation.contacts.count() == 3
    sweep_at(clock, 50, django_capture_on_commit_callbacks)
    sweep_at(clock, 72, django_capture_on_commit_callbacks)
    allocation.refresh_from_db()
    assert allocation.breached_at == at(72)
    assert kinds_for(allocation.soo.user) == ["reminder_48h", "breach"]
    assert all(kinds_for(c) == ["breach"] for c in coordinators)


def test_decline_in_a_contact_meets_the_deadline(clock, coordinators, django_capture_on_commit_callbacks):
    allocation = AllocationFactory()
    clock.move_to(at(30))
    contact_log(
        allocation=allocation,
        user=allocation.soo.user,
        contacted_at=at(29),
        method=Contact.Method.IDVA,
        outcome=Contact.Outcome.DECLINED,
    )
    allocation.refresh_from_db()
    assert allocation.first_contact_met_at == at(29)
    assert allocation.contact_plan.engagement == "declined"
    for hours in (48, 72, 96):
        sweep_at(clock, hours, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(kind__in=["reminder_48h", "breach"]).count() == 0


def test_recorded_engagement_decline_meets_the_deadline(clock, coordinators, django_capture_on_commit_callbacks):
    allocation = AllocationFactory()
    clock.move_to(at(40))
    engagement_record(allocation=allocation, user=allocation.soo.user, engagement="declined")
    allocation.refresh_from_db()
    assert allocation.first_contact_met_at == at(40)
    sweep_at(clock, 72, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(kind="breach").count() == 0


def test_reallocation_restarts_the_clock_for_the_new_soo(clock, coordinators, django_capture_on_commit_callbacks):
    first = AllocationFactory()
    sweep_at(clock, 24, django_capture_on_commit_callbacks)
    assert kinds_for(first.soo.user) == ["reminder_24h"]

    # At 40 hours the case is reallocated: the first allocation ends, a new SOO gets a new 72 hours.
    clock.move_to(at(40))
    first.status = Allocation.Status.ENDED
    first.ended_at = timezone.now()
    first.save()
    second = AllocationFactory(case=first.case, soo=ChiefInspectorFactory(), allocated_at=at(40))
    assert second.first_contact_due == at(40 + 72)

    for hours in (48, 64, 72, 88, 111.9):
        sweep_at(clock, hours, django_capture_on_commit_callbacks)
    assert kinds_for(first.soo.user) == ["reminder_24h"]  # nothing more for the old allocation
    assert kinds_for(second.soo.user) == ["reminder_24h", "reminder_48h"]  # its own, at 64 h and 88 h
    assert Notification.objects.filter(kind="breach").count() == 0
    reminders = Notification.objects.filter(recipient=second.soo.user).order_by("id")
    assert [n.created_at for n in reminders] == [at(64), at(88)]

    sweep_at(clock, 112, django_capture_on_commit_callbacks)
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.breached_at == at(112) and first.breached_at is None
    assert all(kinds_for(c) == ["breach"] for c in coordinators)


def test_pending_allocations_get_reminders_ended_and_declined_do_not(
    clock, coordinators, django_capture_on_commit_callbacks
):
    pending = PendingAllocationFactory()
    ended = AllocationFactory(status=Allocation.Status.ENDED)
    declined = AllocationFactory(status=Allocation.Status.DECLINED)
    sweep_at(clock, 80, django_capture_on_commit_callbacks)
    assert kinds_for(pending.soo.user) == ["breach"]
    assert kinds_for(ended.soo.user) == kinds_for(declined.soo.user) == []


def test_scheduler_down_for_a_day_catches_up_with_the_current_event_only(
    clock, coordinators, django_capture_on_commit_callbacks
):
    early, late = AllocationFactory(), AllocationFactory(allocated_at=at(30))
    sweep_at(clock, 1, django_capture_on_commit_callbacks)
    # Down from hour 1 to hour 80: early is past 72 h (breach), late is at 50 h (the 48-hour reminder).
    result = sweep_at(clock, 80, django_capture_on_commit_callbacks)
    assert result.claimed["breach"] == 1 and result.claimed["reminder_48h"] == 1
    assert kinds_for(early.soo.user) == ["breach"]
    assert kinds_for(late.soo.user) == ["reminder_48h"]
    assert sweep_at(clock, 80.05, django_capture_on_commit_callbacks).notifications == 0


def test_a_later_logged_earlier_contact_moves_met_back(clock, coordinators):
    allocation = AllocationFactory()
    clock.move_to(at(50))
    user = allocation.soo.user
    contact_log(allocation=allocation, user=user, contacted_at=at(49), method="phone", outcome="completed")
    contact_log(allocation=allocation, user=user, contacted_at=at(3), method="in_person", outcome="completed")
    allocation.refresh_from_db()
    assert allocation.first_contact_met_at == at(3)


# Clock changes. UK clocks go back at 02:00 BST on 25 Oct 2026 (01:00-02:00 happens twice) and forward at
# 01:00 GMT on 29 Mar 2026 (01:00-02:00 does not exist). Due is 72 elapsed hours: UTC arithmetic.


@pytest.mark.parametrize(
    ("allocated_local", "due_local_wall"),
    [
        # 01:30 BST (first pass of the ambiguous hour) = 00:30 UTC; 72 h later is 00:30 UTC = 00:30 GMT.
        (dt.datetime(2026, 10, 25, 1, 30, fold=0, tzinfo=LONDON), dt.datetime(2026, 10, 28, 0, 30)),
        # 01:30 GMT (second pass) = 01:30 UTC; 72 h later is 01:30 GMT.
        (dt.datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON), dt.datetime(2026, 10, 28, 1, 30)),
        # 01:30 on 29 Mar does not exist: zoneinfo reads it as GMT, 01:30 UTC; 72 h later is 02:30 BST.
        (dt.datetime(2026, 3, 29, 1, 30, tzinfo=LONDON), dt.datetime(2026, 4, 1, 2, 30)),
    ],
    ids=["autumn-bst-pass", "autumn-gmt-pass", "spring-nonexistent"],
)
def test_allocation_at_0130_on_clock_change_night_is_due_72_real_hours_later(
    allocated_local, due_local_wall, coordinators, django_capture_on_commit_callbacks
):
    allocated_utc = allocated_local.astimezone(dt.UTC)
    with time_machine.travel(allocated_utc, tick=False) as traveller:
        allocation = AllocationFactory(allocated_at=timezone.now())
        allocation.refresh_from_db()
        assert allocation.first_contact_due - allocation.allocated_at == dt.timedelta(hours=72)
        assert allocation.first_contact_due.timestamp() - allocated_utc.timestamp() == 72 * 3600
        assert allocation.first_contact_due.astimezone(LONDON).replace(tzinfo=None) == due_local_wall

        def sweep_after(hours):
            traveller.move_to(allocated_utc + dt.timedelta(hours=hours))
            with django_capture_on_commit_callbacks(execute=True):
                deadlines_sweep()

        sweep_after(23.99)
        assert kinds_for(allocation.soo.user) == []
        sweep_after(24)
        sweep_after(48)
        sweep_after(71.99)
        assert kinds_for(allocation.soo.user) == ["reminder_24h", "reminder_48h"]
        sweep_after(72)
        allocation.refresh_from_db()
        assert allocation.breached_at == allocated_utc + dt.timedelta(hours=72)
        # The notification shows the due time in UK local time, right across the change.
        breach = Notification.objects.get(recipient=allocation.soo.user, kind="breach")
        assert due_local_wall.strftime("%H:%M") in breach.message


def test_autumn_ambiguous_hour_both_passes_are_an_hour_apart_in_due_time(coordinators):
    first = dt.datetime(2026, 10, 25, 1, 30, fold=0, tzinfo=LONDON).astimezone(dt.UTC)
    second = dt.datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON).astimezone(dt.UTC)
    assert second - first == dt.timedelta(hours=1)
    assert Allocation.due_for(second) - Allocation.due_for(first) == dt.timedelta(hours=1)


def test_reallocation_through_the_allocation_services_restarts_the_clock(
    clock, coordinators, django_capture_on_commit_callbacks
):
    """The real workflow: allocate, accept, reallocate (end + allocate a new SOO); the sweep works per
    allocation, so the new SOO's 72 hours start at the new allocation and the old one goes quiet."""
    from oversight.allocation.services import allocation_accept, allocation_create, allocation_end
    from tests.factories.oversight import soo_with_user, triaged_case_with_parties

    coordinator = coordinators[0]
    case = triaged_case_with_parties()
    first = allocation_create(case=case, soo=soo_with_user(), by=coordinator)
    allocation_accept(allocation=first, by=first.soo.user)
    sweep_at(clock, 30, django_capture_on_commit_callbacks)
    clock.move_to(at(36))
    allocation_end(allocation=first, by=coordinator, reason="SOO on long-term leave")
    case.refresh_from_db()
    second = allocation_create(case=case, soo=soo_with_user(), by=coordinator)
    assert second.first_contact_due == at(36 + 72)

    for hours in (48, 60, 84, 107.9):
        sweep_at(clock, hours, django_capture_on_commit_callbacks)
    deadline_kinds = ["reminder_24h", "reminder_48h", "breach"]
    old = Notification.objects.filter(recipient=first.soo.user, kind__in=deadline_kinds)
    new = Notification.objects.filter(recipient=second.soo.user, kind__in=deadline_kinds).order_by("id")
    assert list(old.values_list("kind", flat=True)) == ["reminder_24h"]
    assert [(n.kind, n.created_at) for n in new] == [("reminder_24h", at(60)), ("reminder_48h", at(84))]

    sweep_at(clock, 108, django_capture_on_commit_callbacks)
    second.refresh_from_db()
    assert second.breached_at == at(108)
    assert Notification.objects.filter(kind="breach", recipient=coordinator).count() == 1
    # The new SOO reaches the contact log; the old one no longer does (access was revoked at the end).
    from django.contrib.auth import get_user_model
    from django.http import Http404

    from oversight.contacts.selectors import contact_log_visible as contact_log_get_for_user

    fresh = get_user_model().objects.get  # re-fetch: permission results are cached on the user object
    assert contact_log_get_for_user(fresh(pk=second.soo.user.pk), case.public_id).allocation == second
    with pytest.raises(Http404):
        contact_log_get_for_user(fresh(pk=first.soo.user.pk), case.public_id)

"""Contact log, engagement and schedule services: the rules, the state checks, clear errors, history."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from oversight.contacts.models import Contact, ContactPlan
from oversight.contacts.services import contact_log, contact_schedule_set, engagement_record
from oversight.contacts.sweep import deadlines_sweep
from oversight.models import Allocation
from ppda.errors import ApplicationError
from ppda.models import Notification
from tests.factories.contacts import AllocationFactory, PendingAllocationFactory
from tests.factories.directory import ChiefInspectorFactory, UserFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# Monday 2 Nov 2026, 09:15 GMT.
T0 = dt.datetime(2026, 11, 2, 9, 15, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def allocation(clock):
    return AllocationFactory()


def log(allocation, hours, outcome="completed", **kw):
    return contact_log(
        allocation=allocation,
        user=allocation.soo.user,
        contacted_at=T0 + dt.timedelta(hours=hours),
        method=kw.pop("method", "phone"),
        outcome=outcome,
        **kw,
    )


def test_contact_in_the_future_or_before_allocation_is_refused_and_nothing_is_written(allocation, clock):
    clock.move_to(T0 + dt.timedelta(hours=5))
    with pytest.raises(ApplicationError) as exc:
        log(allocation, 6)
    assert "must not be in the future" in str(exc.value)
    with pytest.raises(ApplicationError) as exc:
        log(allocation, -1)
    assert "after the case was allocated" in str(exc.value)
    with pytest.raises(ApplicationError):
        log(allocation, 1, outcome="maybe")
    with pytest.raises(ApplicationError):
        log(allocation, 1, method="pigeon")
    with pytest.raises(ApplicationError):
        log(allocation, 1, note="x" * 501)
    assert Contact.objects.count() == 0
    assert not ContactPlan.objects.exists()
    allocation.refresh_from_db()
    assert allocation.first_contact_met_at is None


def test_only_the_allocated_soo_of_an_accepted_allocation_may_record(clock):
    allocation = AllocationFactory()
    other_soo = UserFactory(staff=ChiefInspectorFactory(), roles=["soo"])
    clock.move_to(T0 + dt.timedelta(hours=2))
    with pytest.raises(ApplicationError, match="Only the senior oversight officer"):
        contact_log(allocation=allocation, user=other_soo, contacted_at=T0, method="phone", outcome="completed")
    pending = PendingAllocationFactory()
    with pytest.raises(ApplicationError, match="Accept the allocation"):
        log(pending, 1)
    allocation.status = Allocation.Status.ENDED
    allocation.save()
    with pytest.raises(ApplicationError, match="Accept the allocation"):
        log(allocation, 1)
    assert Contact.objects.count() == 0


def test_engagement_choice_can_change_and_history_keeps_every_choice(allocation, clock):
    clock.move_to(T0 + dt.timedelta(hours=3))
    log(allocation, 2)
    plan = ContactPlan.objects.get(allocation=allocation)
    assert plan.engagement == "engaged"
    engagement_record(allocation=allocation, user=allocation.soo.user, engagement="declined")
    clock.move_to(T0 + dt.timedelta(days=10))
    engagement_record(allocation=allocation, user=allocation.soo.user, engagement="engaged")
    plan.refresh_from_db()
    assert plan.engagement == "engaged"
    history = list(plan.history.order_by("history_date").values_list("engagement", flat=True))
    assert history == ["engaged", "declined", "engaged"]
    assert plan.history.latest().history_user == allocation.soo.user
    # The deadline stays met at the first completed contact.
    allocation.refresh_from_db()
    assert allocation.first_contact_met_at == T0 + dt.timedelta(hours=2)
    with pytest.raises(ApplicationError):
        engagement_record(allocation=allocation, user=allocation.soo.user, engagement="not_recorded")


def test_contact_is_kept_in_history(allocation, clock):
    clock.move_to(T0 + dt.timedelta(hours=3))
    contact = log(allocation, 2, note="Agreed to talk on Fridays.")
    assert contact.history.get().history_user == allocation.soo.user


def test_schedule_needs_a_completed_contact_first(allocation, clock):
    clock.move_to(T0 + dt.timedelta(hours=3))
    with pytest.raises(ApplicationError, match="completed contact"):
        contact_schedule_set(allocation=allocation, user=allocation.soo.user, cadence="interval", interval_days=7)
    log(allocation, 1, outcome="attempted")
    with pytest.raises(ApplicationError, match="completed contact"):
        contact_schedule_set(allocation=allocation, user=allocation.soo.user, cadence="interval", interval_days=7)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"cadence": "interval", "interval_days": 0}, "interval_days"),
        ({"cadence": "interval", "interval_days": 91}, "interval_days"),
        ({"cadence": "interval"}, "interval_days"),
        ({"cadence": "dates", "dates": []}, "dates"),
        ({"cadence": "dates", "dates": [dt.date(2026, 11, 1)]}, "dates"),
        ({"cadence": "fortnightly"}, "cadence"),
    ],
)
def test_schedule_validation(allocation, clock, kwargs, field):
    clock.move_to(T0 + dt.timedelta(hours=3))
    log(allocation, 1)
    with pytest.raises(ApplicationError) as exc:
        contact_schedule_set(allocation=allocation, user=allocation.soo.user, **kwargs)
    assert field in exc.value.errors


def test_interval_schedule_next_due_from_last_completed_contact(allocation, clock, django_capture_on_commit_callbacks):
    clock.move_to(T0 + dt.timedelta(hours=3))
    log(allocation, 2)  # Mon 2 Nov 11:15 GMT
    plan = contact_schedule_set(allocation=allocation, user=allocation.soo.user, cadence="interval", interval_days=7)
    assert plan.next_contact_on == dt.date(2026, 11, 9)
    assert plan.next_contact_due_at == dt.datetime(2026, 11, 9, 0, 0, tzinfo=dt.UTC)  # midnight GMT
    assert plan.next_contact_overdue_at == dt.datetime(2026, 11, 10, 0, 0, tzinfo=dt.UTC)
    soo = allocation.soo.user

    def sweep(when):
        clock.move_to(when)
        with django_capture_on_commit_callbacks(execute=True):
            deadlines_sweep()
        return list(Notification.objects.filter(recipient=soo).order_by("id").values_list("kind", flat=True))

    assert sweep(dt.datetime(2026, 11, 8, 23, 59, tzinfo=dt.UTC)) == []
    assert sweep(dt.datetime(2026, 11, 9, 8, 0, tzinfo=dt.UTC)) == ["contact_due"]
    assert sweep(dt.datetime(2026, 11, 9, 18, 0, tzinfo=dt.UTC)) == ["contact_due"]
    assert sweep(dt.datetime(2026, 11, 10, 0, 0, tzinfo=dt.UTC)) == ["contact_due", "contact_overdue"]
    assert sweep(dt.datetime(2026, 11, 11, 0, 0, tzinfo=dt.UTC)) == ["contact_due", "contact_overdue"]

    # An attempt does not move the schedule; a completed contact does, and the next one is reminded again.
    log(allocation, (dt.datetime(2026, 11, 10, 23, tzinfo=dt.UTC) - T0).total_seconds() / 3600, outcome="attempted")
    plan.refresh_from_db()
    assert plan.next_contact_on == dt.date(2026, 11, 9)
    log(allocation, (dt.datetime(2026, 11, 10, 23, 30, tzinfo=dt.UTC) - T0).total_seconds() / 3600)
    plan.refresh_from_db()
    assert plan.next_contact_on == dt.date(2026, 11, 17)
    assert sweep(dt.datetime(2026, 11, 17, 9, 0, tzinfo=dt.UTC)) == ["contact_due", "contact_overdue", "contact_due"]


def test_listed_dates_schedule_and_decline_stops_reminders(allocation, clock, django_capture_on_commit_callbacks):
    clock.move_to(T0 + dt.timedelta(hours=3))
    log(allocation, 2)
    plan = contact_schedule_set(
        allocation=allocation,
        user=allocation.soo.user,
        cadence="dates",
        dates=[dt.date(2026, 11, 20), dt.date(2026, 11, 6), dt.date(2026, 11, 6)],
    )
    assert plan.dates == [dt.date(2026, 11, 6), dt.date(2026, 11, 20)]
    assert plan.next_contact_on == dt.date(2026, 11, 6)
    # A contact on a listed day satisfies that day; the next listed one is due.
    clock.move_to(dt.datetime(2026, 11, 6, 15, tzinfo=dt.UTC))
    log(allocation, (dt.datetime(2026, 11, 6, 14, tzinfo=dt.UTC) - T0).total_seconds() / 3600)
    plan.refresh_from_db()
    assert plan.next_contact_on == dt.date(2026, 11, 20)
    engagement_record(allocation=allocation, user=allocation.soo.user, engagement="declined")
    plan.refresh_from_db()
    assert plan.next_contact_on is None and plan.next_contact_due_at is None
    clock.move_to(dt.datetime(2026, 11, 25, tzinfo=dt.UTC))
    with django_capture_on_commit_callbacks(execute=True):
        deadlines_sweep()
    assert not Notification.objects.filter(kind__startswith="contact_").exists()


def test_scheduled_day_in_summer_time_starts_at_local_midnight(clock):
    clock.move_to(dt.datetime(2026, 3, 27, 10, tzinfo=dt.UTC))
    allocation = AllocationFactory()
    clock.move_to(dt.datetime(2026, 3, 27, 12, tzinfo=dt.UTC))
    contact_log(
        allocation=allocation,
        user=allocation.soo.user,
        contacted_at=dt.datetime(2026, 3, 27, 11, tzinfo=dt.UTC),
        method="video",
        outcome="completed",
    )
    plan = contact_schedule_set(allocation=allocation, user=allocation.soo.user, cadence="interval", interval_days=3)
    # Fri 27 Mar + 3 days = Mon 30 Mar, after the clocks went forward: local midnight is 23:00 UTC on the 29th.
    assert plan.next_contact_on == dt.date(2026, 3, 30)
    assert plan.next_contact_due_at == dt.datetime(2026, 3, 29, 23, 0, tzinfo=dt.UTC)
    assert plan.next_contact_overdue_at == dt.datetime(2026, 3, 30, 23, 0, tzinfo=dt.UTC)

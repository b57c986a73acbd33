"""Exactly once, against real PostgreSQL: concurrent sweeps, a crash mid-sweep, and a bounded query count."""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.core import mail
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oversight.contacts import sweep as sweep_module
from oversight.contacts.models import DeadlineEvent
from oversight.contacts.services import contact_log, contact_schedule_set
from oversight.contacts.sweep import deadlines_sweep
from oversight.models import Allocation
from ppda.models import Notification
from ppda.roles import Role
from tests.factories.contacts import AllocationFactory, FirstContactMetAllocationFactory
from tests.factories.directory import UserFactory


def _population(now):
    """Allocations in every state the sweep acts on, plus ones it must leave alone. Returns expected events."""
    UserFactory(roles=[Role.COORDINATOR])
    UserFactory(roles=[Role.COORDINATOR])
    for hours in (25, 30):
        AllocationFactory(allocated_at=now - dt.timedelta(hours=hours))  # 24-hour reminder
    AllocationFactory(allocated_at=now - dt.timedelta(hours=50))  # 48-hour reminder
    for hours in (73, 200):
        AllocationFactory(allocated_at=now - dt.timedelta(hours=hours))  # breach
    AllocationFactory(allocated_at=now - dt.timedelta(hours=2))  # nothing yet
    FirstContactMetAllocationFactory()  # met: nothing
    AllocationFactory(allocated_at=now - dt.timedelta(hours=90), status=Allocation.Status.ENDED)  # ended: nothing
    scheduled = AllocationFactory(allocated_at=now - dt.timedelta(days=9))
    contact_log(
        allocation=scheduled,
        user=scheduled.soo.user,
        contacted_at=now - dt.timedelta(days=9) + dt.timedelta(hours=1),
        method="phone",
        outcome="completed",
    )
    contact_schedule_set(allocation=scheduled, user=scheduled.soo.user, cadence="interval", interval_days=5)
    # Each SOO gets one per event; a breach also reaches both coordinators.
    return {"reminder_24h": 2, "reminder_48h": 1, "breach": 2, "contact_overdue": 1}, 2 + 1 + 2 * 3 + 1


def _assert_once(expected_events, expected_notifications):
    events = Counter(DeadlineEvent.objects.values_list("kind", flat=True))
    assert dict(events) == expected_events
    assert Notification.objects.count() == expected_notifications
    per_key = Counter(Notification.objects.values_list("recipient_id", "event_key"))
    assert set(per_key.values()) == {1}
    assert len(mail.outbox) == expected_notifications


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_on_two_connections_send_one_notification_per_event():
    now = timezone.now()
    expected_events, expected_notifications = _population(now)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(deadlines_sweep(now=now))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    # Each event was claimed by exactly one of the two (which one, or a split, depends on timing).
    assert len(results) == 2 and sum(r.notifications for r in results) == expected_notifications
    _assert_once(expected_events, expected_notifications)

    # And again, sequentially: a re-run claims nothing.
    assert deadlines_sweep(now=now).notifications == 0
    _assert_once(expected_events, expected_notifications)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_second_sweep_waits_for_the_first_and_sends_nothing(monkeypatch):
    """Force the worst interleaving: sweep B claims while sweep A has claimed but not yet committed."""
    now = timezone.now()
    expected_events, expected_notifications = _population(now)
    a_claimed, b_started = threading.Event(), threading.Event()
    real_notify = sweep_module._notify

    def slow_notify(claims):
        if threading.current_thread().name == "sweep-a":
            a_claimed.set()
            b_started.wait(timeout=10)
            threading.Event().wait(0.5)  # B is now blocked on A's uncommitted claim rows
        return real_notify(claims)

    monkeypatch.setattr(sweep_module, "_notify", slow_notify)
    results = {}

    def run(name):
        try:
            if name == "sweep-b":
                a_claimed.wait(timeout=10)
                b_started.set()
            results[name] = deadlines_sweep(now=now)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,), name=n) for n in ("sweep-a", "sweep-b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert results["sweep-a"].notifications == expected_notifications
    assert results["sweep-b"].notifications == 0
    _assert_once(expected_events, expected_notifications)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_crash_mid_sweep_rolls_back_the_claims_so_the_redelivered_task_sends_them(monkeypatch):
    """acks_late: the worker dies after claiming, before commit. Nothing is lost and nothing doubles."""
    now = timezone.now()
    expected_events, expected_notifications = _population(now)

    def crash(*, items):
        raise SystemExit("worker killed")

    monkeypatch.setattr(sweep_module, "notifications_send_bulk", crash)
    with pytest.raises(SystemExit):
        deadlines_sweep(now=now)
    assert DeadlineEvent.objects.count() == 0 and Notification.objects.count() == 0
    assert Allocation.objects.filter(breached_at__isnull=False).count() == 0
    monkeypatch.undo()

    assert deadlines_sweep(now=now).notifications == expected_notifications
    assert deadlines_sweep(now=now).notifications == 0
    _assert_once(expected_events, expected_notifications)


@pytest.mark.django_db
def test_sweep_runs_a_fixed_number_of_queries_whatever_the_number_of_allocations():
    def measure(copies):
        now = timezone.now()
        for _ in range(copies):
            _population(now)
        with CaptureQueriesContext(connection) as ctx:
            result = deadlines_sweep(now=now)
        assert result.notifications > 0
        DeadlineEvent.objects.all().delete()
        Notification.objects.all().delete()
        Allocation.objects.update(status=Allocation.Status.ENDED)
        return len(ctx.captured_queries)

    few, many = measure(1), measure(8)
    assert few == many == SWEEP_QUERIES


@pytest.mark.django_db
def test_idle_sweep_is_five_queries():
    AllocationFactory()
    FirstContactMetAllocationFactory()
    with CaptureQueriesContext(connection) as ctx:
        assert deadlines_sweep().notifications == 0
    assert len([q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]) == 5


# savepoint + 5 claims (each returning what to notify) + breach select/update/history + coordinators
# + notifications + release.
SWEEP_QUERIES = 12

"""Exactly once, against real PostgreSQL: concurrent sweeps, a crash mid-sweep, and a bounded query count."""

import datetime as dt
import threading
import time
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
from tests.factories.directory import UserFactory
from tests.factories.oversight import (
    AcceptedAllocationFactory,
    EndedAllocationFactory,
    FirstContactMetAllocationFactory,
)


def _population(now):
    """Allocations in every state the sweep acts on, plus ones it must leave alone. Returns expected events."""
    UserFactory(roles=[Role.COORDINATOR])
    UserFactory(roles=[Role.COORDINATOR])
    for hours in (25, 30):
        AcceptedAllocationFactory(allocated_at=now - dt.timedelta(hours=hours))  # 24-hour reminder
    AcceptedAllocationFactory(allocated_at=now - dt.timedelta(hours=50))  # 48-hour reminder
    for hours in (73, 200):
        AcceptedAllocationFactory(allocated_at=now - dt.timedelta(hours=hours))  # breach
    AcceptedAllocationFactory(allocated_at=now - dt.timedelta(hours=2))  # nothing yet
    FirstContactMetAllocationFactory()  # met: nothing
    EndedAllocationFactory(allocated_at=now - dt.timedelta(hours=90))  # ended: nothing
    scheduled = AcceptedAllocationFactory(allocated_at=now - dt.timedelta(days=9))
    contact_log(
        allocation=scheduled,
        user=scheduled.soo.user,
        contacted_at=now - dt.timedelta(days=9) + dt.timedelta(hours=1),
        method="phone",
        outcome="completed",
    )
    contact_schedule_set(allocation=scheduled, user=scheduled.soo.user, cadence="interval", interval_days=5)
    # Each SOO gets one per event; a breach and an overdue scheduled contact also reach both coordinators.
    return {"reminder_24h": 2, "reminder_48h": 1, "breach": 2, "contact_overdue": 1}, 2 + 1 + 2 * 3 + 1 * 3


def _assert_once(expected_events, expected_notifications):
    events = Counter(DeadlineEvent.objects.values_list("kind", flat=True))
    assert dict(events) == expected_events
    assert Notification.objects.count() == expected_notifications
    per_key = Counter(Notification.objects.values_list("recipient_id", "event_key"))
    assert set(per_key.values()) == {1}
    assert len(mail.outbox) == expected_notifications


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_on_two_connections_send_one_notification_per_event(monkeypatch):
    """Both sweeps are inside their transactions at the same moment, then race for the same claims."""
    now = timezone.now()
    expected_events, expected_notifications = _population(now)
    # Each sweep waits here, inside its open transaction and before its first claim, until the other has
    # arrived too: if the two did not overlap, the barrier times out and the test fails.
    inside = threading.Barrier(2, timeout=10)
    arrived = []
    real_claim = sweep_module._claim

    def claim_together(kind, allocations, due_on, now):
        if kind == DeadlineEvent.Kind.REMINDER_24H:
            assert connection.in_atomic_block  # the sweep's own transaction is open
            arrived.append(threading.current_thread().name)
            inside.wait()
        return real_claim(kind, allocations, due_on, now)

    monkeypatch.setattr(sweep_module, "_claim", claim_together)
    results, errors = [], []

    def run():
        try:
            results.append(deadlines_sweep(now=now))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, name=f"sweep-{n}") for n in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert sorted(arrived) == ["sweep-a", "sweep-b"]  # both were in the sweep at once
    # Each event was claimed by exactly one of the two (which one, or a split, depends on timing).
    assert len(results) == 2 and sum(r.notifications for r in results) == expected_notifications
    _assert_once(expected_events, expected_notifications)

    # And again, sequentially: a re-run claims nothing.
    monkeypatch.undo()
    assert deadlines_sweep(now=now).notifications == 0
    _assert_once(expected_events, expected_notifications)


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _blocked_by(pid: int, blocker: int, *, timeout: float = 10) -> bool:
    """Whether PostgreSQL reports backend `pid` waiting on a lock held by `blocker` (polled until timeout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s = ANY(pg_blocking_pids(%s))", [blocker, pid])
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.02)
    return False


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_second_sweep_waits_for_the_first_and_sends_nothing(monkeypatch):
    """Force the worst interleaving: sweep B claims while sweep A has claimed but not yet committed.

    A holds its uncommitted claims until PostgreSQL itself reports B's claim waiting on A's transaction,
    so the two provably overlap; B then finds every event claimed and sends nothing."""
    now = timezone.now()
    expected_events, expected_notifications = _population(now)
    a_claimed = threading.Event()
    pids, seen_blocked = {}, []
    real_notify = sweep_module._notify

    def slow_notify(claims):
        if threading.current_thread().name == "sweep-a":
            a_claimed.set()
            assert "sweep-b" in pids or _wait_for(lambda: "sweep-b" in pids)
            seen_blocked.append(_blocked_by(pids["sweep-b"], pids["sweep-a"]))
        return real_notify(claims)

    monkeypatch.setattr(sweep_module, "_notify", slow_notify)
    results, errors = {}, []

    def run(name):
        try:
            pids[name] = _backend_pid()
            if name == "sweep-b":
                assert a_claimed.wait(timeout=10), "sweep A never reached its notifications"
            results[name] = deadlines_sweep(now=now)
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    a = threading.Thread(target=run, args=("sweep-a",), name="sweep-a")
    a.start()
    assert _wait_for(lambda: "sweep-a" in pids)
    b = threading.Thread(target=run, args=("sweep-b",), name="sweep-b")
    b.start()
    for t in (a, b):
        t.join(timeout=30)
    assert errors == []
    assert seen_blocked == [True], "sweep B's claim was not seen waiting on sweep A's open transaction"
    assert results["sweep-a"].notifications == expected_notifications
    assert results["sweep-b"].notifications == 0
    _assert_once(expected_events, expected_notifications)


def _wait_for(condition, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


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
    AcceptedAllocationFactory()
    FirstContactMetAllocationFactory()
    with CaptureQueriesContext(connection) as ctx:
        assert deadlines_sweep().notifications == 0
    assert len([q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]) == 5


# savepoint + 5 claims (each returning what to notify) + breach select/update/history + who may not open
# each claimed case (cases.access.CaseRecipients, issue 17) + coordinators + notifications + release.
SWEEP_QUERIES = 13

"""The grace-period revocation: due access revoked once, against real PostgreSQL, even with two sweeps at once."""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case
from cases.selectors import cases_for_user
from oversight.closure import services as closure_services
from oversight.closure.models import ClosureAccessRevocation
from oversight.closure.services import case_close, closure_access_sweep
from oversight.closure.tasks import closure_access_sweep_task
from oversight.models import Allocation
from ppda.models import User
from tests.factories.closure import ActiveAllocationFactory, CompleteClosureFactory
from tests.factories.oversight import AcceptedAllocationFactory as AllocationFactory


def _closed(count=1):
    """`count` cases, each closed by its SOO just now. Returns the SOO users."""
    users = []
    for _ in range(count):
        allocation = ActiveAllocationFactory()
        CompleteClosureFactory(case=allocation.case)
        case_close(case=allocation.case, user=allocation.soo.user)
        users.append(allocation.soo.user)
    return users


def _sees(user) -> bool:
    return cases_for_user(User.objects.get(pk=user.pk)).exists()


@pytest.mark.django_db
def test_access_lasts_the_grace_period_then_is_revoked_once(settings):
    settings.CLOSURE_ACCESS_GRACE_DAYS = 14
    (soo,) = _closed()
    now = timezone.now()
    assert closure_access_sweep(now=now + dt.timedelta(days=13, hours=23)).revoked == 0
    assert _sees(soo)
    result = closure_access_sweep(now=now + dt.timedelta(days=14, minutes=1))
    assert result.revoked == 1 and not _sees(soo)
    assert ClosureAccessRevocation.objects.get().revoked_at is not None
    # A re-run (or a redelivered task) finds nothing to do.
    assert closure_access_sweep(now=now + dt.timedelta(days=30)).revoked == 0


@pytest.mark.django_db
def test_a_zero_day_grace_period_is_revoked_at_the_next_sweep(settings):
    settings.CLOSURE_ACCESS_GRACE_DAYS = 0
    (soo,) = _closed()
    assert closure_access_sweep_task() == {"revoked": 1, "kept": 0}
    assert not _sees(soo)


@pytest.mark.django_db
def test_only_the_closing_soos_grant_on_that_case_goes(settings):
    settings.CLOSURE_ACCESS_GRACE_DAYS = 0
    (soo,) = _closed()
    other = AllocationFactory(soo=soo.staff)  # the same SOO, another live case
    closure_access_sweep()
    assert list(cases_for_user(User.objects.get(pk=soo.pk))) == [other.case]


@pytest.mark.django_db
def test_an_soo_allocated_the_case_again_keeps_the_grant(settings):
    settings.CLOSURE_ACCESS_GRACE_DAYS = 0
    (soo,) = _closed()
    case = Case.objects.get(allocations__soo=soo.staff)
    # The case is reopened and given to the same SOO again before the sweep runs.
    Case.objects.filter(pk=case.pk).update(status=Case.Status.ACTIVE)
    AllocationFactory(case=case, soo=soo.staff)
    result = closure_access_sweep()
    assert (result.revoked, result.kept) == (0, 1) and _sees(soo)
    assert ClosureAccessRevocation.objects.get().revoked_at is not None  # claimed: not looked at again


@pytest.mark.django_db
def test_the_sweep_runs_a_fixed_number_of_queries_and_catches_up_in_batches(settings):
    settings.CLOSURE_ACCESS_GRACE_DAYS = 0
    _closed(2)

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            result = closure_access_sweep(batch=100)
        return len(ctx.captured_queries), result.revoked

    few = measure()
    _closed(5)
    many = measure()
    assert few[1] == 2 and many[1] == 5 and few[0] == many[0]
    _closed(5)
    assert closure_access_sweep(batch=2).revoked == 5  # three batches: nothing left behind
    assert not ClosureAccessRevocation.objects.filter(revoked_at__isnull=True).exists()


# -- Two sweeps at once, on two database connections ----------------------------------------------------------


def _count_deletes(monkeypatch):
    """Count, across threads, how often each (case, staff) grant is deleted."""
    deleted, lock = Counter(), threading.Lock()
    real = closure_services._grants_delete

    def counting(pairs):
        with lock:
            deleted.update(pairs)
        real(pairs)

    monkeypatch.setattr(closure_services, "_grants_delete", counting)
    return deleted, real


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_revoke_each_grant_once(settings, monkeypatch):
    settings.CLOSURE_ACCESS_GRACE_DAYS = 0
    soos = _closed(6)
    deleted, _ = _count_deletes(monkeypatch)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(closure_access_sweep())
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert sum(r.revoked for r in results) == 6
    assert set(deleted.values()) == {1} and len(deleted) == 6
    assert not any(_sees(s) for s in soos)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_sweep_during_another_sweeps_open_claim_revokes_nothing(settings, monkeypatch):
    """The overlap, forced: sweep B runs from start to end while sweep A holds its claims uncommitted.

    B skips A's locked rows (it does not wait for them), so it finishes first with nothing revoked; A then
    commits and has revoked everything. Each grant was deleted once."""
    settings.CLOSURE_ACCESS_GRACE_DAYS = 0
    soos = _closed(3)
    deleted, real = _count_deletes(monkeypatch)
    a_claimed, b_done = threading.Event(), threading.Event()
    results = {}

    def slow(pairs):
        if threading.current_thread().name == "sweep-a":
            a_claimed.set()
            assert b_done.wait(timeout=10), "sweep B did not finish while A held its claim"
        deleted.update(pairs)
        real(pairs)

    monkeypatch.setattr(closure_services, "_grants_delete", slow)

    def run(name):
        try:
            if name == "sweep-b":
                assert a_claimed.wait(timeout=10)
            results[name] = closure_access_sweep()
            # Still inside A's open transaction window: A has claimed but not committed.
            if name == "sweep-b":
                results["b_saw_open_claims"] = ClosureAccessRevocation.objects.filter(revoked_at__isnull=True).count()
                b_done.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,), name=n) for n in ("sweep-a", "sweep-b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert results["sweep-b"].revoked == 0
    assert results["b_saw_open_claims"] == 3  # A's claim was not yet committed while B ran: a real overlap
    assert results["sweep-a"].revoked == 3
    assert set(deleted.values()) == {1} and len(deleted) == 3
    assert not any(_sees(s) for s in soos)
    assert ClosureAccessRevocation.objects.filter(revoked_at__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_crash_mid_sweep_rolls_the_claim_back_so_the_next_sweep_revokes(settings, monkeypatch):
    settings.CLOSURE_ACCESS_GRACE_DAYS = 0
    (soo,) = _closed()

    def crash(pairs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(closure_services, "_grants_delete", crash)
    with pytest.raises(SystemExit):
        closure_access_sweep()
    assert ClosureAccessRevocation.objects.get().revoked_at is None and _sees(soo)
    monkeypatch.undo()
    assert closure_access_sweep().revoked == 1 and not _sees(soo)
    assert Allocation.objects.get(soo=soo.staff).status == Allocation.Status.ENDED

"""Two coordinators allocate the same case at the same moment, each on its own database connection:
exactly one succeeds; the other is told clearly and nothing half-written is left behind."""

import threading

import pytest
from django.db import connection

from cases.models import Case
from oversight.allocation.services import allocation_create
from oversight.models import Allocation
from ppda.errors import ApplicationError
from ppda.models import Notification
from ppda.roles import Role
from tests.factories.directory import UserFactory
from tests.factories.oversight import soo_with_user, triaged_case_with_parties


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_coordinators_allocating_at_once_exactly_one_succeeds():
    case = triaged_case_with_parties()
    coordinators = [UserFactory(roles=[Role.COORDINATOR]) for _ in range(2)]
    soos = [soo_with_user(), soo_with_user()]
    barrier = threading.Barrier(2)
    results: dict[int, object] = {}
    backends: set[int] = set()

    def allocate(i: int) -> None:
        try:
            with connection.cursor() as cursor:  # each thread has its own connection
                cursor.execute("SELECT pg_backend_pid()")
                backends.add(cursor.fetchone()[0])
            barrier.wait(timeout=10)
            results[i] = allocation_create(case=case, soo=soos[i], by=coordinators[i])
        except ApplicationError as e:
            results[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=allocate, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert len(backends) == 2, "two real database connections"
    won = [r for r in results.values() if isinstance(r, Allocation)]
    lost = [r for r in results.values() if isinstance(r, ApplicationError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert "already been allocated" in lost[0].message or "a moment ago" in lost[0].message
    assert Allocation.objects.filter(case=case).count() == 1
    live = Allocation.objects.get(case=case)
    assert live.pk == won[0].pk
    assert Case.objects.get(pk=case.pk).status == Case.Status.ALLOCATED
    # Only the winner's SOO was notified.
    assert list(Notification.objects.filter(kind="allocation").values_list("recipient__staff_id", flat=True)) == [
        live.soo_id
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_constraint_backs_the_lock():
    """Even without the row lock, the partial unique index refuses a second live allocation."""
    from django.db import IntegrityError, transaction

    from tests.factories.oversight import AllocationFactory

    case = triaged_case_with_parties()
    AllocationFactory(case=case)
    with pytest.raises(IntegrityError), transaction.atomic():
        AllocationFactory(case=case)

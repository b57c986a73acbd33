"""The allocation state factories build what the allocation services produce: each state made both ways,
compared on the allocation's fields, the case's status and the SOO's grant."""

import datetime as dt

import pytest
from django.utils import timezone

from oversight.allocation.services import allocation_accept, allocation_create, allocation_decline, allocation_end
from oversight.models import FIRST_CONTACT_HOURS
from ppda.models import User
from ppda.roles import Role, has_role
from tests.factories.oversight import (
    AcceptedAllocationFactory,
    AllocationFactory,
    DeclinedAllocationFactory,
    EndedAllocationFactory,
    PendingAllocationFactory,
    soo_with_user,
    triaged_case_with_parties,
)

pytestmark = pytest.mark.django_db


def facts(allocation) -> dict:
    """What a state is made of (not the ids or the exact times, which differ by construction)."""
    allocation.refresh_from_db()
    case = allocation.case
    soo_user = User.objects.get(staff=allocation.soo)  # re-read: guardian caches permissions on the instance
    now = timezone.now()
    times = [t for t in (allocation.allocated_at, allocation.responded_at, allocation.ended_at) if t is not None]
    return {
        "status": allocation.status,
        "responded": allocation.responded_at is not None,
        "no_conflict_declaration": allocation.no_conflict_declaration,
        "declined_with_reason": bool(allocation.decline_reason),
        "ended": allocation.ended_at is not None,
        "ended_with_reason": bool(allocation.end_reason),
        "breached_or_met": (allocation.breached_at, allocation.first_contact_met_at),
        "first_contact_due_after": allocation.first_contact_due - allocation.allocated_at,
        "allocated_by_a_coordinator": has_role(allocation.allocated_by, Role.COORDINATOR),
        "times_in_order_and_not_future": times == sorted(times) and times[-1] <= now,
        "case": (case.status, case.needs_reallocation),
        "soo_is_an_soo": has_role(soo_user, Role.SOO),
        "soo_holds_the_case_grant": soo_user.has_perm("cases.view_case", case),
    }


@pytest.fixture
def allocated(coordinator):
    """Make an allocation through the service (pending); returns it and the coordinator who made it."""

    def make():
        allocation = allocation_create(case=triaged_case_with_parties(), soo=soo_with_user(), by=coordinator)
        return allocation, coordinator

    return make


def test_pending_is_what_allocation_create_leaves(allocated):
    by_service, _ = allocated()
    assert facts(PendingAllocationFactory()) == facts(by_service)
    assert facts(by_service)["case"] == ("allocated", False) and facts(by_service)["soo_holds_the_case_grant"]


def test_the_base_factory_is_pending():
    assert facts(AllocationFactory()) == facts(PendingAllocationFactory())


def test_accepted_is_what_allocation_accept_leaves(allocated):
    allocation, _ = allocated()
    by_service = allocation_accept(allocation=allocation, by=allocation.soo.user)
    assert facts(AcceptedAllocationFactory()) == facts(by_service)
    assert facts(by_service)["case"] == ("active", False) and facts(by_service)["soo_holds_the_case_grant"]


def test_declined_is_what_allocation_decline_leaves(allocated):
    allocation, _ = allocated()
    by_service = allocation_decline(allocation=allocation, by=allocation.soo.user, reason="I know the suspect.")
    assert facts(DeclinedAllocationFactory()) == facts(by_service)
    assert facts(by_service)["case"] == ("triaged", True) and not facts(by_service)["soo_holds_the_case_grant"]


def test_ended_is_what_allocation_end_leaves_after_acceptance(allocated):
    allocation, coordinator = allocated()
    allocation_accept(allocation=allocation, by=allocation.soo.user)
    by_service = allocation_end(allocation=allocation, by=coordinator, reason="The SOO is on long-term leave.")
    assert facts(EndedAllocationFactory()) == facts(by_service)
    assert facts(by_service)["case"] == ("triaged", True) and not facts(by_service)["soo_holds_the_case_grant"]


def test_a_given_case_is_moved_as_the_service_moves_it_unless_told_not_to():
    case = triaged_case_with_parties()
    AcceptedAllocationFactory(case=case)
    case.refresh_from_db()
    assert case.status == "active"
    closed = triaged_case_with_parties(status="closed")
    EndedAllocationFactory(case=closed, case_state=False)
    closed.refresh_from_db()
    assert closed.status == "closed"


def test_first_contact_is_due_72_hours_after_allocation():
    allocation = AcceptedAllocationFactory(allocated_at=timezone.now() - dt.timedelta(days=3))
    assert allocation.first_contact_due - allocation.allocated_at == dt.timedelta(hours=FIRST_CONTACT_HOURS)

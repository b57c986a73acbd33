"""Allocation services: who may, from which state, rules rechecked at write time, access granted and revoked."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cases.models import Case, ConflictDeclaration
from cases.selectors import cases_for_user
from oversight.allocation.services import (
    allocation_accept,
    allocation_create,
    allocation_decline,
    allocation_end,
    conflict_declaration_create,
)
from oversight.models import Allocation
from ppda.errors import ApplicationError
from ppda.models import Notification, User
from ppda.roles import Role
from tests.factories.cases import CaseFactory
from tests.factories.directory import PsdDepartmentFactory, StaffMemberFactory, UserFactory
from tests.factories.oversight import soo_with_user, triaged_case_with_parties

pytestmark = pytest.mark.django_db


def fresh(user):
    """Re-read the user: guardian caches permissions on the instance (PITFALLS.md)."""
    return User.objects.get(pk=user.pk)


def visible(user, case) -> bool:
    return cases_for_user(fresh(user)).filter(pk=case.pk).exists()


@pytest.fixture
def case():
    return triaged_case_with_parties()


@pytest.fixture
def soo():
    return soo_with_user()


def test_allocate_moves_case_grants_access_sets_deadline_and_notifies(case, soo, coordinator):
    assert not visible(soo.user, case)
    with time_machine.travel(dt.datetime(2026, 3, 28, 1, 30, tzinfo=dt.UTC), tick=False):
        allocation = allocation_create(case=case, soo=soo, by=coordinator)
    assert allocation.status == Allocation.Status.PENDING
    assert allocation.allocated_at == dt.datetime(2026, 3, 28, 1, 30, tzinfo=dt.UTC)
    # 72 elapsed hours in UTC, across the clocks going forward on 29 March 2026.
    assert allocation.first_contact_due == dt.datetime(2026, 3, 31, 1, 30, tzinfo=dt.UTC)
    assert allocation.allocated_by == coordinator
    case.refresh_from_db()
    assert (case.status, case.needs_reallocation) == (Case.Status.ALLOCATED, False)
    assert visible(soo.user, case)
    note = Notification.objects.get(recipient=soo.user)
    assert note.case_reference == case.reference
    assert note.link == f"/oversight/allocations/{allocation.public_id}/respond/"
    assert note.event_key == f"allocation:{allocation.public_id}"
    for party in case.parties.all():
        for identifier in (party.first_name, party.last_name, party.staff and party.staff.last_name):
            if identifier:
                assert identifier not in note.message


def test_only_a_coordinator_may_allocate(case, soo):
    for user in (soo.user, UserFactory(roles=[Role.AUDITOR]), UserFactory(is_superuser=True, is_staff=True)):
        with pytest.raises(PermissionDenied):
            allocation_create(case=case, soo=soo, by=user)
    assert not Allocation.objects.exists()


def test_coordinator_who_is_a_party_cannot_allocate(case, soo):
    suspect_staff = case.parties.get(role="suspect").staff
    coordinator = UserFactory(staff=suspect_staff, roles=[Role.COORDINATOR])
    with pytest.raises(ApplicationError):
        allocation_create(case=case, soo=soo, by=coordinator)


@pytest.mark.parametrize("status", [Case.Status.RECEIVED, Case.Status.CLOSED])
def test_only_triaged_cases(status, soo, coordinator):
    case = triaged_case_with_parties(status=status)
    with pytest.raises(ApplicationError, match="only a triaged case"):
        allocation_create(case=case, soo=soo, by=coordinator)
    assert not Allocation.objects.exists()


def test_reopened_case_can_be_allocated(soo, coordinator):
    case = triaged_case_with_parties(status=Case.Status.REOPENED)
    allocation_create(case=case, soo=soo, by=coordinator)


def test_second_allocation_is_refused_with_a_clear_message(case, soo, coordinator):
    allocation_create(case=case, soo=soo, by=coordinator)
    with pytest.raises(ApplicationError, match="already been allocated"):
        allocation_create(case=case, soo=soo_with_user(), by=coordinator)
    assert Allocation.objects.count() == 1


def test_hard_exclusion_is_refused_even_with_reasons(case, coordinator):
    psd = soo_with_user(department=PsdDepartmentFactory())
    with pytest.raises(ApplicationError, match="works in PSD"):
        allocation_create(case=case, soo=psd, by=coordinator, overrides={"psd_acu": "No one else"})
    case.refresh_from_db()
    assert case.status == Case.Status.TRIAGED and not Allocation.objects.exists()
    assert not visible(psd.user, case)


def test_soft_exclusion_needs_a_reason_per_rule(case, coordinator):
    soo = soo_with_user(district=case.incident_district)
    for _ in range(3):
        other = triaged_case_with_parties()
        allocation_create(case=other, soo=soo, by=coordinator, overrides={"incident_district": "fine"})
    with pytest.raises(ApplicationError) as e:
        allocation_create(case=case, soo=soo, by=coordinator, overrides={"incident_district": "Only one available"})
    assert e.value.missing_reasons == ["capacity"]
    allocation = allocation_create(
        case=case,
        soo=soo,
        by=coordinator,
        overrides={"incident_district": "Only one available", "capacity": "Agreed with them by phone", "junk": "x"},
    )
    assert allocation.overrides == [
        {
            "rule": "incident_district",
            "exclusion": f"same district as the incident ({case.incident_district.name})",
            "reason": "Only one available",
        },
        {"rule": "capacity", "exclusion": "at capacity: 3 open cases (limit 3)", "reason": "Agreed with them by phone"},
    ]


def test_blank_reason_is_no_reason(case, coordinator):
    soo = soo_with_user(district=case.incident_district)
    with pytest.raises(ApplicationError):
        allocation_create(case=case, soo=soo, by=coordinator, overrides={"incident_district": "   "})


def test_rules_are_rechecked_at_write_time(case, soo, coordinator):
    """Suitable when the page was drawn, moved to PSD before the coordinator pressed Allocate: refused."""
    soo.department = PsdDepartmentFactory()
    soo.save()
    with pytest.raises(ApplicationError, match="works in PSD"):
        allocation_create(case=case, soo=soo, by=coordinator)


def test_constable_cannot_be_allocated(case, coordinator):
    with pytest.raises(ApplicationError, match="not a chief inspector"):
        allocation_create(case=case, soo=StaffMemberFactory(), by=coordinator)


def test_accept_stores_declaration_and_time(case, soo, coordinator):
    allocation = allocation_create(case=case, soo=soo, by=coordinator)
    with time_machine.travel(dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC), tick=False):
        allocation_accept(allocation=allocation, by=soo.user, declaration="I know no one here.")
    allocation.refresh_from_db()
    assert allocation.status == Allocation.Status.ACCEPTED
    assert allocation.no_conflict_declaration == "I know no one here."
    assert allocation.responded_at == dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)
    case.refresh_from_db()
    assert case.status == Case.Status.ACTIVE
    assert visible(soo.user, case)
    with pytest.raises(ApplicationError, match="already responded"):
        allocation_accept(allocation=allocation, by=soo.user)


def test_only_the_allocated_soo_may_respond(case, soo, coordinator):
    allocation = allocation_create(case=case, soo=soo, by=coordinator)
    other = soo_with_user()
    for user in (other.user, coordinator):
        with pytest.raises(ApplicationError, match="not yours"):
            allocation_accept(allocation=allocation, by=user)
        with pytest.raises(ApplicationError, match="not yours"):
            allocation_decline(allocation=allocation, by=user, reason="x")


def test_decline_with_conflict_returns_case_and_stores_declaration(case, soo, coordinator):
    second_coordinator = UserFactory(roles=[Role.COORDINATOR])
    allocation = allocation_create(case=case, soo=soo, by=coordinator)
    victim = case.parties.get(role="victim")
    suspect = case.parties.get(role="suspect")
    allocation_decline(
        allocation=allocation, by=soo.user, reason="I know them both socially.", conflict_with=[victim, suspect]
    )
    allocation.refresh_from_db()
    assert allocation.status == Allocation.Status.DECLINED
    assert allocation.decline_reason == "I know them both socially."
    assert allocation.responded_at is not None
    case.refresh_from_db()
    assert (case.status, case.needs_reallocation) == (Case.Status.TRIAGED, True)
    assert not visible(soo.user, case)
    declarations = ConflictDeclaration.objects.filter(
        declarer=soo, source=ConflictDeclaration.Source.DECLINED_ALLOCATION
    )
    assert {(d.against_staff_id, d.against_normalised_name, d.against_date_of_birth) for d in declarations} == {
        (None, victim.normalised_name, victim.date_of_birth),
        (suspect.staff_id, "", None),
    }
    assert all(d.source_case == case and d.recorded_by == soo.user for d in declarations)
    # Coordinators are told (reference and link only); the declining SOO is now excluded for good.
    assert set(Notification.objects.filter(kind="allocation_declined").values_list("recipient", flat=True)) == {
        coordinator.pk,
        second_coordinator.pk,
    }
    # Back in the inbox: it can be allocated again, and the decliner is hard-excluded.
    with pytest.raises(ApplicationError, match="declared a conflict with the victim"):
        allocation_create(case=case, soo=soo, by=coordinator)
    allocation_create(case=case, soo=soo_with_user(), by=coordinator)


def test_decline_without_conflict_needs_a_reason_and_stores_no_declaration(case, soo, coordinator):
    allocation = allocation_create(case=case, soo=soo, by=coordinator)
    with pytest.raises(ApplicationError, match="Say why"):
        allocation_decline(allocation=allocation, by=soo.user, reason="  ")
    allocation_decline(allocation=allocation, by=soo.user, reason="On a course for three weeks.")
    assert not ConflictDeclaration.objects.exists()
    # Declining for another reason is a soft exclusion next time.
    with pytest.raises(ApplicationError, match="declined this case"):
        allocation_create(case=case, soo=soo, by=coordinator)


def test_decline_cannot_name_a_party_from_another_case(case, soo, coordinator):
    allocation = allocation_create(case=case, soo=soo, by=coordinator)
    stranger = triaged_case_with_parties().parties.first()
    with pytest.raises(ApplicationError):
        allocation_decline(allocation=allocation, by=soo.user, reason="x", conflict_with=[stranger])
    allocation.refresh_from_db()
    assert allocation.status == Allocation.Status.PENDING
    assert not ConflictDeclaration.objects.exists()


def test_reallocation_ends_old_access_and_starts_a_new_72_hours(case, soo, coordinator):
    first = allocation_create(case=case, soo=soo, by=coordinator)
    allocation_accept(allocation=first, by=soo.user)
    new_soo = soo_with_user()
    later = timezone.now() + dt.timedelta(days=10)
    with time_machine.travel(later, tick=False):
        allocation_end(allocation=first, by=coordinator, reason="Long-term sick leave")
        second = allocation_create(case=case, soo=new_soo, by=coordinator)
    first.refresh_from_db()
    assert (first.status, first.end_reason) == (Allocation.Status.ENDED, "Long-term sick leave")
    assert second.first_contact_due == later + dt.timedelta(hours=72)
    assert not visible(soo.user, case)
    assert visible(new_soo.user, case)
    assert Notification.objects.filter(recipient=soo.user, kind="allocation_ended").exists()


def test_end_for_closure_keeps_case_status(case, soo, coordinator):
    allocation = allocation_create(case=case, soo=soo, by=coordinator)
    allocation_end(allocation=allocation, by=coordinator, reason="Case closed", reallocate=False)
    case.refresh_from_db()
    assert case.status == Case.Status.ALLOCATED and not case.needs_reallocation
    assert not visible(soo.user, case)
    with pytest.raises(ApplicationError, match="already ended"):
        allocation_end(allocation=allocation, by=coordinator, reason="again")


def test_only_coordinators_end_allocations(case, soo, coordinator):
    allocation = allocation_create(case=case, soo=soo, by=coordinator)
    with pytest.raises(PermissionDenied):
        allocation_end(allocation=allocation, by=soo.user, reason="x")


def test_standing_declarations(soo, coordinator):
    colleague = StaffMemberFactory()
    d = conflict_declaration_create(declarer=soo, by=soo.user, reason="Old friend", against_staff=colleague)
    assert (d.against_staff, d.source, d.recorded_by) == (colleague, ConflictDeclaration.Source.STANDING, soo.user)
    d = conflict_declaration_create(
        declarer=soo,
        by=soo.user,
        reason="Neighbour",
        first_name="Zoë",
        last_name="O'Neill",
        date_of_birth=dt.date(1980, 2, 3),
    )
    assert (d.against_normalised_name, d.against_date_of_birth) == ("zoe o neill", dt.date(1980, 2, 3))
    with pytest.raises(ApplicationError, match="already declared"):
        conflict_declaration_create(declarer=soo, by=soo.user, reason="x", against_staff=colleague)
    # An SOO only for themselves; a coordinator for anyone.
    other = soo_with_user()
    with pytest.raises(ApplicationError, match="only for yourself"):
        conflict_declaration_create(declarer=other, by=soo.user, reason="x", against_staff=colleague)
    conflict_declaration_create(declarer=other, by=coordinator, reason="Told me by phone", against_staff=colleague)
    with pytest.raises(ApplicationError, match="name and date of birth"):
        conflict_declaration_create(declarer=soo, by=soo.user, reason="x", first_name="Sam", last_name="Lee")
    with pytest.raises(ApplicationError, match="someone else"):
        conflict_declaration_create(declarer=soo, by=soo.user, reason="x", against_staff=soo)
    assert ConflictDeclaration.objects.count() == 3


def test_unallocatable_case_is_untouched_on_error(soo, coordinator):
    case = CaseFactory()
    with pytest.raises(ApplicationError):
        allocation_create(case=case, soo=soo, by=coordinator)
    assert not Notification.objects.exists()

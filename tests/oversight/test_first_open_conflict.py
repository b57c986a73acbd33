"""A conflict declared on first opening a case (issue 17, defects 2 and 3).

The declarations page shows only what the declarer themself said, never the case's other parties; an SOO who
declares a conflict on receipt no longer holds the allocation, and the case goes back for reallocation."""

import pytest
from django.urls import reverse

from cases.models import Case
from cases.selectors import VIEW_CASE, cases_for_user
from oversight.allocation.services import conflict_declaration_create
from oversight.models import Allocation
from ppda.models import Notification
from ppda.permissions import user_has_object_perm
from ppda.roles import Role
from tests.factories.cases import CivilianVictimFactory, PoliceSuspectFactory
from tests.factories.directory import UserFactory
from tests.factories.oversight import PendingAllocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending():
    allocation = PendingAllocationFactory()
    victim = CivilianVictimFactory(case=allocation.case)
    suspect = PoliceSuspectFactory(case=allocation.case)
    return allocation, victim, suspect


def _declare_conflict(client, case):
    response = client.post(
        reverse("cases:declare", args=[case.public_id]), {"kind": "conflict", "note": "I know one of them"}
    )
    assert response.status_code == 302
    return response


def _identifiers(case, victim, suspect) -> list[str]:
    return [
        case.reference,
        victim.first_name,
        victim.last_name,
        victim.date_of_birth.strftime("%-d %B %Y"),
        suspect.staff.first_name,
        suspect.staff.last_name,
        suspect.staff.employee_number,
    ]


def test_the_declarations_page_never_names_the_parties_of_a_case_declared_on_first_open(
    pending, verified_client, coordinator
):
    allocation, victim, suspect = pending
    client = verified_client(allocation.soo.user)
    _declare_conflict(client, allocation.case)
    body = client.get(reverse("oversight:declarations")).content.decode()
    assert "declared a conflict on opening" in body
    for value in _identifiers(allocation.case, victim, suspect):
        assert value.lower() not in body.lower(), value


def test_a_declaration_recorded_for_an_soo_by_a_coordinator_does_not_name_the_person_to_them(
    pending, verified_client, coordinator
):
    allocation, victim, _ = pending
    soo_user = allocation.soo.user
    conflict_declaration_create(
        declarer=allocation.soo,
        by=coordinator,
        reason="Told us by phone",
        first_name=victim.first_name,
        last_name=victim.last_name,
        date_of_birth=victim.date_of_birth,
    )
    body = verified_client(soo_user).get(reverse("oversight:declarations")).content.decode()
    assert "Recorded for you by a coordinator" in body
    assert victim.first_name.lower() not in body.lower()
    # What the SOO declared themself they see as they wrote it.
    conflict_declaration_create(
        declarer=allocation.soo,
        by=soo_user,
        reason="A neighbour",
        first_name="Ottoline",
        last_name="Farrant",
        date_of_birth=victim.date_of_birth,
    )
    assert "Ottoline Farrant" in verified_client(soo_user).get(reverse("oversight:declarations")).content.decode()


def test_an_soo_who_declares_a_conflict_on_receipt_no_longer_holds_the_allocation(
    pending, verified_client, coordinator
):
    allocation, _, _ = pending
    soo_user = allocation.soo.user
    other_coordinator = UserFactory(roles=[Role.COORDINATOR])
    _declare_conflict(verified_client(soo_user), allocation.case)

    allocation.refresh_from_db()
    case = Case.objects.get(pk=allocation.case.pk)
    assert allocation.status not in Allocation.LIVE
    assert case.status == Case.Status.TRIAGED and case.needs_reallocation
    assert not user_has_object_perm(soo_user, VIEW_CASE, case)
    assert not cases_for_user(soo_user).filter(pk=case.pk).exists()
    for user in (coordinator, other_coordinator):
        note = Notification.objects.get(recipient=user, kind="allocation_conflict")
        assert note.case_reference == case.reference
        assert note.link == reverse("oversight:allocate", args=[case.public_id])
    assert not Notification.objects.filter(recipient=soo_user, kind="allocation_conflict").exists()

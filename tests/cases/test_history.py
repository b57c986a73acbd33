"""History lookup: the same person by staff record, or by name AND date of birth - never by name alone."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Party
from cases.selectors import case_history
from tests.factories.cases import CaseFactory, CivilianVictimFactory, PoliceSuspectFactory, PoliceVictimFactory
from tests.factories.directory import ChiefInspectorFactory, StaffMemberFactory, UserFactory
from tests.factories.oversight import EndedAllocationFactory

pytestmark = pytest.mark.django_db


def earlier(days: int, **kwargs):
    return CaseFactory(received_at=timezone.now() - dt.timedelta(days=days), **kwargs)


def civilian(case, role=Party.Role.VICTIM, first="Jordan", last="Testcase", dob=dt.date(1985, 3, 2)):
    return CivilianVictimFactory(
        case=case,
        role=role,
        first_name=first,
        last_name=last,
        date_of_birth=dob,
        normalised_name=f"{first} {last}".lower(),
    )


def test_finds_earlier_cases_by_staff_record():
    officer = StaffMemberFactory()
    old_as_suspect = earlier(800)
    PoliceSuspectFactory(case=old_as_suspect, staff=officer)
    old_as_victim = earlier(400)
    PoliceVictimFactory(case=old_as_victim, staff=officer)
    unrelated = earlier(300)
    PoliceSuspectFactory(case=unrelated)
    case = CaseFactory()
    PoliceSuspectFactory(case=case, staff=officer)

    history = case_history(case=case)
    assert [h.pk for h in history] == [old_as_victim.pk, old_as_suspect.pk]
    assert history[0].matched_roles == ["Victim"]
    assert history[1].matched_roles == ["Suspect / perpetrator"]


def test_finds_earlier_cases_by_normalised_name_and_date_of_birth():
    old = earlier(500)
    civilian(old, first="Jordan", last="Testcase")
    case = CaseFactory()
    party = civilian(case, first="JORDAN ", last="test-case")
    party.normalised_name = "jordan test case"
    party.save()
    Party.objects.filter(case=old).update(normalised_name="jordan test case")
    assert [h.pk for h in case_history(case=case)] == [old.pk]


def test_does_not_match_by_name_alone():
    same_name_other_dob = earlier(500)
    civilian(same_name_other_dob, dob=dt.date(1985, 3, 3))
    same_name_no_dob = earlier(400)
    civilian(same_name_no_dob, dob=None)
    case = CaseFactory()
    civilian(case)
    assert case_history(case=case) == []
    # And a party without a date of birth matches nothing by name.
    case_no_dob = CaseFactory()
    civilian(case_no_dob, dob=None)
    assert case_history(case=case_no_dob) == []


def test_a_civilian_name_never_matches_a_staff_party():
    officer = StaffMemberFactory(first_name="Jordan", last_name="Testcase")
    old = earlier(100)
    PoliceVictimFactory(case=old, staff=officer)
    case = CaseFactory()
    civilian(case)
    assert case_history(case=case) == []


def test_history_carries_status_outcome_and_latest_soo(django_assert_max_num_queries):
    officer = StaffMemberFactory()
    coordinator = UserFactory()
    cases = []
    for i in range(3):
        old = earlier(900 - i * 100, status="closed", outcome="No further action")
        PoliceSuspectFactory(case=old, staff=officer)
        first = ChiefInspectorFactory(first_name=f"First{i}", last_name="Soo")
        latest = ChiefInspectorFactory(first_name=f"Latest{i}", last_name="Soo")
        at = old.received_at + dt.timedelta(days=1)
        # Reallocated from the first SOO to the latest, whose allocation ended when the case closed
        # (case_state=False: the case stays closed, as the case service left it).
        EndedAllocationFactory(case=old, soo=first, allocated_at=at, allocated_by=coordinator, case_state=False)
        EndedAllocationFactory(
            case=old,
            soo=latest,
            allocated_at=at + dt.timedelta(days=2),
            allocated_by=coordinator,
            end_reason="Case closed",
            case_state=False,
        )
        cases.append(old)
    case = CaseFactory()
    PoliceSuspectFactory(case=case, staff=officer)
    with django_assert_max_num_queries(3):
        history = case_history(case=case)
    assert [h.soo_name for h in history] == ["Latest2 Soo", "Latest1 Soo", "Latest0 Soo"]
    assert {(h.status, h.outcome) for h in history} == {("closed", "No further action")}


def test_history_respects_need_to_know(soo_user):
    officer = StaffMemberFactory()
    old = earlier(100)
    PoliceSuspectFactory(case=old, staff=officer)
    case = CaseFactory()
    PoliceSuspectFactory(case=case, staff=officer)
    assert [h.pk for h in case_history(case=case)] == [old.pk]
    # An SOO who may see this case but not the earlier one is not shown it.
    assert case_history(case=case, user=soo_user) == []

"""A small known data set (four cases), every figure of which is worked out by hand in test_selectors.py."""

import datetime as dt

import pytest

from cases.models import Case
from oversight.closure.models import CaseClosure
from oversight.contacts.models import Contact, ContactPlan
from oversight.update_form.models import Support, SupportStatus
from ppda.models import StaffMember
from tests.factories.cases import CaseFactory, CivilianVictimFactory, PartyFactory, PoliceSuspectFactory
from tests.factories.contacts import ContactFactory, ContactPlanFactory
from tests.factories.directory import StaffMemberFactory
from tests.factories.oversight import (
    AcceptedAllocationFactory,
    DeclinedAllocationFactory,
    EndedAllocationFactory,
    PendingAllocationFactory,
    soo_with_user,
)

UTC = dt.UTC
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, 0, tzinfo=UTC)


def _suspect(case, rank):
    PoliceSuspectFactory(case=case, staff=StaffMemberFactory(rank=rank))


@pytest.fixture
def known(db):
    """c1 closed 2025 case (sergeant suspect); c2, c3 January 2026; c4 received the day before NOW."""
    soo_a, soo_b = soo_with_user(), soo_with_user()
    c1 = CaseFactory(
        received_at=at(2025, 3, 10),
        route=Case.Route.CALL,
        category=Case.Category.POLICE_PERPETRATOR,
        risk_level=Case.Risk.HIGH,
        duty=Case.Duty.ON,
        status=Case.Status.CLOSED,
        closed_at=at(2025, 9, 6),
    )
    _suspect(c1, StaffMember.Rank.SERGEANT)
    CivilianVictimFactory(case=c1)
    a1 = EndedAllocationFactory(
        case=c1, soo=soo_a, allocated_at=at(2025, 3, 11), first_contact_met_at=at(2025, 3, 11, 20), case_state=False
    )
    for day in (12, 19, 26):
        ContactFactory(allocation=a1, contacted_at=at(2025, 3, day))
    ContactFactory(allocation=a1, contacted_at=at(2025, 4, 2), outcome=Contact.Outcome.ATTEMPTED)
    ContactPlanFactory(allocation=a1, engagement=ContactPlan.Engagement.ENGAGED)
    CaseClosure.objects.create(
        case=c1,
        closed_at=at(2025, 9, 6),
        victim_confident_to_report=CaseClosure.Confidence.YES,
        criminal_outcome=CaseClosure.CriminalOutcome.CHARGED,
        misconduct_outcome=CaseClosure.MisconductOutcome.GROSS_MISCONDUCT,
        victim_kept_informed_rating=4,
    )
    Support.objects.create(case=c1, idva_status=SupportStatus.ACCEPTED, wellbeing_status=SupportStatus.OFFERED)

    c2 = CaseFactory(
        received_at=at(2026, 1, 5),
        route=Case.Route.SELF,
        category=Case.Category.BOTH,
        risk_level=Case.Risk.MEDIUM,
        duty=Case.Duty.OFF,
    )
    _suspect(c2, StaffMember.Rank.CONSTABLE)
    a2 = AcceptedAllocationFactory(
        case=c2, soo=soo_b, allocated_at=at(2026, 1, 7), first_contact_met_at=at(2026, 1, 10, 18)
    )
    ContactFactory(allocation=a2, contacted_at=at(2026, 1, 10, 18))
    ContactPlanFactory(allocation=a2, engagement=ContactPlan.Engagement.DECLINED)
    Support.objects.create(case=c2, idva_status=SupportStatus.DECLINED)

    c3 = CaseFactory(
        received_at=at(2026, 1, 20),
        route=Case.Route.SELF,
        category=Case.Category.POLICE_VICTIM,
        risk_level="",
        duty=Case.Duty.UNKNOWN,
    )
    PartyFactory(case=c3, role="suspect", first_name="Civ", last_name="Ilian")
    DeclinedAllocationFactory(case=c3, soo=soo_b, allocated_at=at(2026, 1, 21))
    AcceptedAllocationFactory(case=c3, soo=soo_a, allocated_at=at(2026, 1, 22))

    c4 = CaseFactory(
        received_at=at(2026, 6, 14),
        route=Case.Route.CALL,
        category=Case.Category.POLICE_PERPETRATOR,
        risk_level=Case.Risk.HIGH,
        duty=Case.Duty.ON,
    )
    _suspect(c4, StaffMember.Rank.SUPERINTENDENT)
    _suspect(c4, StaffMember.Rank.CONSTABLE)
    PendingAllocationFactory(case=c4, soo=soo_b, allocated_at=at(2026, 6, 15, 9))
    return {"cases": (c1, c2, c3, c4), "soos": (soo_a, soo_b)}

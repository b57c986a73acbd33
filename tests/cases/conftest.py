"""The fixed cast for case tests, and helpers to post the intake form."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from cases.models import CaseAccessDeclaration
from ppda.date_input import date_post
from ppda.roles import Role
from tests.factories.cases import CaseFactory, CivilianVictimFactory, PoliceSuspectFactory, SafeContactFactory
from tests.factories.directory import DistrictFactory, StaffMemberFactory, UserFactory


@pytest.fixture(autouse=True)
def intake_rate_limits_cleared():
    """Redis outlives the test database: a sending system's id from an earlier run must not start with its count."""
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=cache.make_key("ratelimit:*")))
    if keys:
        client.delete(*keys)


@pytest.fixture
def district(db):
    return DistrictFactory(name="Northfield")


@pytest.fixture
def suspect_staff(db):
    return StaffMemberFactory(employee_number="E900001")


@pytest.fixture
def victim_staff(db):
    return StaffMemberFactory(employee_number="E900002")


@pytest.fixture
def coordinator_client(coordinator, verified_client):
    return verified_client(coordinator)


@pytest.fixture
def case_with_parties(db):
    """A received case: a civilian victim with safe-contact arrangements, a police suspect."""
    case = CaseFactory()
    victim = CivilianVictimFactory(case=case, first_name="Alexis", last_name="Sample", normalised_name="alexis sample")
    SafeContactFactory(party=victim, codeword="Lapwing")
    PoliceSuspectFactory(case=case)
    return case


def declared(case, user, kind=CaseAccessDeclaration.Kind.NO_CONFLICT):
    return CaseAccessDeclaration.objects.create(case=case, user=user, kind=kind)


def intake_post(*, district, suspect_staff, reference="DA/2026/000001", **overrides) -> dict:
    """What the intake page posts for a valid case (dates as the GOV.UK boxes post them); None drops a field."""
    received = timezone.localtime() - dt.timedelta(hours=1)
    data = {
        "reference": reference,
        **date_post("received_on", received.date()),
        "received_time": received.strftime("%H:%M"),
        "route": "call",
        "category": "police_perpetrator",
        "risk_level": "",
        "duty": "off",
        "incident_district": district.name,
        "summary": "Synthetic report.",
        "party_count": "2",
        "save": "1",
        "party-0-role": "victim",
        "party-0-is_police": "no",
        "party-0-first_name": "Zoë",
        "party-0-last_name": "O'Brien-Smith",
        **date_post("party-0-date_of_birth", "1990-05-17"),
        "party-0-phone": "07700 900111",
        "party-0-home_district": district.name,
        "party-0-sc-safe_phone": "07700 900222",
        "party-0-sc-safe_times": "Weekdays after 10:00",
        "party-0-sc-texts_ok": "on",
        "party-0-sc-codeword": "Heron",
        "party-1-role": "suspect",
        "party-1-is_police": "yes",
        "party-1-employee_number": suspect_staff.employee_number,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def cast(db):
    """Non-coordinators: none of them may reach the inbox or any case URL without a grant."""
    return {
        "soo": UserFactory(roles=[Role.SOO]),
        "panel_member": UserFactory(roles=[Role.PANEL_MEMBER], staff=None),
        "panel_chair": UserFactory(roles=[Role.PANEL_CHAIR]),
        "psd_rep": UserFactory(roles=[Role.PSD_REP]),
        "auditor": UserFactory(roles=[Role.AUDITOR]),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }

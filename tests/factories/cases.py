import datetime as dt

import factory
from django.utils import timezone

from cases.models import Case, CaseLink, Party, SafeContact
from tests.factories.directory import DistrictFactory, StaffMemberFactory


class CaseFactory(factory.django.DjangoModelFactory):
    """A received, untriaged case with no parties (add them with VictimFactory / SuspectFactory)."""

    class Meta:
        model = Case

    reference = factory.Sequence(lambda n: f"DA/{2026}/{n:06d}")
    received_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=2))
    route = Case.Route.CALL
    category = Case.Category.POLICE_PERPETRATOR
    risk_level = Case.Risk.MEDIUM
    duty = Case.Duty.OFF
    incident_district = factory.SubFactory(DistrictFactory)
    summary = "Synthetic test case."


class TriagedCaseFactory(CaseFactory):
    status = Case.Status.TRIAGED
    triaged_at = factory.LazyFunction(timezone.now)


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    case = factory.SubFactory(CaseFactory)
    role = Party.Role.VICTIM


class PoliceVictimFactory(PartyFactory):
    role = Party.Role.VICTIM
    staff = factory.SubFactory(StaffMemberFactory)


class CivilianVictimFactory(PartyFactory):
    """A non-police victim: identity carried on the party."""

    role = Party.Role.VICTIM
    first_name = factory.Sequence(lambda n: f"Victimfirst{n}")
    last_name = factory.Sequence(lambda n: f"Victimlast{n}")
    date_of_birth = dt.date(1990, 5, 17)
    phone = "07700 900123"
    normalised_name = factory.LazyAttribute(lambda o: f"{o.first_name} {o.last_name}".lower())
    home_district = factory.SubFactory(DistrictFactory)


class PoliceSuspectFactory(PartyFactory):
    role = Party.Role.SUSPECT
    staff = factory.SubFactory(StaffMemberFactory)


class SafeContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SafeContact

    party = factory.SubFactory(CivilianVictimFactory)
    safe_phone = "07700 900456"
    safe_times = "Weekdays 10:00-14:00"
    codeword = "Bluebell"


class CaseLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseLink

    from_case = factory.SubFactory(CaseFactory)
    to_case = factory.SubFactory(CaseFactory)
    kind = CaseLink.Kind.COUNTER_ALLEGATION

"""Update-form factories, named after states. Sections are normally saved through the services (history with
the user); these build a saved section directly where a test needs the state, not the act."""

import datetime as dt

import factory
from django.utils import timezone

from cases.models import Case, CaseAccessDeclaration
from oversight.update_form.models import Overview, SupportStatus
from ppda.models import StaffMember
from ppda.roles import Role
from tests.factories.cases import CivilianVictimFactory, PoliceSuspectFactory, SafeContactFactory, TriagedCaseFactory
from tests.factories.directory import StaffMemberFactory, UserFactory
from tests.factories.oversight import AcceptedAllocationFactory, AllocationFactory, soo_with_user

# A victim whose surname is a common word ("Hope"): still redacted, and the SOO is warned.
VICTIM = {
    "first_name": "Rosalind",
    "last_name": "Hope",
    "normalised_name": "rosalind hope",
    "date_of_birth": dt.date(1984, 11, 23),
    "phone": "07700 900582",
    "email": "r.hope@mail.example",
    "address": "27 Wexcombe Lane, Brindlecote",
}
SUSPECT = {
    "first_name": "Peregrine",
    "last_name": "Ashcombe-Vale",
    "employee_number": "PX61842",
    "work_email": "p.ashcombe@force.example",
    "rank": StaffMember.Rank.SERGEANT,
}


def form_case(*, soo=None, received_at=None) -> tuple[Case, object]:
    """A case on an accepted allocation, with a civilian victim and a police (sergeant) suspect, identifiable
    by distinctive values. Returns (case, the SOO's user), the SOO having made the first-open declaration."""
    kwargs = {"status": Case.Status.ACTIVE}
    if received_at is not None:
        kwargs["received_at"] = received_at
    case = TriagedCaseFactory(**kwargs)
    victim = CivilianVictimFactory(case=case, **VICTIM)
    SafeContactFactory(party=victim, codeword="Tamarisk-Owl", safe_phone="07700 900274")
    PoliceSuspectFactory(case=case, staff=StaffMemberFactory(**SUSPECT))
    soo = soo or soo_with_user()
    AcceptedAllocationFactory(case=case, soo=soo)
    CaseAccessDeclaration.objects.get_or_create(
        case=case, user=soo.user, defaults={"kind": CaseAccessDeclaration.Kind.NO_CONFLICT}
    )
    return case, soo.user


def pending_form_case() -> tuple[Case, object]:
    """A case whose SOO has not accepted yet (declared, with the grant): they may not keep the form."""
    case = TriagedCaseFactory(status=Case.Status.ALLOCATED)
    CivilianVictimFactory(case=case)
    allocation = AllocationFactory(case=case)  # pending
    user = allocation.soo.user
    CaseAccessDeclaration.objects.get_or_create(
        case=case, user=user, defaults={"kind": CaseAccessDeclaration.Kind.NO_CONFLICT}
    )
    return case, user


def declared_coordinator(case: Case, **kwargs):
    user = UserFactory(staff=None, roles=[Role.COORDINATOR], **kwargs)
    CaseAccessDeclaration.objects.get_or_create(
        case=case, user=user, defaults={"kind": CaseAccessDeclaration.Kind.NO_CONFLICT}
    )
    return user


class SavedOverviewFactory(factory.django.DjangoModelFactory):
    """An overview the SOO has saved once."""

    class Meta:
        model = Overview

    case = factory.SubFactory(TriagedCaseFactory)
    relationship = Overview.Relationship.EX_PARTNER
    complete = True
    version = 1
    updated_at = factory.LazyFunction(timezone.now)


ALL_SUPPORT_OFFERED = dict.fromkeys(
    ("idva", "wellbeing", "da_services", "survivors_network", "reasonable_adjustments", "occupational_health"),
    (SupportStatus.OFFERED, ""),
)

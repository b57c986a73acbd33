"""Allocation factories, named after states."""

import datetime as dt

import factory
from django.utils import timezone

from cases.models import Case, ConflictDeclaration
from cases.selectors import VIEW_CASE
from oversight.models import Allocation
from ppda.permissions import grant
from ppda.roles import Role
from tests.factories.cases import CivilianVictimFactory, PoliceSuspectFactory, TriagedCaseFactory
from tests.factories.directory import ChiefInspectorFactory, UserFactory


def soo_with_user(**staff_kwargs):
    """A chief inspector with a user account holding the SOO role; returns the staff record."""
    staff = ChiefInspectorFactory(**staff_kwargs)
    UserFactory(staff=staff, roles=[Role.SOO])
    return staff


def triaged_case_with_parties(**case_kwargs) -> Case:
    """A triaged case with a civilian victim and a police suspect: the common shape."""
    case = TriagedCaseFactory(**case_kwargs)
    CivilianVictimFactory(case=case)
    PoliceSuspectFactory(case=case)
    return case


class AllocationFactory(factory.django.DjangoModelFactory):
    """A pending allocation (no grant: use AllocatedCaseFactory-style helper `allocate` for the workflow)."""

    class Meta:
        model = Allocation
        skip_postgeneration_save = True

    case = factory.SubFactory(TriagedCaseFactory, status=Case.Status.ALLOCATED)
    soo = factory.LazyFunction(soo_with_user)
    status = Allocation.Status.PENDING
    allocated_at = factory.LazyFunction(timezone.now)
    allocated_by = factory.SubFactory(UserFactory, roles=[Role.COORDINATOR])
    first_contact_due = factory.LazyAttribute(lambda o: Allocation.due_for(o.allocated_at))

    @factory.post_generation
    def granted(self, create, extracted, **kwargs):
        """Grant the SOO's user the case, as the workflow does, for live allocations (granted=False to skip)."""
        if create and extracted is not False and self.status in Allocation.LIVE:
            user = getattr(self.soo, "user", None)
            if user is not None:
                grant(user, VIEW_CASE, self.case)


class AcceptedAllocationFactory(AllocationFactory):
    status = Allocation.Status.ACCEPTED
    responded_at = factory.LazyAttribute(lambda o: o.allocated_at + dt.timedelta(hours=2))
    no_conflict_declaration = "I confirm I have no conflict."


class EndedAllocationFactory(AcceptedAllocationFactory):
    status = Allocation.Status.ENDED
    ended_at = factory.LazyAttribute(lambda o: o.allocated_at + dt.timedelta(days=90))
    end_reason = "Case closed"


class ConflictDeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConflictDeclaration

    declarer = factory.SubFactory(ChiefInspectorFactory)
    reason = "We worked together for years."
    recorded_by = factory.SubFactory(UserFactory)

"""State factories for allocations and contacts (named after the state they build).

Until allocation_create is used here, these build an Allocation directly and grant the SOO's user the
case, as the allocation workflow does.
"""

import datetime as dt

import factory
from django.utils import timezone

from cases.models import CaseAccessDeclaration
from oversight.contacts.models import Contact, ContactPlan
from oversight.models import Allocation
from ppda.permissions import grant
from ppda.roles import Role
from tests.factories.cases import TriagedCaseFactory
from tests.factories.directory import ChiefInspectorFactory, UserFactory


class AllocationFactory(factory.django.DjangoModelFactory):
    """An accepted allocation, just made, whose SOO has a user account with the SOO role and the case grant."""

    class Meta:
        model = Allocation
        skip_postgeneration_save = True

    case = factory.SubFactory(TriagedCaseFactory)
    soo = factory.SubFactory(ChiefInspectorFactory)
    status = Allocation.Status.ACCEPTED
    allocated_at = factory.LazyFunction(timezone.now)
    allocated_by = factory.SubFactory(UserFactory, staff=None)
    first_contact_due = factory.LazyAttribute(lambda o: Allocation.due_for(o.allocated_at))
    responded_at = factory.LazyAttribute(lambda o: o.allocated_at if o.status == Allocation.Status.ACCEPTED else None)

    @factory.post_generation
    def soo_user(self, create, extracted, **kwargs):
        """The SOO's account (created unless soo_user=False), granted the case as allocation does."""
        if not create or extracted is False:
            return
        user = getattr(self.soo, "user", None)
        if user is None:
            user = UserFactory(staff=self.soo, roles=[Role.SOO])
        grant(user, "cases.view_case", self.case)

    @factory.post_generation
    def declared(self, create, extracted, **kwargs):
        """The SOO's first-open declaration (no conflict) on the case, unless declared=False."""
        if create and extracted is not False and getattr(self.soo, "user", None) is not None:
            CaseAccessDeclaration.objects.get_or_create(
                case=self.case, user=self.soo.user, defaults={"kind": CaseAccessDeclaration.Kind.NO_CONFLICT}
            )


class PendingAllocationFactory(AllocationFactory):
    status = Allocation.Status.PENDING


class BreachedAllocationFactory(AllocationFactory):
    """Allocated 80 hours ago, no contact: the 72 hours have passed and the sweep marked it."""

    allocated_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=80))
    breached_at = factory.LazyAttribute(lambda o: o.first_contact_due)


class FirstContactMetAllocationFactory(AllocationFactory):
    allocated_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=30))
    first_contact_met_at = factory.LazyAttribute(lambda o: o.allocated_at + dt.timedelta(hours=5))


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    allocation = factory.SubFactory(AllocationFactory)
    contacted_at = factory.LazyAttribute(lambda o: o.allocation.allocated_at + dt.timedelta(hours=1))
    method = Contact.Method.PHONE
    outcome = Contact.Outcome.COMPLETED
    note = "Spoke briefly; agreed weekly calls."
    recorded_by = factory.LazyAttribute(lambda o: o.allocation.soo.user)
    recorded_at = factory.LazyFunction(timezone.now)


class ContactPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPlan

    allocation = factory.SubFactory(AllocationFactory)
    engagement = ContactPlan.Engagement.ENGAGED

"""Contact-log factories. The allocations they hang on are the one family in tests/factories/oversight.py."""

import datetime as dt

import factory
from django.utils import timezone

from oversight.contacts.models import Contact, ContactPlan
from tests.factories.oversight import AcceptedAllocationFactory


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    allocation = factory.SubFactory(AcceptedAllocationFactory)
    contacted_at = factory.LazyAttribute(lambda o: o.allocation.allocated_at + dt.timedelta(hours=1))
    method = Contact.Method.PHONE
    outcome = Contact.Outcome.COMPLETED
    note = "Spoke briefly; agreed weekly calls."
    recorded_by = factory.LazyAttribute(lambda o: o.allocation.soo.user)
    recorded_at = factory.LazyFunction(timezone.now)


class ContactPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPlan

    allocation = factory.SubFactory(AcceptedAllocationFactory)
    engagement = ContactPlan.Engagement.ENGAGED

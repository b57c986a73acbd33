"""Allocation factories, named after states."""

import datetime as dt

import factory
from django.utils import timezone

from cases.models import Case, CaseAccessDeclaration, ConflictDeclaration
from cases.selectors import VIEW_CASE
from oversight.allocation.services import NO_CONFLICT_TEXT
from oversight.models import Allocation
from ppda.models import User
from ppda.permissions import grant, revoke
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


def _soo_user_for(staff):
    """The SOO's user account, created with the SOO role if the staff record has none."""
    user = getattr(staff, "user", None)
    if user is None:
        user = UserFactory(staff=staff, roles=[Role.SOO])
    return user


def a_coordinator():
    """Who allocates: a coordinator of the test's cast if there is one (so the cast stays as the test set it
    up: a breach alerts every coordinator), else a new one."""
    existing = User.objects.filter(groups__name=Role.COORDINATOR, is_active=True).order_by("pk").first()
    return existing or UserFactory(roles=[Role.COORDINATOR])


# What the allocation services leave the case as, per allocation status (oversight/allocation/services.py):
# allocation_create -> allocated; allocation_accept -> active; allocation_decline and allocation_end (a
# reallocation) -> back in the inbox, triaged and flagged for reallocation.
CASE_AFTER = {
    Allocation.Status.PENDING: {"status": Case.Status.ALLOCATED, "needs_reallocation": False},
    Allocation.Status.ACCEPTED: {"status": Case.Status.ACTIVE, "needs_reallocation": False},
    Allocation.Status.DECLINED: {"status": Case.Status.TRIAGED, "needs_reallocation": True},
    Allocation.Status.ENDED: {"status": Case.Status.TRIAGED, "needs_reallocation": True},
}


class AllocationFactory(factory.django.DjangoModelFactory):
    """The base of the family: a pending allocation. Use the state names below.

    Each state is what the allocation services produce (tests/oversight/test_factories.py compares them):
    - allocated by a coordinator (a_coordinator);
    - the case's status as the service leaves it (CASE_AFTER). case_state=False leaves a given case as it
      is, for a case whose later life the test sets up itself (say, closed after the allocation ended);
    - the SOO's user account with the SOO role (created if the staff record has none; soo_user=False for
      none), holding `cases.view_case` on the case while the allocation is live, and not after;
    - declared=True adds the SOO's first-open declaration (no conflict) on the case.
    """

    class Meta:
        model = Allocation
        skip_postgeneration_save = True

    case = factory.SubFactory(TriagedCaseFactory)
    soo = factory.LazyFunction(soo_with_user)
    status = Allocation.Status.PENDING
    allocated_at = factory.LazyFunction(timezone.now)
    allocated_by = factory.LazyFunction(lambda: a_coordinator())
    first_contact_due = factory.LazyAttribute(lambda o: Allocation.due_for(o.allocated_at))

    @factory.post_generation
    def case_state(self, create, extracted, **kwargs):
        """The case as the service leaves it (case_state=False: as given)."""
        if not create or extracted is False:
            return
        fields = CASE_AFTER[self.status]
        changed = [name for name, value in fields.items() if getattr(self.case, name) != value]
        for name in changed:
            setattr(self.case, name, fields[name])
        if changed:
            self.case.save(update_fields=changed)

    @factory.post_generation
    def soo_user(self, create, extracted, **kwargs):
        """The SOO's account with the case grant while live, revoked once declined or ended (soo_user=False: none)."""
        if not create or extracted is False:
            return
        user = _soo_user_for(self.soo)
        if self.status in Allocation.LIVE:
            grant(user, VIEW_CASE, self.case, by=None, source="test")
        else:
            revoke(user, VIEW_CASE, self.case, by=None, source="test")

    @factory.post_generation
    def declared(self, create, extracted, **kwargs):
        """The SOO's first-open declaration on the case (pending: only with declared=True)."""
        if create and extracted:
            _declare(self)


def _declare(allocation) -> None:
    user = getattr(allocation.soo, "user", None)
    if user is not None:
        CaseAccessDeclaration.objects.get_or_create(
            case=allocation.case, user=user, defaults={"kind": CaseAccessDeclaration.Kind.NO_CONFLICT}
        )


class PendingAllocationFactory(AllocationFactory):
    """allocation_create: awaiting the SOO's answer, the case allocated, the SOO granted the case."""


def _responded_at(o):
    return min(timezone.now(), o.allocated_at + dt.timedelta(hours=2))


class AcceptedAllocationFactory(AllocationFactory):
    """allocation_accept: accepted with the no-conflict text, the case active, the SOO granted the case.

    The SOO answers from a page behind the first-open declaration, so they have made it (declared=False: not).
    """

    status = Allocation.Status.ACCEPTED
    responded_at = factory.LazyAttribute(_responded_at)
    no_conflict_declaration = NO_CONFLICT_TEXT

    @factory.post_generation
    def declared(self, create, extracted, **kwargs):
        if create and extracted is not False:
            _declare(self)


class DeclinedAllocationFactory(AllocationFactory):
    """allocation_decline: declined with a reason, the case back in the inbox for reallocation, no grant."""

    status = Allocation.Status.DECLINED
    responded_at = factory.LazyAttribute(_responded_at)
    decline_reason = "I know the suspect from a previous posting."


class EndedAllocationFactory(AcceptedAllocationFactory):
    """allocation_end (a reallocation): ended with a reason, the grant revoked, the case back in the inbox
    flagged for reallocation. Ended 30 days after allocation (or now, if sooner)."""

    status = Allocation.Status.ENDED
    ended_at = factory.LazyAttribute(lambda o: min(timezone.now(), o.allocated_at + dt.timedelta(days=30)))
    end_reason = "Reallocated: the SOO is on long-term leave."


class BreachedAllocationFactory(AcceptedAllocationFactory):
    """Accepted 80 hours ago with no contact: the 72 hours have passed and the deadline sweep marked it."""

    allocated_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=80))
    breached_at = factory.LazyAttribute(lambda o: o.first_contact_due)


class FirstContactMetAllocationFactory(AcceptedAllocationFactory):
    """Accepted 30 hours ago; first contact made five hours in."""

    allocated_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=30))
    first_contact_met_at = factory.LazyAttribute(lambda o: o.allocated_at + dt.timedelta(hours=5))


class ConflictDeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConflictDeclaration

    declarer = factory.SubFactory(ChiefInspectorFactory)
    reason = "We worked together for years."
    recorded_by = factory.SubFactory(UserFactory)

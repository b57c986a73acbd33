"""Demo allocations: through the real services, after the demo cases, once."""

import random
from io import StringIO

import pytest

from cases.demo import seed_cases
from cases.models import Case, CaseLink, ConflictDeclaration
from oversight.allocation.selectors import allocation_check
from oversight.demo import seed_allocations
from oversight.models import Allocation
from ppda.roles import Role
from tests.factories.directory import DistrictFactory, StaffMemberFactory, UserFactory
from tests.factories.oversight import soo_with_user

pytestmark = pytest.mark.django_db


def test_does_nothing_without_coordinators_or_soos():
    out = StringIO()
    seed_allocations(stdout=out, rng=random.Random(1))
    assert "no demo allocations" in out.getvalue()
    assert not Allocation.objects.exists()


def test_seeds_allocations_through_the_rules_once():
    for i in range(4):
        DistrictFactory(name=f"Demo district {i}")
    StaffMemberFactory.create_batch(40)
    for _ in range(8):
        soo_with_user()
    UserFactory(roles=[Role.COORDINATOR])
    seed_cases(stdout=StringIO(), rng=random.Random(7))
    before = set(Allocation.objects.values_list("pk", flat=True))
    waiting_before = Case.objects.filter(status=Case.Status.TRIAGED, allocations__isnull=True).count()

    out = StringIO()
    seed_allocations(stdout=out, rng=random.Random(7))
    assert "Seeded demo allocations" in out.getvalue()
    new = Allocation.objects.exclude(pk__in=before)
    # Some waiting cases are now allocated through the service; each obeys the hard rules.
    for allocation in new.filter(status__in=Allocation.LIVE):
        check = allocation_check(allocation.case, allocation.soo)
        assert not [e for e in check.exclusions if e.hard and e.code != "declared_conflict"]
    if waiting_before >= 2:
        assert new.exists()
        declined = Allocation.objects.get(status=Allocation.Status.DECLINED)
        assert declined.case.needs_reallocation
        assert ConflictDeclaration.objects.filter(source=ConflictDeclaration.Source.DECLINED_ALLOCATION).exists()
        # At least one triaged case is left for the demo coordinator to allocate.
        assert Case.objects.filter(status=Case.Status.TRIAGED, allocations__isnull=True).exists()
    # Counter-allegation pairs never share an SOO.
    for link in CaseLink.objects.filter(kind=CaseLink.Kind.COUNTER_ALLEGATION):
        a = Allocation.objects.filter(case=link.from_case, status__in=Allocation.LIVE).first()
        b = Allocation.objects.filter(case=link.to_case, status__in=Allocation.LIVE).first()
        if a and b:
            assert a.soo_id != b.soo_id
    count = Allocation.objects.count()
    out = StringIO()
    seed_allocations(stdout=out, rng=random.Random(7))
    assert "already seeded" in out.getvalue()
    assert Allocation.objects.count() == count

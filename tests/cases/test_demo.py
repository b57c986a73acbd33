"""The demo force's cases: a realistic spread, once."""

import random
from io import StringIO

import pytest
from django.db.models import Count

from cases.demo import seed_cases
from cases.models import Case, CaseLink, CoordinatorShift, Party
from cases.selectors import case_history
from oversight.demo import seed_case_history
from oversight.models import Allocation
from ppda.roles import Role
from tests.factories.directory import ChiefInspectorFactory, DistrictFactory, StaffMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_does_nothing_without_a_staff_directory():
    out = StringIO()
    seed_cases(stdout=out, rng=random.Random(1))
    assert "No staff directory" in out.getvalue()
    assert Case.objects.count() == 0


def test_seeds_a_realistic_spread_once():
    for i in range(4):
        DistrictFactory(name=f"Demo district {i}")
    StaffMemberFactory.create_batch(40)
    soos = ChiefInspectorFactory.create_batch(6)
    soo_user = UserFactory(staff=soos[0], roles=[Role.SOO])
    UserFactory(roles=[Role.COORDINATOR])
    out = StringIO()
    seed_cases(stdout=out, rng=random.Random(7))
    # The older cases' allocations and closures are replayed by oversight, through its services.
    seed_case_history(stdout=out, rng=random.Random(8))
    total = Case.objects.count()
    assert total > 150
    assert set(Case.objects.values_list("route", flat=True)) == set(Case.Route.values)
    assert set(Case.objects.values_list("category", flat=True)) == set(Case.Category.values)
    assert {"received", "triaged", "active", "closed"} <= set(Case.objects.values_list("status", flat=True))
    by_year = dict(Case.objects.values_list("received_at__year").annotate(n=Count("id")).order_by("received_at__year"))
    years = sorted(by_year)
    assert len(years) == 5 and by_year[years[0]] < by_year[years[-2]]
    # Repeat victims: by staff record and by name + date of birth, so history lookup has something to find.
    assert (
        Party.objects.filter(role="victim").exclude(staff=None).values("staff").annotate(n=Count("id")).filter(n__gt=1)
    )
    assert (
        Party.objects.filter(role="victim", staff=None)
        .values("normalised_name", "date_of_birth")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    repeat = CaseLink.objects.filter(kind="repeat").select_related("from_case").first()
    assert case_history(case=repeat.from_case)
    assert CaseLink.objects.filter(kind="counter").count() == 1
    assert Case.objects.filter(status="received").count() >= 4
    assert Allocation.objects.filter(status="ended").exists() and CoordinatorShift.objects.exists()
    # Live allocations grant the SOO's account the case.
    from cases.selectors import cases_for_user

    live = Allocation.objects.filter(soo=soos[0], status__in=Allocation.LIVE).values_list("case_id", flat=True)
    assert set(cases_for_user(soo_user).values_list("pk", flat=True)) == set(live)
    # Idempotent.
    seed_cases(stdout=out, rng=random.Random(7))
    assert Case.objects.count() == total
    assert "already seeded" in out.getvalue()

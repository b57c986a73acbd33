"""Demo investigations for psd1 and psd2: through the services, in several states, once."""

import random
from io import StringIO

import pytest

from cases.investigations.demo import PLANS, seed_investigations
from cases.investigations.models import Investigation, PsdAssignment, Strand
from tests.factories.investigations import psd_assigned_case, psd_rep

pytestmark = pytest.mark.django_db


def test_seeds_investigations_in_several_states_once():
    cases = [psd_assigned_case(distinctive=False) for _ in range(12)]
    PsdAssignment.objects.all().delete()  # the factory's own assignments: the demo starts from none
    reps = [psd_rep(username="psd1"), psd_rep(username="psd2")]
    assert cases
    out = StringIO()
    seed_investigations(stdout=out, rng=random.Random(3))
    assert "Seeded 10 demo investigations" in out.getvalue()
    for rep in reps:
        assert PsdAssignment.objects.filter(user=rep, ended_at__isnull=True).count() == len(PLANS)
    statuses = set(Strand.objects.values_list("status", flat=True))
    assert {Strand.Status.ASSESSMENT, Strand.Status.WITH_CPS, Strand.Status.CHARGED} <= statuses
    assert Strand.Status.GROSS_MISCONDUCT_HEARING in statuses
    count = Investigation.objects.count()
    seed_investigations(stdout=StringIO(), rng=random.Random(3))
    assert Investigation.objects.count() == count

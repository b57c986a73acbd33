"""The scale seed at a small size: it must keep working as models change (make bench depends on it)."""

from collections import Counter

import pytest

from bench.seed_scale import main as seed_scale
from cases.models import Case, CaseUserObjectPermission, Party
from oversight.allocation.selectors import open_case_limit
from oversight.contacts.models import Contact
from oversight.models import Allocation
from ppda.models import StaffMember, User
from ppda.permissions import user_has_object_perm

pytestmark = pytest.mark.django_db


def test_seed_scale_small_and_idempotent():
    args = ["--staff", "300", "--chief-inspectors", "30", "--cases", "60", "--contacts", "200"]
    seed_scale(args)
    assert StaffMember.objects.count() == 300
    assert StaffMember.objects.filter(rank="ci", soo_eligible=True).count() == 30
    assert Case.objects.count() == 60
    assert Party.objects.filter(role=Party.Role.VICTIM).count() == 60
    assert Contact.objects.count() == 200
    live = Allocation.objects.filter(status=Allocation.Status.ACCEPTED).select_related("case", "soo__user").first()
    assert live is not None
    # The SOO of a live allocation holds the object grant, so their dashboard and case page work.
    assert user_has_object_perm(live.soo.user, "cases.view_case", live.case)
    assert CaseUserObjectPermission.objects.count() == Allocation.objects.filter(status="accepted").count()
    # Live allocations are spread evenly, so no chief inspector is over the open-case limit.
    per_soo = Counter(Allocation.objects.filter(status__in=Allocation.LIVE).values_list("soo_id", flat=True))
    assert max(per_soo.values()) <= open_case_limit()
    seed_scale(args)  # a second run adds nothing
    assert StaffMember.objects.count() == 300
    assert User.objects.filter(username__startswith="bench-").count() == 34

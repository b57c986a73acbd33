"""The case page reads a fixed number of queries however many parties, earlier cases and links it shows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseLink
from tests.cases.conftest import declared
from tests.factories.cases import CaseFactory, CivilianVictimFactory, PoliceSuspectFactory, SafeContactFactory
from tests.factories.directory import StaffMemberFactory
from tests.factories.oversight import PendingAllocationFactory

pytestmark = pytest.mark.django_db


def _case_with(n: int):
    """A case with n victims (each with safe contact), n suspects, n earlier cases for its suspect, n links."""
    case = CaseFactory()
    officer = StaffMemberFactory()
    for i in range(n):
        SafeContactFactory(party=CivilianVictimFactory(case=case))
        PoliceSuspectFactory(case=case, staff=officer if i == 0 else StaffMemberFactory())
        earlier = CaseFactory(received_at=timezone.now() - dt.timedelta(days=100 + i))
        PoliceSuspectFactory(case=earlier, staff=officer)
        CaseLink.objects.create(from_case=case, to_case=earlier, kind=CaseLink.Kind.REPEAT)
    return case


def _queries(client, case) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("cases:detail", args=[case.public_id]))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_case_page_query_count_is_constant(coordinator, coordinator_client, django_assert_num_queries):
    small, large = _case_with(1), _case_with(6)
    declared(small, coordinator)
    declared(large, coordinator)
    few = _queries(coordinator_client, small)
    many = _queries(coordinator_client, large)
    # Pinned: user (with roles and confirmed authenticators); the guarded fetch (with its district and the user's
    # declaration), the access-log row; parties (with staff, districts, safe contact), shared with the history;
    # history (matches, cases with SOO by subquery); links (both ways, which the user may open); the live
    # allocation. The session comes from Redis, unwritten.
    assert few == many == 9
    page = coordinator_client.get(reverse("cases:detail", args=[large.public_id]))
    assert len(page.context["victims"]) == 6 and len(page.context["history"]) == 6 and len(page.context["links"]) == 6
    with django_assert_num_queries(many):
        coordinator_client.get(reverse("cases:detail", args=[large.public_id]))


def test_case_page_shows_the_live_soo(coordinator, coordinator_client, case_with_parties):
    from tests.factories.directory import ChiefInspectorFactory

    soo = ChiefInspectorFactory(first_name="Morgan", last_name="Overseer")
    PendingAllocationFactory(case=case_with_parties, soo=soo, allocated_by=coordinator)
    declared(case_with_parties, coordinator)
    page = coordinator_client.get(reverse("cases:detail", args=[case_with_parties.public_id]))
    assert page.context["allocation"].soo == soo
    assert "Morgan Overseer" in page.content.decode()


def test_coordinator_sees_allocate_button_on_a_triaged_case_only(client, coordinator):
    from tests.conftest import login_verified
    from tests.factories.cases import TriagedCaseFactory

    login_verified(client, coordinator)
    triaged, received = TriagedCaseFactory(), CaseFactory()
    for case, expected in ((triaged, True), (received, False)):
        client.post(reverse("cases:declare", args=[case.public_id]), {"kind": "none"})
        body = client.get(reverse("cases:detail", args=[case.public_id])).content.decode()
        assert (reverse("oversight:allocate", args=[case.public_id]) in body) is expected

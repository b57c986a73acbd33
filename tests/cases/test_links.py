"""Linked cases: counter-allegation pairs and repeat reports, made by coordinators, shown on the case page."""

import pytest
from django.urls import reverse

from cases import services
from cases.models import CaseLink
from ppda.errors import ApplicationError
from ppda.permissions import grant
from ppda.roles import Role
from tests.cases.conftest import declared
from tests.factories.cases import CaseFactory
from tests.factories.directory import UserFactory

pytestmark = pytest.mark.django_db


def test_coordinator_links_a_counter_allegation_pair(coordinator, coordinator_client):
    a = CaseFactory(reference="DA/2026/000901")
    b = CaseFactory(reference="DA/2026/000902")
    declared(a, coordinator)
    declared(b, coordinator)
    url = reverse("cases:link_create", args=[a.public_id])
    response = coordinator_client.post(
        url, {"reference": "da/2026/000902", "kind": "counter", "note": "Each reports the other"}
    )
    assert response.status_code == 302
    link = CaseLink.objects.get()
    assert (link.from_case, link.to_case, link.kind, link.created_by) == (a, b, "counter", coordinator)
    # Shown both ways.
    for case, other in ((a, b), (b, a)):
        page = coordinator_client.get(reverse("cases:detail", args=[case.public_id]))
        assert [(link["kind"], link["case"], link["can_open"]) for link in page.context["links"]] == [
            ("Counter-allegation", other, True)
        ]
    # Not twice, not either way round, not to itself, not to an unknown reference.
    for reference, message in (
        ("DA/2026/000902", "These cases are already linked"),
        ("DA/2026/000901", "A case cannot be linked to itself"),
        ("DA/2026/999999", "No case you can open has this reference"),
    ):
        response = coordinator_client.post(url, {"reference": reference, "kind": "repeat"})
        assert ("#id_reference", message) in response.context["error_summary"]
    with pytest.raises(ApplicationError):
        services.case_link_create(from_case=b, to_case=a, kind="repeat", user=coordinator)
    assert CaseLink.objects.count() == 1


def test_an_soo_sees_the_link_but_cannot_open_the_other_case(verified_client):
    a = CaseFactory()
    b = CaseFactory()
    CaseLink.objects.create(from_case=a, to_case=b, kind="counter")
    soo = UserFactory(roles=[Role.SOO])
    grant(soo, "cases.view_case", a, by=None, source="test")
    declared(a, soo)
    page = verified_client(soo).get(reverse("cases:detail", args=[a.public_id]))
    assert [(link["case"], link["can_open"]) for link in page.context["links"]] == [(b, False)]
    assert reverse("cases:detail", args=[b.public_id]) not in page.content.decode()


def test_links_both_ways_are_read_together_outgoing_first(coordinator, django_assert_num_queries):
    from cases.models import Case
    from cases.selectors import case_links, cases_for_user

    a, b, c = CaseFactory(), CaseFactory(), CaseFactory()
    CaseLink.objects.create(from_case=c, to_case=a, kind="repeat")
    CaseLink.objects.create(from_case=a, to_case=b, kind="counter")
    visible = cases_for_user(coordinator)
    with django_assert_num_queries(2):  # the links both ways, then which of the other cases the user may open
        links = case_links(case=a, visible=visible)
    assert [(link["kind"], link["case"]) for link in links] == [("Counter-allegation", b), ("Repeat report", c)]
    with django_assert_num_queries(1):
        assert case_links(case=b, visible=Case.objects.none()) == [
            {"kind": "Counter-allegation", "note": "", "case": a, "can_open": False}
        ]

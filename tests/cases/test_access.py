"""Need-to-know on every case URL: the first-open declaration, conflicts, parties, roles, and the access log."""

import pytest
from django.http import Http404
from django.urls import reverse

from cases.models import CaseAccessDeclaration, ConflictDeclaration
from cases.selectors import cases_for_user
from ppda.models import AccessLog, Notification
from ppda.permissions import grant
from ppda.roles import Role
from tests.cases.conftest import declared
from tests.factories.cases import CaseFactory, PoliceSuspectFactory, PoliceVictimFactory
from tests.factories.directory import StaffMemberFactory, UserFactory
from tests.factories.oversight import PendingAllocationFactory

pytestmark = pytest.mark.django_db

CASE_URLS = ["detail", "intake_done", "declare", "assign", "triage", "link_create"]
ROLE_PAGES = ["cases:inbox", "cases:intake", "cases:rota"]


def case_url(name, case):
    return reverse(f"cases:{name}", args=[case.public_id])


# -- Roles ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["soo", "panel_member", "panel_chair", "psd_rep", "auditor", "superuser"])
def test_non_coordinators_get_403_on_role_pages_and_404_on_every_case_url(
    cast, verified_client, case_with_parties, who
):
    user = cast[who]
    client = verified_client(user)
    for name in ROLE_PAGES:
        assert client.get(reverse(name)).status_code == 403, name
        assert client.post(reverse(name), {}).status_code == 403, name
    for name in CASE_URLS:
        assert client.get(case_url(name, case_with_parties)).status_code in (404, 405), name
        assert client.post(case_url(name, case_with_parties), {}).status_code == 404, name
    # Not even the case's existence leaks: a random id answers the same.
    assert client.get("/cases/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert case_with_parties.access_declarations.count() == 0
    assert not AccessLog.objects.filter(user=user, allowed=True).exists()


def test_every_denial_is_logged_with_the_case_reference(cast, verified_client, case_with_parties):
    client = verified_client(cast["soo"])
    client.get(case_url("detail", case_with_parties))
    client.get(reverse("cases:inbox"))
    rows = AccessLog.objects.filter(user=cast["soo"], allowed=False).order_by("id")
    assert [(r.action, r.what, r.case_reference) for r in rows] == [
        ("denied", "case page", case_with_parties.reference),
        ("denied", "inbox", ""),
    ]
    assert rows[0].object_id == str(case_with_parties.public_id)


def test_a_granted_soo_may_open_the_case_but_not_coordinator_actions(verified_client, case_with_parties):
    soo = UserFactory(roles=[Role.SOO])
    grant(soo, "cases.view_case", case_with_parties, by=None, source="test")
    client = verified_client(soo)
    declared(case_with_parties, soo)
    assert client.get(case_url("detail", case_with_parties)).status_code == 200
    # One policy (docs/security.md): an object URL answers 404 to whoever may not do this to it, even when
    # they may see the case.
    for name in ("triage", "link_create", "intake_done"):
        assert client.get(case_url(name, case_with_parties)).status_code == 404, name
    assert client.post(case_url("assign", case_with_parties)).status_code == 404
    assert AccessLog.objects.filter(user=soo, allowed=False, what="triage").exists()


def test_anonymous_users_are_sent_to_login(client, case_with_parties):
    response = client.get(case_url("detail", case_with_parties))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# -- Case page and the access log ---------------------------------------------------------------------------


def test_case_page_is_logged_and_shows_safe_contact(coordinator, coordinator_client, case_with_parties):
    declared(case_with_parties, coordinator)
    response = coordinator_client.get(case_url("detail", case_with_parties))
    assert response.status_code == 200
    assert b"Lapwing" in response.content  # the codeword, in the safe-contact banner
    assert b"Alexis Sample" in response.content
    log = AccessLog.objects.get(user=coordinator, what="case page")
    assert (log.action, log.allowed, log.case_reference) == ("view", True, case_with_parties.reference)
    assert log.object_id == str(case_with_parties.public_id)


# -- First-open declaration ---------------------------------------------------------------------------------


def test_first_open_asks_for_the_declaration_then_opens(coordinator, coordinator_client, case_with_parties):
    detail = case_url("detail", case_with_parties)
    response = coordinator_client.get(detail)
    assert response.status_code == 302
    assert response["Location"] == f"{case_url('declare', case_with_parties)}?next={detail}"
    page = coordinator_client.get(response["Location"])
    assert page.status_code == 200
    assert b"Alexis Sample" in page.content  # the declarer must see who is in the case
    response = coordinator_client.post(case_url("declare", case_with_parties), {"kind": "none", "next": detail})
    assert response["Location"] == detail
    assert coordinator_client.get(detail).status_code == 200
    declaration = CaseAccessDeclaration.objects.get(case=case_with_parties, user=coordinator)
    assert declaration.kind == "none"
    assert AccessLog.objects.filter(
        user=coordinator,
        action="declare",
        what="first-open declaration: none",
        case_reference=case_with_parties.reference,
    ).exists()
    # Asked once only.
    assert coordinator_client.get(case_url("declare", case_with_parties))["Location"] == detail


def test_declaration_next_cannot_leave_the_site(coordinator_client, case_with_parties):
    response = coordinator_client.post(
        case_url("declare", case_with_parties), {"kind": "none", "next": "https://evil.example/"}
    )
    assert response["Location"] == case_url("detail", case_with_parties)


@pytest.mark.parametrize("target", ["a\x00b", "/cases/\n", "//evil.example/", "\\\\evil", "cases/"])
def test_declaration_next_must_be_a_clean_local_path(coordinator_client, case_with_parties, target):
    response = coordinator_client.post(case_url("declare", case_with_parties), {"kind": "none", "next": target})
    assert response.status_code == 302
    assert response["Location"] == case_url("detail", case_with_parties)


def test_conflict_needs_a_reason(coordinator_client, case_with_parties):
    response = coordinator_client.post(case_url("declare", case_with_parties), {"kind": "conflict", "note": ""})
    assert response.status_code == 200
    assert ("#id_note", "Say briefly how you know someone in this case") in response.context["error_summary"]
    assert not CaseAccessDeclaration.objects.exists()


def test_a_declared_conflict_blocks_access_records_it_and_alerts_coordinators(
    verified_client, case_with_parties, mailoutbox
):
    staff = StaffMemberFactory()
    declarer = UserFactory(staff=staff, roles=[Role.COORDINATOR])
    other = UserFactory(roles=[Role.COORDINATOR])
    client = verified_client(declarer)
    response = client.post(
        case_url("declare", case_with_parties), {"kind": "conflict", "note": "The suspect is my neighbour"}
    )
    assert response.status_code == 302
    # Blocked from then on: the case page, every case URL, and the selector.
    for name in CASE_URLS:
        assert client.get(case_url(name, case_with_parties)).status_code in (404, 405), name
    assert not cases_for_user(declarer).filter(pk=case_with_parties.pk).exists()
    # A standing conflict against each party, for allocation to respect.
    victim = case_with_parties.parties.get(role="victim")
    suspect = case_with_parties.parties.get(role="suspect")
    conflicts = ConflictDeclaration.objects.filter(declarer=staff, source="first_open", source_case=case_with_parties)
    assert {(c.against_staff_id, c.against_normalised_name, c.against_date_of_birth) for c in conflicts} == {
        (suspect.staff_id, "", None),
        (None, "alexis sample", victim.date_of_birth),
    }
    # Every other coordinator told - by reference and link only.
    note = Notification.objects.get(recipient=other)
    assert note.case_reference == case_with_parties.reference
    assert note.link == case_url("detail", case_with_parties)
    assert "Alexis" not in note.message and "neighbour" not in note.message
    assert not Notification.objects.filter(recipient=declarer).exists()
    assert AccessLog.objects.filter(user=declarer, action="declare", what="first-open declaration: conflict").exists()
    assert AccessLog.objects.filter(user=declarer, action="denied", case_reference=case_with_parties.reference).exists()


def test_an_soo_who_declares_a_conflict_loses_the_granted_case(verified_client, case_with_parties):
    soo = UserFactory(roles=[Role.SOO])
    grant(soo, "cases.view_case", case_with_parties, by=None, source="test")
    client = verified_client(soo)
    client.post(case_url("declare", case_with_parties), {"kind": "conflict", "note": "I know the victim"})
    assert client.get(case_url("detail", case_with_parties)).status_code == 404


# -- Parties and their line managers ------------------------------------------------------------------------


def test_a_coordinator_who_is_a_party_cannot_open_the_case(verified_client):
    staff = StaffMemberFactory()
    coordinator = UserFactory(staff=staff, roles=[Role.COORDINATOR])
    case = CaseFactory()
    PoliceVictimFactory(case=case, staff=staff)
    PoliceSuspectFactory(case=case)
    client = verified_client(coordinator)
    for name in CASE_URLS:
        assert client.get(case_url(name, case)).status_code in (404, 405), name
    inbox = client.get(reverse("cases:inbox"))
    assert case.reference not in inbox.content.decode()
    assert AccessLog.objects.filter(user=coordinator, allowed=False, case_reference=case.reference).exists()


def test_a_partys_line_manager_cannot_open_the_case(verified_client):
    manager = StaffMemberFactory()
    coordinator = UserFactory(staff=manager, roles=[Role.COORDINATOR])
    case = CaseFactory()
    PoliceSuspectFactory(case=case, staff=StaffMemberFactory(line_manager=manager))
    client = verified_client(coordinator)
    assert client.get(case_url("detail", case)).status_code == 404
    assert client.get(case_url("declare", case)).status_code == 404
    assert case.reference not in client.get(reverse("cases:inbox")).content.decode()


def test_own_managed_and_conflicted_cases_are_excluded_in_lists_gets_and_subqueries():
    """The exclusion is hand-written SQL correlated to the case: it must hold when cases_for_user is the outer
    query, a single fetch, and a subquery of another model's query (where Django renames the case table)."""
    from cases.selectors import case_get_visible as case_get_for_user
    from oversight.models import Allocation

    staff = StaffMemberFactory()
    soo = UserFactory(staff=staff, roles=[Role.SOO])
    own, managed, conflicted, fine, other_party = CaseFactory.create_batch(5)
    PoliceSuspectFactory(case=own, staff=staff)
    PoliceVictimFactory(case=managed, staff=StaffMemberFactory(line_manager=staff))
    PoliceSuspectFactory(case=other_party, staff=StaffMemberFactory(line_manager=StaffMemberFactory()))
    CaseAccessDeclaration.objects.create(case=conflicted, user=soo, kind=CaseAccessDeclaration.Kind.CONFLICT)
    for case in (own, managed, conflicted, fine, other_party):
        PendingAllocationFactory(case=case, soo=staff)  # grants the SOO the case, as allocation does
    expected = {fine.pk, other_party.pk}
    assert set(cases_for_user(soo).values_list("pk", flat=True)) == expected
    assert {c.pk for c in cases_for_user(soo).filter(pk__in=[own.pk, fine.pk])} == {fine.pk}
    via_subquery = Allocation.objects.filter(case__in=cases_for_user(soo)).values_list("case_id", flat=True)
    assert set(via_subquery) == expected
    joined = Allocation.objects.filter(case__in=cases_for_user(soo), case__reference__isnull=False)
    assert set(joined.values_list("case_id", flat=True)) == expected
    for case in (own, managed, conflicted):
        with pytest.raises(Http404):
            case_get_for_user(soo, case.public_id)
    assert case_get_for_user(soo, fine.public_id, with_declaration=True).user_declared is False

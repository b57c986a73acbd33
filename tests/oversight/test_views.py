"""Allocation pages: one test per permission tier for each view, and what each page does."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from cases.models import Case, CaseAccessDeclaration, ConflictDeclaration
from oversight.allocation.services import allocation_create
from oversight.models import Allocation
from ppda.date_input import date_post
from ppda.models import AccessLog
from ppda.roles import Role
from tests.conftest import login_verified
from tests.factories.directory import PsdDepartmentFactory, StaffMemberFactory, UserFactory
from tests.factories.oversight import PendingAllocationFactory, soo_with_user, triaged_case_with_parties

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(coordinator, auditor, superuser_no_role):
    """The fixed cast around one allocated case."""
    case = triaged_case_with_parties(status=Case.Status.ALLOCATED)
    allocated = soo_with_user()
    allocation = PendingAllocationFactory(case=case, soo=allocated, allocated_by=coordinator)
    declared(coordinator, case)
    declared(allocated.user, case)
    return {
        "case": case,
        "allocation": allocation,
        "users": {
            "coordinator": coordinator,
            "allocated_soo": allocated.user,
            "other_soo": soo_with_user().user,
            "psd_rep": UserFactory(roles=[Role.PSD_REP]),
            "auditor": auditor,
            "superuser_no_role": superuser_no_role,
            "party_coordinator": UserFactory(staff=case.parties.get(role="suspect").staff, roles=[Role.COORDINATOR]),
            "anonymous": None,
        },
    }


def pending_allocation(**kwargs):
    """A pending allocation on an allocated case, its SOO with a user who has not declared on it yet."""
    return PendingAllocationFactory(
        case=triaged_case_with_parties(status=Case.Status.ALLOCATED), soo=soo_with_user(), **kwargs
    )


def declared(user, case):
    """The first-open declaration (cases app) that every identified page needs first."""
    CaseAccessDeclaration.objects.get_or_create(
        case=case, user=user, defaults={"kind": CaseAccessDeclaration.Kind.NO_CONFLICT}
    )
    return user


def client_for(client, user):
    return login_verified(client, user) if user else client


def urls(world):
    case, allocation = world["case"], world["allocation"]
    return {
        "allocate": reverse("oversight:allocate", args=[case.public_id]),
        "respond": reverse("oversight:respond", args=[allocation.public_id]),
        "pack": reverse("oversight:pack", args=[allocation.public_id]),
        "dashboard": reverse("oversight:dashboard"),
        "declarations": reverse("oversight:declarations"),
    }


ALLOWED = {
    "allocate": {"coordinator"},
    "respond": {"allocated_soo"},
    "pack": {"coordinator", "allocated_soo"},
    "dashboard": {"allocated_soo", "other_soo"},
    "declarations": {"coordinator", "allocated_soo", "other_soo", "party_coordinator"},
}
# Pages about a particular case answer 404 (existence never leaks); role pages answer 403.
DENIED_STATUS = {"allocate": 404, "respond": 404, "pack": 404, "dashboard": 403, "declarations": 403}
CAST = [
    "coordinator",
    "allocated_soo",
    "other_soo",
    "psd_rep",
    "auditor",
    "superuser_no_role",
    "party_coordinator",
    "anonymous",
]


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize("page", list(ALLOWED))
def test_permission_matrix(client, world, page, who):
    url = urls(world)[page]
    response = client_for(client, world["users"][who]).get(url)
    if who == "anonymous":
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    elif who in ALLOWED[page]:
        assert response.status_code == 200
    else:
        assert response.status_code == DENIED_STATUS[page]
        if DENIED_STATUS[page] == 404:
            log = AccessLog.objects.filter(allowed=False).latest("id")
            assert log.user == world["users"][who] and log.action == AccessLog.Action.DENIED


def test_allocate_posts_are_denied_too(client, world):
    case = triaged_case_with_parties()
    soo = soo_with_user()
    for who in ("allocated_soo", "psd_rep", "auditor", "superuser_no_role"):
        response = login_verified(client, world["users"][who]).post(
            reverse("oversight:allocate", args=[case.public_id]), {"soo": soo.pk}
        )
        assert response.status_code == 404
    assert not Allocation.objects.filter(case=case).exists()


def test_allocate_page_shows_reasons_and_why_first(client, coordinator):
    case = triaged_case_with_parties()
    first = soo_with_user(last_name="Firstly")
    psd = soo_with_user(last_name="Psdperson", department=PsdDepartmentFactory())
    local = soo_with_user(last_name="Localperson", district=case.incident_district)
    response = login_verified(client, declared(coordinator, case)).get(
        reverse("oversight:allocate", args=[case.public_id])
    )
    body = response.content.decode()
    assert "Why first:" in body and first.full_name in body
    assert psd.full_name in body and "Works in PSD" in body
    assert local.full_name in body and "Same district as the incident" in body
    log = AccessLog.objects.get(what="allocation page")
    assert (log.user, log.case_reference, log.allowed) == (coordinator, case.reference, True)
    # The ranking column is "Order": "Rank" beside police ranks read as a police rank (issue 16).
    assert '<th scope="col" class="govuk-table__header">Order</th>' in body
    assert ">Rank</th>" not in body


def test_allocate_through_the_page(client, coordinator, mailoutbox):
    case = triaged_case_with_parties()
    soo = soo_with_user()
    url = reverse("oversight:allocate", args=[case.public_id])
    response = login_verified(client, declared(coordinator, case)).post(url, {"soo": soo.pk})
    assert response.status_code == 302
    allocation = Allocation.objects.get(case=case)
    assert allocation.soo == soo
    page = client.get(url).content.decode()
    assert "allocated to" in page and "End allocation" in page


def test_soft_override_through_the_page_asks_for_a_reason(client, coordinator):
    case = triaged_case_with_parties()
    local = soo_with_user(district=case.incident_district)
    url = reverse("oversight:allocate", args=[case.public_id])
    c = login_verified(client, declared(coordinator, case))
    response = c.post(url, {"soo": local.pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body and "Give a reason for overriding" in body
    assert not Allocation.objects.exists()
    response = c.post(url, {"soo": local.pk, "override_incident_district": "Only officer with the right experience"})
    assert response.status_code == 302
    assert Allocation.objects.get().overrides[0]["reason"] == "Only officer with the right experience"


def test_hard_excluded_cannot_be_posted(client, coordinator):
    case = triaged_case_with_parties()
    psd = soo_with_user(department=PsdDepartmentFactory())
    response = login_verified(client, declared(coordinator, case)).post(
        reverse("oversight:allocate", args=[case.public_id]), {"soo": psd.pk, "override_psd_acu": "please"}
    )
    assert response.status_code == 200 and "Choose a chief inspector from the list" in response.content.decode()
    assert not Allocation.objects.exists()


def test_second_coordinator_sees_a_clear_message(client, coordinator):
    case = triaged_case_with_parties()
    soo, other = soo_with_user(), soo_with_user()
    url = reverse("oversight:allocate", args=[case.public_id])
    PendingAllocationFactory(case=case, soo=other)  # the other coordinator won a moment ago
    Case.objects.filter(pk=case.pk).update(status=Case.Status.ALLOCATED)
    response = login_verified(client, declared(coordinator, case)).post(url, {"soo": soo.pk})
    assert response.status_code == 200
    assert "has already been allocated" in response.content.decode()
    assert Allocation.objects.filter(case=case).count() == 1


def test_end_and_reallocate_through_the_pages(client, world):
    coordinator = world["users"]["coordinator"]
    case, old = world["case"], world["allocation"]
    c = login_verified(client, coordinator)
    assert c.post(reverse("oversight:end", args=[case.public_id]), {"reason": ""}).status_code == 302
    old.refresh_from_db()
    assert old.status == Allocation.Status.PENDING  # no reason, nothing ended
    c.post(reverse("oversight:end", args=[case.public_id]), {"reason": "SOO on long-term leave"})
    old.refresh_from_db()
    assert old.status == Allocation.Status.ENDED
    # The old SOO gets 404 on the case's pages now, the case page included.
    old_soo = login_verified(client.__class__(), world["users"]["allocated_soo"])
    assert old_soo.get(reverse("cases:detail", args=[case.public_id])).status_code == 404
    assert old_soo.get(reverse("oversight:respond", args=[old.public_id])).status_code == 404
    assert old_soo.get(reverse("oversight:pack", args=[old.public_id])).status_code == 404


def test_end_is_coordinator_only(client, world):
    for who in ("allocated_soo", "other_soo", "psd_rep", "auditor", "superuser_no_role"):
        response = login_verified(client, world["users"][who]).post(
            reverse("oversight:end", args=[world["case"].public_id]), {"reason": "x"}
        )
        assert response.status_code == 404
    world["allocation"].refresh_from_db()
    assert world["allocation"].status == Allocation.Status.PENDING


def test_respond_accept_and_decline(client, world):
    soo_user = world["users"]["allocated_soo"]
    allocation = world["allocation"]
    url = reverse("oversight:respond", args=[allocation.public_id])
    c = login_verified(client, soo_user)
    page = c.get(url).content.decode()
    suspect = world["case"].parties.get(role="suspect").staff
    assert suspect.full_name in page  # the SOO must see who is involved to know if they have a conflict
    assert AccessLog.objects.filter(user=soo_user, what="allocation response page").exists()
    # One confirmation: the Accept choice carries the declaration's wording (no separate checkbox).
    assert page.count("I confirm that I do not know") == 1 and 'name="confirm"' not in page
    response = c.post(url, {"reason": ""})
    assert response.status_code == 200 and "Choose whether you accept or decline" in response.content.decode()
    response = c.post(url, {"decision": "decline"})
    assert "Say why you are declining" in response.content.decode()
    victim = world["case"].parties.get(role="victim")
    response = c.post(url, {"decision": "decline", "reason": "She is my cousin", "conflict_with": [victim.pk]})
    assert response.status_code == 302
    allocation.refresh_from_db()
    assert allocation.status == Allocation.Status.DECLINED
    assert ConflictDeclaration.objects.get().against_normalised_name == victim.normalised_name
    # Declined: the SOO no longer sees the case or its pages.
    assert c.get(url).status_code == 404


def test_respond_accept(client, world):
    c = login_verified(client, world["users"]["allocated_soo"])
    url = reverse("oversight:respond", args=[world["allocation"].public_id])
    assert c.post(url, {"decision": "accept"}).status_code == 302
    world["allocation"].refresh_from_db()
    assert world["allocation"].status == Allocation.Status.ACCEPTED
    assert "I confirm that I do not know" in world["allocation"].no_conflict_declaration
    assert "already responded" in c.get(url).content.decode()


def test_dashboard_lists_my_cases_with_next_deadline(client, world):
    soo = world["allocation"].soo
    c = login_verified(client, soo.user)
    body = c.get(reverse("oversight:dashboard")).content.decode()
    assert world["case"].reference in body and "First contact by" in body
    assert world["allocation"].first_contact_due.astimezone(ZoneInfo("Europe/London")).strftime("%H:%M") in body
    someone_elses = PendingAllocationFactory()  # another SOO's case is never listed
    assert someone_elses.case.reference not in c.get(reverse("oversight:dashboard")).content.decode()


def test_my_cases_offers_the_pack_only_once_accepted(client):
    """A pending SOO answers first (the answer is their declaration): the pack link would only bring them back
    to the response page."""
    allocation = pending_allocation()
    c = login_verified(client, allocation.soo.user)
    pack = reverse("oversight:pack", args=[allocation.public_id])
    body = c.get(reverse("oversight:dashboard")).content.decode()
    assert reverse("oversight:respond", args=[allocation.public_id]) in body and pack not in body
    assert c.post(reverse("oversight:respond", args=[allocation.public_id]), {"decision": "accept"}).status_code == 302
    assert pack in c.get(reverse("oversight:dashboard")).content.decode()


def _dashboard_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("oversight:dashboard")).status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_query_count_is_constant(client):
    soo = soo_with_user()
    c = login_verified(client, soo.user)
    PendingAllocationFactory(soo=soo)
    _dashboard_queries(c)  # warm the per-process caches (the permission id), as any earlier request would
    few = _dashboard_queries(c)
    for _ in range(15):
        PendingAllocationFactory(soo=soo)
    many = _dashboard_queries(c)
    # Pinned: the user (with roles and confirmed authenticators); the allocations with their cases and contact
    # plans (visibility by subquery). The session comes from Redis, unwritten.
    assert few == many == 2


# The user (with roles and confirmed authenticators; the session is in Redis, unwritten within a minute); the
# case (with its incident district and, in the same query, the user's declaration: cases.access), the live
# allocation; the parties, the pool, links, declarations, first-open conflicts, history, line-management links
# (police suspect); the access log, in a savepoint here (the test's transaction). 11 outside tests. Not the
# page's 600 rows.
ALLOCATE_PAGE_QUERIES = 13


def test_allocate_page_query_count_is_constant(client, coordinator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = triaged_case_with_parties()
    c = login_verified(client, declared(coordinator, case))
    url = reverse("oversight:allocate", args=[case.public_id])
    for _ in range(3):
        soo_with_user()
    with CaptureQueriesContext(connection) as ctx:
        c.get(url)
    few = len(ctx.captured_queries)
    for i in range(30):
        soo_with_user(department=PsdDepartmentFactory()) if i % 3 == 0 else soo_with_user()
    with CaptureQueriesContext(connection) as ctx:
        c.get(url)
    assert len(ctx.captured_queries) == few == ALLOCATE_PAGE_QUERIES


def test_declarations_page(client, coordinator):
    soo = soo_with_user()
    colleague = StaffMemberFactory()
    c = login_verified(client, soo.user)
    url = reverse("oversight:declarations")
    response = c.post(url, {"kind": "staff", "against_employee_number": "NOPE", "reason": "x"})
    assert "No one in the staff directory has that employee number" in response.content.decode()
    response = c.post(url, {"kind": "person", "first_name": "Jo", "last_name": "", "reason": "x"})
    body = response.content.decode()
    assert "Enter their last name" in body and "Enter their date of birth" in body
    assert '<a href="#id_date_of_birth_day">Enter their date of birth</a>' in body
    assert 'name="date_of_birth_day"' in body and 'name="date_of_birth"' not in body
    person = {"kind": "person", "first_name": "Jo", "last_name": "Bloggs", "reason": "Neighbour"}
    for typed, message in [
        ({"date_of_birth_day": "30", "date_of_birth_month": "2", "date_of_birth_year": "1985"}, "must be a real date"),
        ({"date_of_birth_day": "27", "date_of_birth_month": "3", "date_of_birth_year": ""}, "must include a year"),
        (date_post("date_of_birth", "2999-01-01"), "must be in the past"),
    ]:
        body = c.post(url, {**person, **typed}).content.decode()
        assert f'<a href="#id_date_of_birth_day">Their date of birth {message}</a>' in body
    assert not ConflictDeclaration.objects.filter(declarer=soo).exists()
    assert (
        c.post(
            url,
            {"kind": "staff", "against_employee_number": colleague.employee_number, "reason": "Best man at my wedding"},
        ).status_code
        == 302
    )
    assert (
        c.post(
            url,
            {
                "kind": "person",
                "first_name": "Jo",
                "last_name": "Bloggs",
                **date_post("date_of_birth", "1985-03-27"),
                "reason": "Neighbour",
            },
        ).status_code
        == 302
    )
    assert ConflictDeclaration.objects.filter(declarer=soo).count() == 2
    # A coordinator records one for someone else.
    c2 = login_verified(client.__class__(), coordinator)
    assert (
        c2.post(
            url,
            {
                "declarer": soo.employee_number,
                "kind": "staff",
                "against_employee_number": StaffMemberFactory().employee_number,
                "reason": "Reported by phone",
            },
        ).status_code
        == 302
    )
    assert ConflictDeclaration.objects.filter(declarer=soo, recorded_by=coordinator).count() == 1
    # An SOO cannot declare for someone else: the field is not even offered.
    other = soo_with_user()
    c.post(
        url,
        {
            "declarer": other.employee_number,
            "kind": "staff",
            "against_employee_number": colleague.employee_number,
            "reason": "x",
        },
    )
    assert not ConflictDeclaration.objects.filter(declarer=other).exists()


def test_an_soo_sees_only_their_allocated_case_and_loses_it_on_reallocation(client, world):
    case = world["case"]
    detail = reverse("cases:detail", args=[case.public_id])
    allocated = login_verified(client, world["users"]["allocated_soo"])
    assert allocated.get(detail).status_code == 200
    other = login_verified(client.__class__(), world["users"]["other_soo"])
    assert other.get(detail).status_code == 404
    # Reallocate to the other SOO: access moves with the allocation.
    coordinator = world["users"]["coordinator"]
    login_verified(client.__class__(), coordinator).post(
        reverse("oversight:end", args=[case.public_id]), {"reason": "Sick"}
    )
    new_soo = world["users"]["other_soo"].staff
    allocation_create(case=case, soo=new_soo, by=coordinator)
    assert allocated.get(detail).status_code == 404
    assert other.get(detail).status_code == 302  # now visible: their own first-open declaration comes first


def test_identified_pages_ask_for_the_first_open_declaration_first(client, coordinator):
    case = triaged_case_with_parties()
    soo = soo_with_user()
    allocation = PendingAllocationFactory(case=case, soo=soo)
    declare = reverse("cases:declare", args=[case.public_id])
    respond = reverse("oversight:respond", args=[allocation.public_id])
    for user, url, to in (
        (coordinator, reverse("oversight:allocate", args=[case.public_id]), declare),
        # The pending SOO's declaration is their answer to the allocation: every identified page sends them there.
        (soo.user, reverse("oversight:pack", args=[allocation.public_id]), respond),
        (soo.user, reverse("cases:detail", args=[case.public_id]), respond),
    ):
        response = login_verified(client.__class__(), user).get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{to}?next={url}"


def test_the_soo_declares_no_conflict_once_by_accepting(client):
    allocation = pending_allocation()
    case, soo = allocation.case, allocation.soo
    respond = reverse("oversight:respond", args=[allocation.public_id])
    pack = reverse("oversight:pack", args=[allocation.public_id])
    c = login_verified(client, soo.user)
    page = c.get(respond)
    body = page.content.decode()
    # The response page is where they declare: it shows the parties, as the declaration page does, not the pack.
    assert page.status_code == 200 and case.parties.get(role="suspect").staff.full_name in body
    assert pack not in body and "once you have accepted" in body
    # No breadcrumb to the case page: until they answer, it would bring them back here.
    assert f'href="{reverse("cases:detail", args=[case.public_id])}"' not in body
    assert not CaseAccessDeclaration.objects.filter(case=case, user=soo.user).exists()
    assert c.post(respond, {"decision": "accept"}).status_code == 302
    declaration = CaseAccessDeclaration.objects.get(case=case, user=soo.user)
    assert declaration.kind == CaseAccessDeclaration.Kind.NO_CONFLICT
    allocation.refresh_from_db()
    assert declaration.note == allocation.no_conflict_declaration and "I confirm that I do not know" in declaration.note
    logged = AccessLog.objects.filter(user=soo.user, action=AccessLog.Action.DECLARE, case_reference=case.reference)
    assert logged.count() == 1
    # Nothing more to confirm: the case page, the pack and the response page open at once.
    assert c.get(reverse("cases:detail", args=[case.public_id])).status_code == 200
    assert c.get(pack).status_code == 200
    assert "already responded" in c.get(respond).content.decode()


def test_a_pending_soo_sent_from_the_case_page_comes_back_to_it_after_accepting(client):
    allocation = pending_allocation()
    case, soo = allocation.case, allocation.soo
    c = login_verified(client, soo.user)
    detail = reverse("cases:detail", args=[case.public_id])
    to_respond = c.get(detail)["Location"]
    assert to_respond == f"{reverse('oversight:respond', args=[allocation.public_id])}?next={detail}"
    assert 'name="next" value="' + detail + '"' in c.get(to_respond).content.decode()
    response = c.post(to_respond, {"decision": "accept", "next": detail})
    assert response.status_code == 302 and response["Location"] == detail
    assert c.get(detail).status_code == 200
    # Never elsewhere: another site's address in `next` ends on My cases.
    other = PendingAllocationFactory(case=triaged_case_with_parties(status=Case.Status.ALLOCATED), soo=soo)
    response = c.post(
        reverse("oversight:respond", args=[other.public_id]), {"decision": "accept", "next": "https://example.org/"}
    )
    assert response["Location"] == reverse("oversight:dashboard")


def test_an_soo_who_declared_on_the_case_page_is_not_asked_again_on_accepting(client):
    allocation = pending_allocation()
    case, soo = allocation.case, allocation.soo
    declared(soo.user, case)
    c = login_verified(client, soo.user)
    respond = reverse("oversight:respond", args=[allocation.public_id])
    assert reverse("oversight:pack", args=[allocation.public_id]) in c.get(respond).content.decode()
    assert c.post(respond, {"decision": "accept"}).status_code == 302
    assert CaseAccessDeclaration.objects.filter(case=case, user=soo.user).count() == 1
    assert not AccessLog.objects.filter(user=soo.user, action=AccessLog.Action.DECLARE).exists()


def test_declining_with_a_conflict_from_the_response_page_ends_access_without_a_declaration(client):
    allocation = pending_allocation()
    case, soo = allocation.case, allocation.soo
    c = login_verified(client, soo.user)
    respond = reverse("oversight:respond", args=[allocation.public_id])
    victim = case.parties.get(role="victim")
    response = c.post(respond, {"decision": "decline", "reason": "I know her", "conflict_with": [victim.pk]})
    assert response.status_code == 302
    assert not CaseAccessDeclaration.objects.filter(case=case, user=soo.user).exists()
    assert ConflictDeclaration.objects.filter(declarer=soo, source_case=case).count() == 1
    for url in (respond, reverse("cases:detail", args=[case.public_id])):
        assert c.get(url).status_code == 404


def test_another_soo_cannot_answer_an_allocation_without_declaring(client):
    # pending_declares is for the allocated SOO only: a coordinator opening the response page still declares.
    case = triaged_case_with_parties(status=Case.Status.ALLOCATED)
    allocation = PendingAllocationFactory(case=case)
    other = soo_with_user()
    respond = reverse("oversight:respond", args=[allocation.public_id])
    assert login_verified(client, other.user).get(respond).status_code == 404


def test_allocate_page_warns_when_the_soo_declared_a_conflict_on_opening(client, world):
    case = world["case"]
    CaseAccessDeclaration.objects.filter(case=case, user=world["users"]["allocated_soo"]).update(
        kind=CaseAccessDeclaration.Kind.CONFLICT
    )
    page = login_verified(client, world["users"]["coordinator"]).get(
        reverse("oversight:allocate", args=[case.public_id])
    )
    assert "declared a conflict of interest on opening this case" in page.content.decode()


def test_dashboard_shows_next_scheduled_contact_after_first_contact(client, world):
    from django.utils import timezone

    from oversight.contacts.models import ContactPlan

    allocation = world["allocation"]
    now = timezone.now()
    Allocation.objects.filter(pk=allocation.pk).update(status=Allocation.Status.ACCEPTED, first_contact_met_at=now)
    c = login_verified(client, world["users"]["allocated_soo"])
    assert "No contact scheduled" in c.get(reverse("oversight:dashboard")).content.decode()
    ContactPlan.objects.create(
        allocation=allocation,
        cadence=ContactPlan.Cadence.INTERVAL,
        interval_days=14,
        next_contact_due_at=now - dt.timedelta(days=2),
        next_contact_overdue_at=now - dt.timedelta(days=1),
    )
    body = c.get(reverse("oversight:dashboard")).content.decode()
    assert "Next contact by" in body and "Overdue" in body
    assert reverse("contacts:detail", args=[world["case"].public_id]) in body


def test_untriaged_case_shows_no_allocate_form(client, coordinator):
    case = triaged_case_with_parties(status=Case.Status.RECEIVED)
    soo_with_user()
    body = (
        login_verified(client, declared(coordinator, case))
        .get(reverse("oversight:allocate", args=[case.public_id]))
        .content.decode()
    )
    assert "it can be allocated once it has been triaged" in body
    assert 'id="main-form"' not in body


def test_allocate_page_groups_those_who_cannot_be_allocated_by_rule(client, coordinator):
    """Section 3: each exclusion is shown with its reason - grouped by rule, names per reason, not a row each."""
    case = triaged_case_with_parties()
    psd = sorted([soo_with_user(department=PsdDepartmentFactory()) for _ in range(2)], key=lambda s: s.employee_number)
    away = soo_with_user(availability="leave", available_from=dt.date(2026, 12, 1))
    suitable = soo_with_user()
    body = (
        login_verified(client, declared(coordinator, case))
        .get(reverse("oversight:allocate", args=[case.public_id]))
        .content.decode()
    )
    assert "Cannot be allocated (3)" in body
    assert "Works in PSD or ACU (2)" in body and "On leave or unavailable (1)" in body
    # Each name with its employee number: two people of the same name can be told apart.
    named = [f"{s.full_name} ({s.employee_number})" for s in psd]
    assert f"Works in PSD: {named[0]}, {named[1]}</li>" in body
    assert f"On leave until 1 December 2026: {away.full_name} ({away.employee_number})</li>" in body
    # No per-person table of the excluded; they cannot be chosen.
    for s in (*psd, away):
        assert f'value="{s.pk}"' not in body
    assert f'value="{suitable.pk}"' in body


def test_allocate_page_shortlists_suitable_and_overridable_with_show_all(client, coordinator):
    from oversight.views import SUGGESTIONS_SHOWN

    case = triaged_case_with_parties()
    for _ in range(SUGGESTIONS_SHOWN + 2):
        soo_with_user()
    local = [soo_with_user(district=case.incident_district) for _ in range(SUGGESTIONS_SHOWN + 1)]
    url = reverse("oversight:allocate", args=[case.public_id])
    c = login_verified(client, declared(coordinator, case))

    body = c.get(url).content.decode()
    assert body.count('name="soo" type="radio"') == 2 * SUGGESTIONS_SHOWN
    assert f"Show all {SUGGESTIONS_SHOWN + 2} suitable chief inspectors" in body
    assert f"Show all {SUGGESTIONS_SHOWN + 1} who can be chosen with a recorded reason" in body
    assert f"Based in the district where the abuse happened: {SUGGESTIONS_SHOWN + 1}" in body

    body = c.get(url + "?all=1").content.decode()
    assert body.count('name="soo" type="radio"') == 2 * SUGGESTIONS_SHOWN + 3
    assert "Show all" not in body

    # The shortlist is only what is shown: anyone selectable may still be posted, rules checked afresh.
    hidden = [s for s in local if f'value="{s.pk}"' not in c.get(url).content.decode()][0]
    response = c.post(url, {"soo": hidden.pk, "override_incident_district": "Knows the area's services"})
    assert response.status_code == 302
    assert Allocation.objects.get(case=case).soo == hidden


def test_allocate_page_rechecks_a_refused_choice(client, coordinator):
    """A refused POST shows the page again with the chosen chief inspector still checked."""
    case = triaged_case_with_parties()
    soo_with_user()
    local = soo_with_user(district=case.incident_district)
    body = (
        login_verified(client, declared(coordinator, case))
        .post(reverse("oversight:allocate", args=[case.public_id]), {"soo": local.pk})
        .content.decode()
    )
    assert f'value="{local.pk}" checked>' in body
    assert body.count(" checked>") == 1


def test_dashboard_rows_show_each_cell_and_action(client):
    """Rows are worked out in soo_dashboard_rows: soonest first, with the case link, risk, dates in local time,
    status tag, deadline tag and the actions each state allows."""
    from django.utils import timezone

    soo = soo_with_user()
    now = timezone.now()
    soon = PendingAllocationFactory(soo=soo, allocated_at=now - dt.timedelta(hours=62))  # first contact due in 10 hours
    later = PendingAllocationFactory(
        soo=soo, status=Allocation.Status.ACCEPTED, allocated_at=now - dt.timedelta(hours=1), case__risk_level="high"
    )
    body = login_verified(client, soo.user).get(reverse("oversight:dashboard")).content.decode()
    assert body.index(soon.case.reference) < body.index(later.case.reference)
    london = ZoneInfo("Europe/London")
    for a in (soon, later):
        assert f'href="{reverse("cases:detail", args=[a.case.public_id])}">{a.case.reference}</a>' in body
        assert a.allocated_at.astimezone(london).strftime("%-d %b %Y, %H:%M") in body
        assert f"First contact by <strong>{a.first_contact_due.astimezone(london).strftime('%-d %b %Y, %H:%M')}" in body
    assert reverse("oversight:pack", args=[later.public_id]) in body
    assert reverse("oversight:pack", args=[soon.public_id]) not in body  # after the answer, which declares
    assert "High risk" in body and "Medium risk" in body
    assert body.count("Awaiting your response") == 1 and body.count('govuk-tag--green">Accepted') == 1
    assert body.count("Due soon") == 1
    assert reverse("oversight:respond", args=[soon.public_id]) in body
    assert reverse("oversight:respond", args=[later.public_id]) not in body
    assert reverse("contacts:detail", args=[later.case.public_id]) in body
    assert reverse("contacts:detail", args=[soon.case.public_id]) not in body

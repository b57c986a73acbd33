"""The inbox: order, filters, search, deadlines at risk, constant queries, assign to me, triage, rota."""

import datetime as dt
import re
import threading

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, CoordinatorShift
from cases.selectors import inbox_cases
from ppda.date_input import date_post
from ppda.errors import ApplicationError
from ppda.roles import Role
from tests.cases.conftest import declared
from tests.factories.cases import CaseFactory, TriagedCaseFactory
from tests.factories.directory import ChiefInspectorFactory, DistrictFactory, UserFactory
from tests.factories.oversight import AcceptedAllocationFactory, PendingAllocationFactory

pytestmark = pytest.mark.django_db
INBOX = "/cases/"


def refs(response):
    return [row["case"].reference for row in response.context["rows"]]


def test_untriaged_first_then_oldest_first(coordinator_client):
    now = timezone.now()
    TriagedCaseFactory(reference="DA/2026/000001", received_at=now - dt.timedelta(days=9))
    CaseFactory(reference="DA/2026/000002", received_at=now - dt.timedelta(hours=3))
    CaseFactory(reference="DA/2026/000003", received_at=now - dt.timedelta(days=2))
    TriagedCaseFactory(reference="DA/2026/000004", received_at=now - dt.timedelta(days=20))
    CaseFactory(reference="DA/2026/000005", status="closed")
    response = coordinator_client.get(INBOX)
    assert response.status_code == 200
    assert refs(response) == ["DA/2026/000003", "DA/2026/000002", "DA/2026/000004", "DA/2026/000001"]


def test_the_inbox_is_called_inbox_not_soo_inbox(coordinator_client):
    """Issue 16: it is the coordinators' inbox; "SOO inbox" told the coordinator it was someone else's (the
    access log names it "inbox" too: tests/cases/test_access.py)."""
    CaseFactory()
    body = coordinator_client.get(INBOX).content.decode()
    assert re.search(r"<title>\s*Inbox\b", body) and re.search(r"<h1[^>]*>\s*Inbox\s*</h1>", body)
    assert "SOO inbox" not in body


def test_filters_and_search(coordinator_client):
    CaseFactory(reference="DA/2026/000101", risk_level="high", route="psd")
    CaseFactory(reference="DA/2026/000102", risk_level="standard", route="psd")
    TriagedCaseFactory(reference="DA/2025/000103", risk_level="high", route="self")
    CaseFactory(reference="DA/2024/000104", status="closed", risk_level="high", route="self")
    assert refs(coordinator_client.get(INBOX, {"risk": "high"})) == ["DA/2026/000101", "DA/2025/000103"]
    assert refs(coordinator_client.get(INBOX, {"route": "psd"})) == ["DA/2026/000101", "DA/2026/000102"]
    assert refs(coordinator_client.get(INBOX, {"status": "triaged"})) == ["DA/2025/000103"]
    assert refs(coordinator_client.get(INBOX, {"status": "closed"})) == ["DA/2024/000104"]
    assert refs(coordinator_client.get(INBOX, {"q": "da/2026/0001"})) == ["DA/2026/000101", "DA/2026/000102"]
    # Nonsense filters are ignored, never an error.
    assert coordinator_client.get(INBOX, {"risk": "extreme", "page": "x"}).status_code == 200


def test_deadline_at_risk(coordinator, coordinator_client):
    now = timezone.now()
    CaseFactory(reference="DA/2026/000201", received_at=now - dt.timedelta(hours=30))
    CaseFactory(reference="DA/2026/000202", received_at=now - dt.timedelta(hours=2))
    TriagedCaseFactory(reference="DA/2026/000203", needs_reallocation=True)
    soo = ChiefInspectorFactory()
    # Awaiting the SOO's answer (the case allocated), first contact due in 5 hours / an hour ago; and
    # accepted (the case active) with first contact made.
    for reference, due in (
        ("DA/2026/000204", now + dt.timedelta(hours=5)),
        ("DA/2026/000205", now - dt.timedelta(hours=1)),
    ):
        PendingAllocationFactory(
            case__reference=reference, soo=soo, allocated_at=due - dt.timedelta(hours=72), allocated_by=coordinator
        )
    AcceptedAllocationFactory(
        case__reference="DA/2026/000206",
        soo=soo,
        allocated_at=now - dt.timedelta(hours=73),
        first_contact_met_at=now - dt.timedelta(hours=20),
        allocated_by=coordinator,
    )
    response = coordinator_client.get(INBOX)
    at_risk = {row["case"].reference: row["at_risk"] for row in response.context["rows"]}
    assert at_risk == {
        "DA/2026/000201": "Untriaged over 24 hours",
        "DA/2026/000202": "",
        "DA/2026/000203": "Needs reallocation",
        "DA/2026/000204": "First contact due soon",
        "DA/2026/000205": "First contact overdue",
        "DA/2026/000206": "",
    }


def _bulk_cases(n: int, start: int):
    district = DistrictFactory()
    now = timezone.now()
    Case.objects.bulk_create(
        [
            Case(
                reference=f"DA/2020/{start + i:06d}",
                pseudonym=f"Q{start + i:07d}"[:9],
                received_at=now - dt.timedelta(hours=i),
                route=Case.Route.values[i % len(Case.Route.values)],
                category=Case.Category.POLICE_PERPETRATOR,
                status=Case.Status.RECEIVED if i % 3 else Case.Status.TRIAGED,
                incident_district=district,
                needs_reallocation=bool(i % 7 == 0),
            )
            for i in range(n)
        ]
    )


def _inbox_queries(client, django_assert_num_queries):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(INBOX, {"risk": ""})
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_inbox_query_count_is_the_same_for_10_and_1000_cases(
    coordinator, coordinator_client, django_assert_num_queries
):
    other = UserFactory(roles=[Role.COORDINATOR])
    _bulk_cases(10, 0)
    case = Case.objects.get(reference="DA/2020/000001")
    case.triage_owner = other
    case.save()
    CoordinatorShift.objects.create(
        coordinator=other,
        starts_at=timezone.now() - dt.timedelta(hours=1),
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )
    few, response = _inbox_queries(coordinator_client, django_assert_num_queries)
    assert len(response.context["rows"]) == 10
    _bulk_cases(990, 10)
    many, response = _inbox_queries(coordinator_client, django_assert_num_queries)
    assert response.context["page"].paginator.count == 1000
    assert len(response.context["rows"]) == 25
    assert few == many
    # Pinned: user (with roles and confirmed authenticators), count, page (allocation deadlines by subquery,
    # triage owner joined), on-duty shifts. The session comes from Redis, saved under a minute ago: no write.
    with django_assert_num_queries(4):
        coordinator_client.get(INBOX, {"risk": ""})
    assert many == 4


def test_assign_to_me_takes_an_untriaged_case(coordinator, coordinator_client):
    case = CaseFactory()
    response = coordinator_client.post(reverse("cases:assign", args=[case.public_id]), {"next": "/cases/?q=DA"})
    assert response["Location"] == "/cases/?q=DA"
    case.refresh_from_db()
    assert case.triage_owner == coordinator
    assert case.history.first().history_user == coordinator


def test_the_second_coordinator_is_told_who_has_it(coordinator, verified_client):
    case = CaseFactory()
    services.case_assign_to_me(case=case, user=coordinator)
    rival = UserFactory(roles=[Role.COORDINATOR], first_name="Riley", last_name="Rival")
    response = verified_client(rival).post(reverse("cases:assign", args=[case.public_id]), follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [f"{case.reference}: {coordinator.display_name} is already triaging this case"]
    case.refresh_from_db()
    assert case.triage_owner == coordinator


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_coordinators_at_once_only_one_gets_the_case():
    from cases.services import AlreadyAssigned

    a = UserFactory(roles=[Role.COORDINATOR])
    b = UserFactory(roles=[Role.COORDINATOR])
    case = CaseFactory()
    barrier = threading.Barrier(2)
    results = {}

    def take(user):
        try:
            barrier.wait()
            services.case_assign_to_me(case=case, user=user)
            results[user.pk] = "won"
        except AlreadyAssigned:
            results[user.pk] = "lost"
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(u,)) for u in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == ["lost", "won"]
    case.refresh_from_db()
    assert results[case.triage_owner_id] == "won"


def test_triage_moves_received_to_triaged(coordinator, coordinator_client):
    case = CaseFactory(risk_level="")
    district = DistrictFactory(name="Eastvale")
    declared(case, coordinator)
    url = reverse("cases:triage", args=[case.public_id])
    assert coordinator_client.get(url).status_code == 200
    response = coordinator_client.post(url, {"risk_level": "", "duty": "on"})
    assert response.status_code == 200
    assert ("#id_risk_level_0", "Select the DASH risk level") in response.context["error_summary"]
    response = coordinator_client.post(
        url,
        {
            "risk_level": "high",
            "duty": "on",
            "incident_district": "Eastvale",
            "category": "both",
            "summary": "Triaged.",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.risk_level, case.duty, case.incident_district, case.category) == (
        "triaged",
        "high",
        "on",
        district,
        "both",
    )
    assert case.triage_owner == coordinator and case.triaged_at is not None
    # Only from received: a second triage is refused.
    with pytest.raises(ApplicationError):
        services.case_triage(
            case=case,
            user=coordinator,
            risk_level="low",
            duty="on",
            incident_district=None,
            category="both",
            summary="",
        )


def test_triage_by_someone_other_than_the_owner_is_refused(coordinator):
    case = CaseFactory()
    other = UserFactory(roles=[Role.COORDINATOR])
    services.case_assign_to_me(case=case, user=other)
    with pytest.raises(services.AlreadyAssigned):
        services.case_triage(
            case=case,
            user=coordinator,
            risk_level="high",
            duty="on",
            incident_district=None,
            category="both",
            summary="",
        )


def test_status_transitions_check_the_state_they_start_from(coordinator):
    case = CaseFactory()
    with pytest.raises(ApplicationError, match="A received case cannot become closed"):
        services.case_status_change(case=case, to_status="closed", user=coordinator)
    case = services.case_status_change(case=case, to_status="triaged", user=coordinator)
    case = services.case_status_change(case=case, to_status="allocated")
    case = services.case_status_change(case=case, to_status="active")
    case = services.case_status_change(case=case, to_status="closed")
    assert case.closed_at is not None
    case = services.case_status_change(case=case, to_status="reopened")
    assert case.closed_at is None and case.status == "reopened"


def test_rota_shows_who_is_on_duty(coordinator, coordinator_client):
    on = UserFactory(roles=[Role.COORDINATOR], first_name="Dana", last_name="Duty")
    off = UserFactory(roles=[Role.COORDINATOR], first_name="Oli", last_name="Offshift")
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        now = timezone.now()
        CoordinatorShift.objects.create(
            coordinator=on, starts_at=now - dt.timedelta(hours=2), ends_at=now + dt.timedelta(hours=6)
        )
        CoordinatorShift.objects.create(
            coordinator=off, starts_at=now + dt.timedelta(hours=6), ends_at=now + dt.timedelta(hours=14)
        )
        response = coordinator_client.get("/cases/rota/")
        assert [s.coordinator for s in response.context["on_duty"]] == [on]
        assert [s.coordinator for s in response.context["shifts"]] == [on, off]
        inbox = coordinator_client.get(INBOX)
        assert [s.coordinator for s in inbox.context["on_duty"]] == [on]
        response = coordinator_client.post("/cases/rota/", _shift(off, "2026-06-02", "08:00", "2026-06-02", "07:00"))
        assert ("#id_ends_on_day", "The shift must end after it starts") in response.context["error_summary"]
        response = coordinator_client.post("/cases/rota/", _shift(off, "2026-06-02", "08:00", "2026-06-02", "16:00"))
        assert response.status_code == 302
        assert CoordinatorShift.objects.filter(coordinator=off).count() == 2
    # UK times (BST here), stored as UTC.
    assert CoordinatorShift.objects.filter(coordinator=off).latest("starts_at").starts_at == dt.datetime(
        2026, 6, 2, 7, 0, tzinfo=dt.UTC
    )


def _shift(user, starts_on, starts_time, ends_on, ends_time) -> dict:
    return {
        "coordinator": user.pk,
        **date_post("starts_on", starts_on),
        "starts_time": starts_time,
        **date_post("ends_on", ends_on),
        "ends_time": ends_time,
    }


def test_rota_form_uses_the_date_boxes_and_says_what_is_wrong(coordinator, coordinator_client):
    page = coordinator_client.get("/cases/rota/").content.decode()
    assert 'name="starts_on_day"' in page and 'name="ends_time"' in page and 'type="datetime-local"' not in page
    # No start date is filled in for you: shifts are planned ahead, so today is not the likely answer.
    assert coordinator_client.get("/cases/rota/").context["form"]["starts_on"].parts["day"] == ""
    cases = [
        (
            {"starts_on_day": "31", "starts_on_month": "2"},
            ("#id_starts_on_day", "The date the shift starts must be a real date"),
        ),
        ({"ends_on_month": ""}, ("#id_ends_on_day", "The date the shift ends must include a month")),
        ({"starts_time": "8pm-ish"}, ("#id_starts_time", "Enter the time the shift starts as a real time, like 14:30")),
        (
            {"starts_on_day": "", "starts_on_month": "", "starts_on_year": ""},
            ("#id_starts_on_day", "Enter the date the shift starts"),
        ),
        ({"ends_time": ""}, ("#id_ends_time", "Enter the time the shift ends")),
    ]
    for change, expected in cases:
        response = coordinator_client.post(
            "/cases/rota/", {**_shift(coordinator, "2026-06-02", "08:00", "2026-06-02", "16:00"), **change}
        )
        assert response.status_code == 200
        assert expected in response.context["error_summary"], change
    assert not CoordinatorShift.objects.exists()


def test_only_coordinators_on_the_rota(coordinator):
    soo = UserFactory(roles=[Role.SOO])
    now = timezone.now()
    with pytest.raises(ApplicationError):
        services.coordinator_shift_create(coordinator=soo, starts_at=now, ends_at=now + dt.timedelta(hours=1))


def test_inbox_selector_excludes_closed_by_default(coordinator):
    CaseFactory(status="closed")
    open_case = CaseFactory()
    assert list(inbox_cases(user=coordinator)) == [open_case]


def test_inbox_rows_show_each_cell_as_the_page_always_has(coordinator, coordinator_client):
    """The rows are worked out in inbox_rows; the page must still show every cell: link, dates, labels, tags,
    and who triages (you, a colleague by name, or an Assign to me button posting back to this very page)."""
    other = UserFactory(roles=[Role.COORDINATOR], first_name="Riley", last_name="Rival")
    now = timezone.now()
    mine = CaseFactory(received_at=now - dt.timedelta(days=2, hours=3), triage_owner=coordinator)
    theirs = CaseFactory(received_at=now - dt.timedelta(hours=1), triage_owner=other, risk_level="")
    free = CaseFactory(received_at=now - dt.timedelta(minutes=30), route=Case.Route.PSD, risk_level=Case.Risk.HIGH)
    body = coordinator_client.get(INBOX, {"q": "DA/"}).content.decode()
    for case in (mine, theirs, free):
        assert (
            f'<a class="govuk-link" href="{reverse("cases:detail", args=[case.public_id])}">{case.reference}</a>'
            in body
        )
    assert timezone.localtime(mine.received_at).strftime("%-d %b %Y %H:%M") in body
    assert "2\xa0days, 3\xa0hours ago" in body and "30\xa0minutes ago" in body
    assert "Professional standards (PSD)" in body and '<strong class="govuk-tag govuk-tag--red">High</strong>' in body
    assert "Not assessed" in body and '<strong class="govuk-tag govuk-tag--red">Received</strong>' in body
    assert "Untriaged over 24 hours" in body and "On track" in body
    assert re.search(r">\s*You\s*</td>", body) and re.search(r">\s*Riley Rival\s*</td>", body)
    assert body.count("Assign to me<span") == 1
    assert f'action="{reverse("cases:assign", args=[free.public_id])}"' in body
    assert '<input type="hidden" name="next" value="/cases/?q=DA%2F">' in body
    assert 'name="csrfmiddlewaretoken" value="' in body
    assert (
        '<option value="" selected>Open cases</option>' in body
        and '<label class="govuk-label" for="id_route">Route</label>' in body
    )
    filtered = coordinator_client.get(INBOX, {"status": "received", "risk": "high"}).content.decode()
    assert '<option value="received" selected>Received</option>' in filtered
    assert (
        '<option value="high" selected>High</option>' in filtered
        and '<option value="" selected>Any route</option>' in filtered
    )
    # Each option's markup is made once per process (cases.views._option_markup); the selection is per request.
    again = coordinator_client.get(INBOX, {"risk": "none"}).content.decode()
    assert '<option value="none" selected>Not assessed</option>' in again
    assert '<option value="received">Received</option>' in again and 'value="high" selected' not in again
    assert again.count(" selected>") == 4  # one per select: status, risk, route and the update form's state

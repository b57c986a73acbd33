"""The auditor's trail: who accessed case X, what did user Y access; auditors only; every read logged."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from ppda.audit import access_record
from ppda.date_input import date_post
from ppda.models import AccessLog
from ppda.roles import Role
from tests.factories.cases import CaseFactory, PoliceSuspectFactory
from tests.factories.directory import StaffMemberFactory, UserFactory

pytestmark = pytest.mark.django_db
TRAIL = reverse("audit:index")
EXPORT = reverse("audit:export")
LONDON = ZoneInfo("Europe/London")


def _typed(name: str, day: str, month: str, year: str) -> dict[str, str]:
    """A date as typed in the three boxes, which need not be a real date."""
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


@pytest.fixture
def auditor_client(auditor, verified_client):
    return verified_client(auditor)


@pytest.fixture
def reads(coordinator, soo_user):
    """Case X read by the coordinator, refused to an SOO; case Y read by the coordinator."""
    suspect = StaffMemberFactory(first_name="Peregrine", last_name="Hollowmere")
    case_x = CaseFactory(reference="DA/2026/000111")
    PoliceSuspectFactory(case=case_x, staff=suspect)
    case_y = CaseFactory(reference="DA/2026/000222")
    access_record(user=coordinator, obj=case_x, case_reference=case_x.reference, what="case page")
    access_record(
        user=soo_user,
        action=AccessLog.Action.DENIED,
        obj=case_x,
        case_reference=case_x.reference,
        what="case page",
        allowed=False,
    )
    access_record(user=coordinator, obj=case_y, case_reference=case_y.reference, what="case page")
    return case_x, case_y


@pytest.mark.parametrize("fixture", ["coordinator", "superuser_no_role", "soo_user"])
@pytest.mark.parametrize("url", [TRAIL, EXPORT])
def test_only_auditors_read_the_trail(request, verified_client, fixture, url, reads):
    client = verified_client(request.getfixturevalue(fixture))
    assert client.get(url).status_code == 403
    assert not AccessLog.objects.filter(action=AccessLog.Action.AUDIT_READ).exists()


@pytest.mark.parametrize("url", [TRAIL, EXPORT])
def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_who_accessed_case_x_shows_allowed_and_denied(auditor_client, reads):
    response = auditor_client.get(TRAIL, {"reference": "da/2026/000111"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Who accessed case da/2026/000111" in body
    rows = list(response.context["page"].object_list)
    assert [(r.username, r.allowed) for r in rows] == [("soo", False), ("coordinator", True)]
    assert 'govuk-tag--red">Denied' in body
    assert "DA/2026/000222" not in body
    # The auditor sees no case content: the suspect's name is nowhere on the page.
    assert "Hollowmere" not in body and "Peregrine" not in body


def test_reads_logged_against_the_case_object_are_found_without_a_reference(auditor_client, coordinator, reads):
    case_x, _ = reads
    access_record(user=coordinator, obj=case_x, what="case PDF")  # no case_reference recorded
    response = auditor_client.get(TRAIL, {"reference": case_x.reference})
    assert "case PDF" in [r.what for r in response.context["page"].object_list]


def test_what_did_user_y_access(auditor_client, reads):
    response = auditor_client.get(TRAIL, {"username": "SOO"})
    body = response.content.decode()
    assert "What SOO accessed" in body
    rows = list(response.context["page"].object_list)
    assert [(r.case_reference, r.allowed) for r in rows] == [("DA/2026/000111", False)]


def test_outcome_filter_lists_only_denials(auditor_client, reads):
    response = auditor_client.get(TRAIL, {"outcome": "denied"})
    assert {r.allowed for r in response.context["page"].object_list} == {False}


def test_date_filters_are_whole_london_days(auditor_client, coordinator):
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST): it belongs to 1 July.
    for when, what in [
        (dt.datetime(2026, 6, 30, 22, 30, tzinfo=dt.UTC), "30 June"),
        (dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC), "1 July early"),
        (dt.datetime(2026, 7, 1, 22, 59, tzinfo=dt.UTC), "1 July late"),
        (dt.datetime(2026, 7, 1, 23, 0, tzinfo=dt.UTC), "2 July"),
    ]:
        with time_machine.travel(when, tick=False):
            access_record(user=coordinator, what=what)
    one_day = {**date_post("date_from", "2026-07-01"), **date_post("date_to", "2026-07-01"), "action": "view"}
    response = auditor_client.get(TRAIL, one_day)
    assert [r.what for r in response.context["page"].object_list] == ["1 July late", "1 July early"]
    response = auditor_client.get(TRAIL, {**_typed("date_from", "01", "07", "2026"), "action": "view"})
    assert [r.what for r in response.context["page"].object_list] == ["2 July", "1 July late", "1 July early"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {**date_post("date_from", "2026-07-02"), **date_post("date_to", "2026-07-01")},
            "The end date must be the same as or after",
        ),
        (_typed("date_from", "31", "2", "2026"), "The start date must be a real date"),
        (_typed("date_to", "31", "", "2026"), "The end date must include a month"),
        (_typed("date_from", "1", "7", "26"), "The year must include 4 numbers"),
        ({"reference": "x" * 41}, "at most 40 characters"),
        ({"username": "a\x00b"}, "Null characters are not allowed"),
        ({"outcome": "everything"}, "Select a valid choice"),
        # Issue 17, defect 9: the edges of the calendar were an OverflowError (a 500).
        (date_post("date_to", "9999-12-31"), "The end date must be between 1 January 1900 and 31 December 2999"),
        (date_post("date_from", "9999-12-31"), "The start date must be between 1 January 1900 and 31 December 2999"),
        (_typed("date_from", "1", "1", "0001"), "The start date must be between"),
        (_typed("date_to", "99999999999999999999", "1", "2026"), "The end date must be a real date"),
    ],
)
def test_bad_filters_show_an_error_and_read_nothing(auditor_client, reads, params, message):
    response = auditor_client.get(TRAIL, params)
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body and message in body
    assert response.context["page"] is None
    assert not AccessLog.objects.filter(action=AccessLog.Action.AUDIT_READ).exists()
    assert auditor_client.get(EXPORT, params).status_code == 400


def test_date_filters_are_day_month_year_boxes_and_errors_link_to_the_day(auditor_client, coordinator):
    body = auditor_client.get(TRAIL).content.decode()
    assert 'name="date_from_day"' in body and 'name="date_to_year"' in body and 'type="date"' not in body
    response = auditor_client.get(TRAIL, _typed("date_to", "30", "2", "2026"))
    assert '<a href="#id_date_to_day">The end date must be a real date</a>' in response.content.decode()
    # What was typed stays in the boxes; a valid search's CSV link carries the three parts.
    assert 'id="id_date_to_day" name="date_to_day" type="text" inputmode="numeric" value="30"' in (
        response.content.decode()
    )
    access_record(user=coordinator, what="case page")
    body = auditor_client.get(TRAIL, date_post("date_from", "2020-01-01")).content.decode()
    assert "date_from_day=1&amp;date_from_month=1&amp;date_from_year=2020" in body


def test_every_read_of_the_trail_is_logged(auditor_client, auditor, reads):
    auditor_client.get(TRAIL, {"reference": "DA/2026/000111", "page": "1"})
    row = AccessLog.objects.get(action=AccessLog.Action.AUDIT_READ)
    assert row.username == auditor.username
    assert row.case_reference == "DA/2026/000111"
    assert row.what == "audit trail page 1: case DA/2026/000111"
    assert row.path == TRAIL
    # The logged read shows on the next search: the trail of the trail.
    response = auditor_client.get(TRAIL, {"action": "audit_read"})
    assert [r.pk for r in response.context["page"].object_list][-1] == row.pk


def _pages_queries(django_assert_num_queries, client, rows_wanted):
    # User (with roles and confirmed authenticators); the count and the page; the audit-read insert. The session comes
    # from Redis and was saved under a minute ago: no write.
    with django_assert_num_queries(4):
        response = client.get(TRAIL, {"page": "1"})
    assert len(response.context["page"].object_list) == rows_wanted
    with django_assert_num_queries(4):
        client.get(TRAIL, {"page": "2"})


def test_query_count_is_the_same_for_few_and_many_rows(auditor_client, coordinator, django_assert_num_queries):
    access_record(user=coordinator, what="case page")
    _pages_queries(django_assert_num_queries, auditor_client, 1)
    for _ in range(130):
        access_record(user=coordinator, what="case page")
    _pages_queries(django_assert_num_queries, auditor_client, 50)


def test_query_count_with_a_reference_filter_is_constant(auditor_client, coordinator, django_assert_num_queries):
    """The reference filter's case lookup is a subquery, not another query per row or per page."""
    CaseFactory(reference="DA/2026/000444")
    params = {"reference": "DA/2026/000444", **date_post("date_from", "2020-01-01")}
    access_record(user=coordinator, what="case page", case_reference="DA/2026/000444")
    with django_assert_num_queries(4):
        auditor_client.get(TRAIL, params)
    for _ in range(80):
        access_record(user=coordinator, what="case page", case_reference="DA/2026/000444")
    with django_assert_num_queries(4):
        response = auditor_client.get(TRAIL, {**params, "page": "2"})
    assert len(response.context["page"].object_list) == 32  # 81 reads + 1 logged search, 50 a page


def test_pagination_keeps_the_filters(auditor_client, coordinator):
    for _ in range(60):
        access_record(user=coordinator, what="case page", case_reference="DA/2026/000333")
    response = auditor_client.get(TRAIL, {"reference": "DA/2026/000333"})
    body = response.content.decode()
    assert "61 entries" not in body  # the audit read of this very page is logged after the count
    assert "60 entries, page 1 of 2" in body
    assert "?reference=DA%2F2026%2F000333&amp;page=2" in body


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_csv_export_has_the_filtered_rows_and_is_logged(auditor_client, auditor, reads):
    response = auditor_client.get(EXPORT, {"reference": "DA/2026/000111"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="access-log-')
    rows = _csv(response)
    assert rows[0][:4] == ["When (UTC)", "User", "Action", "Allowed"]
    assert [(r[1], r[2], r[3], r[6]) for r in rows[1:]] == [
        ("soo", "denied", "NO", "DA/2026/000111"),
        ("coordinator", "view", "yes", "DA/2026/000111"),
    ]
    read = AccessLog.objects.get(action=AccessLog.Action.AUDIT_READ)
    assert read.what == "audit trail CSV export: case DA/2026/000111"
    assert read.username == auditor.username


def test_csv_export_neutralises_spreadsheet_formulas(auditor_client):
    # A request path is attacker-chosen text, and it is logged: it must not run as a formula.
    access_record(user=None, what='=HYPERLINK("http://evil.example")', allowed=False)
    rows = _csv(auditor_client.get(EXPORT))
    whats = [r[7] for r in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example")' in whats


def test_the_auditor_role_alone_is_enough(verified_client):
    """An auditor with no staff record (information management) reads the trail."""
    user = UserFactory(staff=None, roles=[Role.AUDITOR])
    assert verified_client(user).get(TRAIL).status_code == 200


def test_displayed_times_are_london_time(auditor_client, coordinator):
    with time_machine.travel(dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        access_record(user=coordinator, what="case page")
    body = auditor_client.get(TRAIL, {"action": "view"}).content.decode()
    assert "1 Jul 2026 13:00:00" in body
    assert dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC).astimezone(LONDON).hour == 13

"""The statistics pages and exports: who may, what they show, what is logged, what it costs in queries."""

import csv
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from cases.models import Case
from oversight.statistics import exports
from ppda.date_input import date_post
from ppda.models import AccessLog
from ppda.roles import Role
from tests.factories.cases import CaseFactory
from tests.factories.directory import UserFactory

from .conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_client(coordinator, verified_client):
    return verified_client(coordinator)


@pytest.fixture
def chair_client(verified_client):
    return verified_client(UserFactory(username="chair", roles=[Role.PANEL_CHAIR]))


@time_machine.travel(NOW, tick=False)
def test_coordinators_see_exact_figures_with_charts_and_tables(known, coordinator_client):
    response = coordinator_client.get(reverse("statistics:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<img src="data:image/svg+xml;') >= 5
    assert "Cases by the perpetrator&#x27;s rank" in html or "Cases by the perpetrator's rank" in html
    assert "33.3% (1 of 3)" in html  # 72-hour compliance, exact
    assert "fewer than 10" not in html
    for case in known["cases"]:
        assert case.reference not in html  # figures never name a case


@time_machine.travel(NOW, tick=False)
def test_the_panel_chairs_view_is_suppressed(known, chair_client):
    response = chair_client.get(reverse("statistics:reduced"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "fewer than 10" in html
    assert "suppressed (base under 10)" in html
    assert "33.3%" not in html and "(1 of 3)" not in html
    assert "SOOs allocated" not in html  # no SOO workload in the reduced view


def test_the_panel_chair_may_not_see_the_exact_page_or_export(chair_client):
    for name in (
        "statistics:index",
        "statistics:figures_csv",
        "statistics:inspection_xlsx",
        "statistics:case_list_csv",
    ):
        assert chair_client.get(reverse(name)).status_code == 403


def _typed(name: str, day: str, month: str, year: str) -> dict[str, str]:
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


def test_a_bad_date_is_a_clear_error_not_a_500(coordinator_client):
    index = reverse("statistics:index")
    response = coordinator_client.get(
        index, {**_typed("date_from", "31", "2", "2026"), **_typed("date_to", "1", "13", "1999")}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="#id_date_from_day">The start date must be a real date</a>' in html
    assert '<a href="#id_date_to_day">The end date must be a real date</a>' in html
    response = coordinator_client.get(index, _typed("date_to", "", "2", "2026"))
    assert "The end date must include a day" in response.content.decode()
    response = coordinator_client.get(
        index, {**date_post("date_from", "2026-03-01"), **date_post("date_to", "2026-02-01")}
    )
    assert "The end date must be the same as or after the start date" in response.content.decode()
    response = coordinator_client.get(index, date_post("date_from", "9999-12-31"))
    assert "The start date must be between 1990 and 2100" in response.content.decode()


def test_the_period_is_typed_in_day_month_year_boxes_and_kept_in_the_download_links(coordinator_client):
    index = reverse("statistics:index")
    html = coordinator_client.get(index).content.decode()
    assert 'name="date_from_day"' in html and 'type="date"' not in html
    response = coordinator_client.get(
        index, {**date_post("date_from", "2026-01-01"), **date_post("date_to", "2026-06-30")}
    )
    assert response.context["described"] == "Cases received from 1 January 2026, received up to 30 June 2026"
    assert "date_from_day=1&amp;date_from_month=1&amp;date_from_year=2026" in response.content.decode()


def _seed(n):
    for _ in range(n):
        CaseFactory()


def test_the_page_runs_a_constant_number_of_queries(coordinator_client, django_assert_num_queries):
    _seed(1)
    coordinator_client.get(reverse("statistics:index"))  # warm the session
    # The user (sessions are in Redis); months, years, the case-level query, SOO years, open load, first
    # contact, support, closures: eight aggregates whatever the number of cases; the investigation figures
    # (cases and strands: two, oversight/statistics/investigations.py) and the panel figures (items and
    # themes: two, panels/statistics.py).
    with django_assert_num_queries(13):
        coordinator_client.get(reverse("statistics:index"))
    _seed(6)
    with django_assert_num_queries(13):
        coordinator_client.get(reverse("statistics:index"), {"category": "police_perpetrator"})


@time_machine.travel(NOW, tick=False)
def test_figure_exports_are_suppressed(known, coordinator_client):
    response = coordinator_client.get(reverse("statistics:figures_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    by_figure = {(r[1], r[2]): r[3:] for r in rows if len(r) > 3}
    assert by_figure[("Cases by route", "999/101 call")] == ["fewer than 10", "suppressed (base under 10)"]
    assert "1 of 3" not in text
    for case in known["cases"]:
        assert case.reference not in text
    response = coordinator_client.get(reverse("statistics:figures_xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "fewer than 10" in values and "33.3%" not in " ".join(map(str, values))


@time_machine.travel(NOW, tick=False)
def test_the_inspection_export_holds_live_and_recently_closed_cases_and_is_logged(known, coordinator_client):
    c1, c2, c3, c4 = known["cases"]
    old = CaseFactory(status=Case.Status.CLOSED, closed_at=NOW.replace(year=2025, month=1))  # closed 17 months ago
    response = coordinator_client.get(reverse("statistics:inspection_xlsx"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="ppda-inspection-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows.index(tuple(exports.INSPECTION_COLUMNS))
    refs = [r[0] for r in rows[header + 1 :]]
    assert refs == [c1.reference, c2.reference, c3.reference, c4.reference]
    assert old.reference not in refs
    first = dict(zip(exports.INSPECTION_COLUMNS, rows[header + 1], strict=True))
    assert first["Perpetrator rank band"] == "Above constable"
    assert first["First contact within 72 hours"] == "Yes"
    assert first["Completed SOO contacts"] == 3
    assert first["Criminal outcome"] == "Charged"
    summary = AccessLog.objects.get(action=AccessLog.Action.EXPORT, what__startswith="inspection export (XLSX): ")
    assert summary.what == "inspection export (XLSX): 4 rows"
    per_case = AccessLog.objects.filter(action=AccessLog.Action.EXPORT, what="inspection export (XLSX)")
    assert sorted(per_case.values_list("case_reference", flat=True)) == sorted(refs)


def test_the_case_list_export_is_logged_and_neutralises_formulas(coordinator_client, coordinator):
    case = CaseFactory(outcome='=HYPERLINK("http://x")')
    response = coordinator_client.get(reverse("statistics:case_list_csv"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == case.reference
    assert AccessLog.objects.filter(user=coordinator, what="case list export (CSV): 1 rows").exists()
    assert AccessLog.objects.filter(user=coordinator, case_reference=case.reference).exists()


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_cell_safe_neutralises_spreadsheet_formulas(value):
    assert exports.cell_safe(value) == "'" + value
    assert exports.cell_safe("Charged") == "Charged"
    assert exports.cell_safe(12) == 12


def test_xlsx_text_that_looks_like_a_formula_stays_text():
    content = exports._xlsx([("S", [["=cmd|' /C calc'!A0", 3]])])
    cell = load_workbook(io.BytesIO(content)).active["A1"]
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_a_coordinator_who_is_a_party_never_exports_their_own_case(verified_client):
    from tests.factories.cases import PoliceVictimFactory
    from tests.factories.directory import StaffMemberFactory

    staff = StaffMemberFactory()
    client = verified_client(UserFactory(username="party-coordinator", staff=staff, roles=[Role.COORDINATOR]))
    own, other = CaseFactory(), CaseFactory()
    PoliceVictimFactory(case=own, staff=staff)
    text = client.get(reverse("statistics:case_list_csv")).content.decode("utf-8-sig")
    assert other.reference in text and own.reference not in text
    sheet = load_workbook(io.BytesIO(client.get(reverse("statistics:inspection_xlsx")).content)).active
    refs = {r[0] for r in sheet.iter_rows(values_only=True)}
    assert other.reference in refs and own.reference not in refs

"""The spreadsheet import: all or nothing, idempotent, every problem by row and column, malformed files refused."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from cases.models import Case
from oversight.models import Allocation
from oversight.statistics.importing import COLUMN_NAMES, ImportFileError, read_rows, spreadsheet_import
from ppda.models import AccessLog, StaffMember
from tests.factories.directory import ChiefInspectorFactory, StaffMemberFactory
from tests.factories.oversight import soo_with_user

pytestmark = pytest.mark.django_db

SAMPLE = (Path(__file__).resolve().parents[2] / "docs" / "import-sample.csv").read_bytes()


@pytest.fixture
def directory(db):
    for n in range(1, 6):
        StaffMemberFactory(employee_number=f"S90000{n}", rank=StaffMember.Rank.CONSTABLE)
    soo_with_user(employee_number="S900101")
    ChiefInspectorFactory(employee_number="S900102")


def _run(coordinator, content, *, commit=True, name="import.csv"):
    return spreadsheet_import(name=name, content=content, user=coordinator, commit=commit)


def test_the_sample_imports_and_importing_it_again_adds_nothing(directory, coordinator):
    result = _run(coordinator, SAMPLE)
    assert result.problems == [] and result.committed
    assert sorted(result.created) == ["DA/2024/900001", "DA/2024/900002", "DA/2025/900003", "DA/2025/900004"]
    closed = Case.objects.get(reference="DA/2024/900001")
    assert closed.status == Case.Status.CLOSED and closed.outcome == "Charged"
    assert f"{closed.closed_at:%Y-%m-%d}" == "2024-11-20"
    assert closed.allocations.get().status == Allocation.Status.ENDED
    live = Case.objects.get(reference="DA/2025/900003")
    assert live.status == Case.Status.ACTIVE
    assert live.allocations.get().status == Allocation.Status.ACCEPTED
    assert Case.objects.get(reference="DA/2025/900004").status == Case.Status.TRIAGED  # labels accepted
    assert closed.history.exists()  # written through the services, with history
    assert AccessLog.objects.filter(what="imported from the spreadsheet").count() == 4

    again = _run(coordinator, SAMPLE)
    assert again.created == [] and sorted(again.skipped) == sorted(result.created) and again.problems == []
    assert Case.objects.count() == 4 and Allocation.objects.count() == 3


def test_the_dry_run_reports_and_writes_nothing(directory, coordinator):
    result = _run(coordinator, SAMPLE, commit=False)
    assert len(result.created) == 4 and not result.committed
    assert Case.objects.count() == 0 and Allocation.objects.count() == 0
    assert not AccessLog.objects.filter(what="imported from the spreadsheet").exists()


def test_one_bad_row_writes_nothing_and_names_the_row_and_the_problem(directory, coordinator):
    lines = SAMPLE.decode().splitlines()
    bad = lines[3].replace("2025-06-01", "2025-02-30").replace(",both,", ",both-ish,")
    content = "\n".join([*lines[:3], bad, *lines[4:]]).encode()
    result = _run(coordinator, content)
    assert not result.committed and result.created == []
    assert Case.objects.count() == 0
    assert [(p.row, p.column) for p in result.problems] == [(4, "received_date"), (4, "category")]
    assert str(result.problems[0]) == (
        "Row 4, column received_date: '2025-02-30' is not a date. Expected a date, like 2026-01-31 or 31/01/2026."
    )


def test_service_rules_are_reported_against_the_row(directory, coordinator):
    # An employee number nobody has: intake_create's own rule, mapped to the column.
    content = SAMPLE.decode().replace("S900005", "S999999").encode()
    result = _run(coordinator, content, commit=False)
    assert [(p.row, p.column, p.problem) for p in result.problems] == [
        (5, "suspect_employee_number", "No one in the staff directory has this employee number")
    ]


def test_row_checks(directory, coordinator):
    header = ",".join(COLUMN_NAMES)
    rows = [
        # duplicate reference, SOO not a chief inspector, first contact before allocation, closed without date
        "DA/2025/900010,2025-01-05,call,police_perpetrator,,,,V,One,,S900001,,,,S900002,2025-01-06,2025-01-04,closed,,",
        "DA/2025/900010,2025-01-05,call,police_perpetrator,,,,V,Two,,S900001,,,,,,,open,,",
        "DA/2025/900011,2025-01-05,call,police_perpetrator,,,,,,,S900001,,,,,,,pending,,",
    ]
    result = _run(coordinator, "\n".join([header, *rows]).encode(), commit=False)
    found = {(p.row, p.column) for p in result.problems}
    assert {
        (2, "soo_employee_number"),
        (2, "first_contact_date"),
        (2, "closed_date"),
        (3, "reference"),
        (4, "status"),
        (4, "victim_employee_number"),
    } <= found


def test_xlsx_files_import_too(directory, coordinator):
    workbook = Workbook()
    sheet = workbook.active
    lines = [line.split(",") for line in SAMPLE.decode().splitlines()]
    for line in lines:
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = _run(coordinator, buffer.getvalue(), name="sheet.xlsx")
    assert result.committed and len(result.created) == 4


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.csv", b"", "The file is empty."),
        ("x.xlsx", b"PK\x03\x04 not really a zip", "not a CSV or XLSX spreadsheet"),
        ("x.csv", b"\x00\x01\x02binary\xff\xfe", "not a CSV or XLSX spreadsheet"),
        ("x.csv", b"name,date\nA,B\n", "The columns are not the import layout (missing reference"),
        ("x.csv", b"x" * (5 * 1024 * 1024 + 1), "too large"),
    ],
)
def test_malformed_files_get_a_clear_error(name, content, message):
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(")):
        read_rows(name, content)


def test_the_page_refuses_a_50_mb_file_clearly_and_shows_problems(directory, coordinator, verified_client):
    client = verified_client(coordinator)
    url = reverse("statistics:import")
    assert client.get(url).status_code == 200
    big = SimpleUploadedFile("big.csv", b"a" * (50 * 1024 * 1024), content_type="text/csv")
    response = client.post(url, {"file": big, "action": "check"})
    assert response.status_code == 200
    assert "The file is too large (50 MB): the limit is 5 MB." in response.content.decode()
    bad = SAMPLE.decode().replace("2025-06-01", "yesterday").encode()
    response = client.post(url, {"file": SimpleUploadedFile("s.csv", bad), "action": "import"})
    html = response.content.decode()
    assert "nothing was imported" in html and "&#x27;yesterday&#x27; is not a date" in html
    response = client.post(url, {"file": SimpleUploadedFile("s.csv", SAMPLE), "action": "import"})
    assert "4 cases imported" in response.content.decode()
    assert Case.objects.count() == 4

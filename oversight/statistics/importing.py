"""Import of the force's existing spreadsheet (docs/import.md documents the columns; docs/import-sample.csv).

One pass reads and checks every row (dates, choices, the SOO in the staff directory, dates in order), then
writes each new case through the intake service (intake_create: the same rules, history and parties as the
intake form) and the case lifecycle service (case_status_change). Historical allocations are recorded with
the spreadsheet's dates: allocation_create always allocates *now* and notifies the SOO, which is right for a
new allocation and wrong for one made last year.

- All or nothing: the whole file is written in one transaction; any problem in any row writes nothing.
- A dry run does the same work in a transaction that is rolled back, so it reports exactly what an import
  would (every row's problems in plain English: row number, column, what is wrong, what is expected).
- Idempotent: a row whose reference is already a case is skipped, so importing the same file twice creates
  no duplicate.
- Every imported case is written to the access log (collection is logged, DPA 2018 s.62).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from cases.models import Case, Party
from cases.selectors import VIEW_CASE
from cases.services import IntakeInput, PartyInput, case_status_change, intake_create, reference_clean
from oversight.models import CLOSED_END_REASON, Allocation
from ppda.audit import CASE_OBJECT_TYPE, access_record
from ppda.errors import ApplicationError
from ppda.models import AccessLog, StaffMember
from ppda.permissions import grant

from .cache import statistics_invalidate

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
LONDON = timezone.get_default_timezone()

# (column, required, what is expected) in the documented order.
COLUMNS = [
    ("reference", True, "the force reference, like DA/2026/000123"),
    ("received_date", True, "a date, like 2026-01-31 or 31/01/2026"),
    ("route", True, "one of: " + ", ".join(Case.Route.values)),
    ("category", True, "one of: " + ", ".join(Case.Category.values)),
    ("risk", False, "standard, medium or high, or empty"),
    ("duty", False, "on, off or unknown, or empty"),
    ("victim_employee_number", False, "the victim's employee number if they work for the police"),
    ("victim_first_name", False, "the victim's first name if they do not"),
    ("victim_last_name", False, "the victim's last name if they do not"),
    ("victim_date_of_birth", False, "a date, or empty"),
    ("suspect_employee_number", False, "the suspect's employee number if they work for the police"),
    ("suspect_first_name", False, "the suspect's first name if they do not"),
    ("suspect_last_name", False, "the suspect's last name if they do not"),
    ("suspect_date_of_birth", False, "a date, or empty"),
    ("soo_employee_number", False, "the SOO's employee number (a chief inspector), or empty if not allocated"),
    ("allocated_date", False, "a date on or after the received date, or empty"),
    ("first_contact_date", False, "a date on or after the allocated date, or empty"),
    ("status", True, "open or closed"),
    ("closed_date", False, "a date on or after the received date, for a closed case"),
    ("outcome", False, "the investigation's outcome in a few words, or empty"),
]
COLUMN_NAMES = [c for c, _, _ in COLUMNS]
EXPECTED = {c: e for c, _, e in COLUMNS}
REQUIRED = [c for c, r, _ in COLUMNS if r]


class ImportFileError(Exception):
    """The file as a whole cannot be read (not a spreadsheet, wrong columns, too large)."""


@dataclass(frozen=True)
class Problem:
    row: int  # the spreadsheet's row number (the header is row 1)
    column: str
    problem: str
    expected: str

    def __str__(self):
        return f"Row {self.row}, column {self.column}: {self.problem}. Expected {self.expected}."


@dataclass
class ImportResult:
    rows: int = 0
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # references already imported
    problems: list[Problem] = field(default_factory=list)
    committed: bool = False


# -- Reading ------------------------------------------------------------------------------------------------


def read_rows(name: str, content: bytes) -> list[dict[str, object]]:
    """The rows as dicts keyed by column name; ImportFileError for a file that cannot be an import."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(f"The file is too large ({len(content) // (1024 * 1024)} MB): the limit is 5 MB.")
    if not content.strip():
        raise ImportFileError("The file is empty.")
    if content[:4] == b"PK\x03\x04" or name.lower().endswith(".xlsx"):
        table = _xlsx_rows(content)
    else:
        table = _csv_rows(content)
    if not table:
        raise ImportFileError("The file has no header row.")
    header = [str(h or "").strip().lower() for h in table[0]]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h and h not in COLUMN_NAMES]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("missing " + ", ".join(missing))
        if unknown:
            parts.append("not recognised: " + ", ".join(unknown[:10]))
        raise ImportFileError(
            "The columns are not the import layout (" + "; ".join(parts) + "). The first row must name the "
            "columns as in the import guide: " + ", ".join(COLUMN_NAMES) + "."
        )
    body = [r for r in table[1:] if any(str(v or "").strip() for v in r)]
    if len(body) > MAX_ROWS:
        raise ImportFileError(f"The file has {len(body)} rows: import at most {MAX_ROWS} at a time.")
    rows = []
    for number, values in enumerate(table[1:], start=2):
        if not any(str(v or "").strip() for v in values):
            continue
        row = {h: (values[i] if i < len(values) else None) for i, h in enumerate(header) if h}
        row["_row"] = number
        rows.append(row)
    return rows


def _csv_rows(content: bytes) -> list[list]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            raise ImportFileError("The file is not a CSV or XLSX spreadsheet.") from None
    if "\x00" in text:
        raise ImportFileError("The file is not a CSV or XLSX spreadsheet.")
    try:
        return list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise ImportFileError(f"The file is not a readable CSV file ({exc}).") from None


def _xlsx_rows(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise ImportFileError("The file is not a CSV or XLSX spreadsheet.") from exc
    except Exception as exc:  # openpyxl raises many types for a damaged file; none should be a 500
        raise ImportFileError("The file is not a CSV or XLSX spreadsheet, or it is damaged.") from exc
    try:
        sheet = workbook.worksheets[0]
        out = []
        for i, row in enumerate(sheet.iter_rows(values_only=True)):
            if i > MAX_ROWS + 1:
                raise ImportFileError(f"The file has more than {MAX_ROWS} rows: import at most {MAX_ROWS} at a time.")
            out.append(list(row))
        return out
    finally:
        workbook.close()


# -- Checking -----------------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value) -> dt.date | None:
    """A date from a cell: a spreadsheet date, or text as YYYY-MM-DD or DD/MM/YYYY. Raises ValueError."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _choice(value, choices) -> str | None:
    """A choice by its code or its label, any case; None when it is neither."""
    text = _text(value).casefold()
    for code, label in choices:
        if text in (str(code).casefold(), str(label).casefold()):
            return code
    return None


def _at(day: dt.date) -> dt.datetime:
    """A spreadsheet date as a moment: 09:00 UK time that day (the sheet records days, not times)."""
    return dt.datetime.combine(day, dt.time(9, 0), tzinfo=LONDON)


@dataclass
class _Row:
    number: int
    intake: IntakeInput
    soo: StaffMember | None
    allocated: dt.date | None
    first_contact: dt.date | None
    closed: dt.date | None
    outcome: str


def _party(row, prefix: str, role: str, add) -> PartyInput:
    number = _text(row.get(f"{prefix}_employee_number")).upper()
    first, last = _text(row.get(f"{prefix}_first_name")), _text(row.get(f"{prefix}_last_name"))
    try:
        born = _date(row.get(f"{prefix}_date_of_birth"))
    except ValueError:
        add(f"{prefix}_date_of_birth", "this is not a date", EXPECTED[f"{prefix}_date_of_birth"])
        born = None
    if not number and not (first and last):
        add(
            f"{prefix}_employee_number",
            f"the {prefix} is missing",
            f"an employee number, or a first and last name, for the {prefix}",
        )
    return PartyInput(
        role=role, is_police=bool(number), employee_number=number, first_name=first, last_name=last, date_of_birth=born
    )


def _check(rows, problems: list[Problem]) -> list[_Row]:
    numbers = {_text(r.get("soo_employee_number")).upper() for r in rows} - {""}
    soos = {s.employee_number.upper(): s for s in StaffMember.objects.filter(employee_number__in=numbers)}
    seen: dict[str, int] = {}
    out = []
    for row in rows:
        n = row["_row"]
        before = len(problems)

        def add(column, problem, expected, n=n):
            problems.append(Problem(n, column, problem, expected))

        reference = reference_clean(_text(row.get("reference")))
        if not reference:
            add("reference", "the reference is empty", EXPECTED["reference"])
        elif reference in seen:
            add("reference", f"the same reference is on row {seen[reference]}", "each case once in the file")
        else:
            seen[reference] = n
        dates = {}
        for column in ("received_date", "allocated_date", "first_contact_date", "closed_date"):
            try:
                dates[column] = _date(row.get(column))
            except ValueError as exc:
                add(column, f"'{str(exc)[:40]}' is not a date", EXPECTED[column])
                dates[column] = None
        received = dates["received_date"]
        if received is None and "received_date" not in {p.column for p in problems[before:]}:
            add("received_date", "the received date is empty", EXPECTED["received_date"])
        route = _choice(row.get("route"), Case.Route.choices)
        if route is None:
            add("route", f"'{_text(row.get('route'))[:40]}' is not a route", EXPECTED["route"])
        category = _choice(row.get("category"), Case.Category.choices)
        if category is None:
            add("category", f"'{_text(row.get('category'))[:40]}' is not a category", EXPECTED["category"])
        risk = _choice(row.get("risk"), Case.Risk.choices) if _text(row.get("risk")) else ""
        if risk is None:
            add("risk", f"'{_text(row.get('risk'))[:40]}' is not a risk level", EXPECTED["risk"])
        duty = _choice(row.get("duty"), Case.Duty.choices) if _text(row.get("duty")) else Case.Duty.UNKNOWN
        if duty is None:
            add("duty", f"'{_text(row.get('duty'))[:40]}' is not on or off duty", EXPECTED["duty"])
        status = _text(row.get("status")).casefold()
        if status not in ("open", "closed"):
            add("status", f"'{_text(row.get('status'))[:40]}' is not a status", EXPECTED["status"])
        victim = _party(row, "victim", Party.Role.VICTIM, add)
        suspect = _party(row, "suspect", Party.Role.SUSPECT, add)

        soo_number = _text(row.get("soo_employee_number")).upper()
        soo = soos.get(soo_number) if soo_number else None
        if soo_number and (soo is None or soo.rank != StaffMember.Rank.CHIEF_INSPECTOR):
            add(
                "soo_employee_number",
                "no chief inspector in the staff directory has this employee number",
                EXPECTED["soo_employee_number"],
            )
        allocated, first_contact, closed = dates["allocated_date"], dates["first_contact_date"], dates["closed_date"]
        if soo_number and allocated is None:
            add("allocated_date", "an SOO is named but the allocated date is empty", EXPECTED["allocated_date"])
        if allocated and not soo_number:
            add("soo_employee_number", "an allocated date is given but no SOO", EXPECTED["soo_employee_number"])
        if received and allocated and allocated < received:
            add("allocated_date", "the case was allocated before it was received", EXPECTED["allocated_date"])
        if first_contact and (allocated is None or first_contact < allocated):
            add("first_contact_date", "first contact is before the allocation", EXPECTED["first_contact_date"])
        if status == "closed":
            if closed is None:
                add("closed_date", "the case is closed but the closed date is empty", EXPECTED["closed_date"])
            elif received and closed < received:
                add("closed_date", "the case was closed before it was received", EXPECTED["closed_date"])
            if not soo_number:
                add("soo_employee_number", "a closed case needs the SOO who oversaw it", "an SOO's employee number")
        elif closed:
            add("closed_date", "the case is open but has a closed date", "empty for an open case")
        today = timezone.localdate()
        for column, value in dates.items():
            if value and not (dt.date(1990, 1, 1) <= value <= today):
                add(column, "the date is not between 1990 and today", EXPECTED[column])
        if len(problems) == before:
            out.append(
                _Row(
                    number=n,
                    intake=IntakeInput(
                        reference=reference,
                        received_at=_at(received),
                        route=route,
                        category=category,
                        duty=duty,
                        risk_level=risk,
                        summary="Imported from the spreadsheet.",
                        parties=[victim, suspect],
                    ),
                    soo=soo,
                    allocated=allocated,
                    first_contact=first_contact,
                    closed=closed if status == "closed" else None,
                    outcome=_text(row.get("outcome"))[:120],
                )
            )
    return out


# -- Writing ------------------------------------------------------------------------------------------------

# ApplicationError keys from intake_create -> the spreadsheet's columns.
_SERVICE_COLUMNS = {
    "reference": "reference",
    "received_at": "received_date",
    "route": "route",
    "category": "category",
    "duty": "duty",
    "risk_level": "risk",
    "parties": "victim_employee_number",
}


def _service_column(key: str) -> str:
    if key.startswith("parties."):
        _, index, name = key.split(".", 2)
        prefix = "victim" if index == "0" else "suspect"
        return f"{prefix}_{name}"
    return _SERVICE_COLUMNS.get(key, key or "reference")


def _write(row: _Row, *, user) -> Case:
    case = intake_create(data=row.intake, created_by=user)
    case = case_status_change(case=case, to_status=Case.Status.TRIAGED, user=user)
    if row.soo is not None:
        allocated_at = _at(row.allocated)
        closed = row.closed is not None
        Allocation.objects.create(
            case=case,
            soo=row.soo,
            status=Allocation.Status.ENDED if closed else Allocation.Status.ACCEPTED,
            allocated_at=allocated_at,
            allocated_by=user,
            responded_at=allocated_at,
            first_contact_due=Allocation.due_for(allocated_at),
            first_contact_met_at=_at(row.first_contact) if row.first_contact else None,
            no_conflict_declaration="Recorded before this service: imported from the spreadsheet.",
            ended_at=_at(row.closed) if closed else None,
            end_reason=CLOSED_END_REASON if closed else "",
        )
        case = case_status_change(case=case, to_status=Case.Status.ALLOCATED, user=user)
        case = case_status_change(case=case, to_status=Case.Status.ACTIVE, user=user)
        if closed:
            case = case_status_change(case=case, to_status=Case.Status.CLOSED, user=user)
        else:
            soo_user = getattr(row.soo, "user", None)
            if soo_user is not None:
                grant(soo_user, VIEW_CASE, case, by=user, source="spreadsheet_import")
    if row.closed or row.outcome:
        case.closed_at = _at(row.closed) if row.closed else case.closed_at
        case.outcome = row.outcome
        case._history_user = user
        case.save(update_fields=["closed_at", "outcome"])
    return case


def spreadsheet_import(*, name: str, content: bytes, user, commit: bool, request=None) -> ImportResult:
    """Check every row, then write every new case, all or nothing. With commit=False (the dry run) the same
    writes are made and rolled back, so the preview reports exactly what an import would do."""
    rows = read_rows(name, content)
    result = ImportResult(rows=len(rows))
    existing = set(
        Case.objects.filter(reference__in=[reference_clean(_text(r.get("reference"))) for r in rows]).values_list(
            "reference", flat=True
        )
    )
    fresh = []
    for r in rows:
        reference = reference_clean(_text(r.get("reference")))
        if reference and reference in existing:
            result.skipped.append(reference)
        else:
            fresh.append(r)
    checked = _check(fresh, result.problems)
    with transaction.atomic():
        for row in checked:
            try:
                with transaction.atomic():
                    case = _write(row, user=user)
            except ApplicationError as exc:
                for key, messages in exc.errors.items():
                    column = _service_column(key)
                    for message in messages:
                        result.problems.append(Problem(row.number, column, message, EXPECTED.get(column, "")))
                continue
            result.created.append(case.reference)
            if commit:
                access_record(
                    request=request,
                    user=user,
                    action=AccessLog.Action.CHANGE,
                    object_type=CASE_OBJECT_TYPE,
                    object_id=str(case.public_id),
                    case_reference=case.reference,
                    what="imported from the spreadsheet",
                )
        result.problems.sort(key=lambda p: (p.row, COLUMN_NAMES.index(p.column) if p.column in COLUMN_NAMES else 99))
        if result.problems or not commit:
            transaction.set_rollback(True)
            if result.problems and commit:
                result.created = []
        else:
            result.committed = True
            # The imported cases change every figure: the kept figures go when this commits.
            transaction.on_commit(statistics_invalidate)
    return result

"""The auditor's pages. Auditors only (not superusers, not coordinators); every read is itself logged."""

import csv
import datetime as dt

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ppda.audit import access_record
from ppda.models import AccessLog
from ppda.permissions import require_role
from ppda.roles import Role

from .forms import GrantSearchForm, TrailSearchForm
from .selectors import access_log_search, grant_events_search, grants_held_at

PAGE_SIZE = 50
CSV_COLUMNS = [
    ("at", "When (UTC)"),
    ("username", "User"),
    ("action", "Action"),
    ("allowed", "Allowed"),
    ("object_type", "Object type"),
    ("object_id", "Object id"),
    ("case_reference", "Case reference"),
    ("what", "What"),
    ("path", "Path"),
    ("ip_address", "IP address"),
]


def _log_read(request, form, what: str, *, object_type: str = "ppda.accesslog") -> AccessLog:
    """The auditor's own read, logged with the filters in words (never case content)."""
    return access_record(
        request=request,
        action=AccessLog.Action.AUDIT_READ,
        object_type=object_type,
        case_reference=form.cleaned_data.get("reference", "")[:40],
        what=f"{what}: {form.summary()}",
    )


@never_cache
@require_GET
def trail(request):
    """Search the access log: who accessed case X, what did user Y access, between which dates."""
    require_role(request.user, Role.AUDITOR)
    form = TrailSearchForm(request.GET)
    page = None
    if form.is_valid():
        paginator = Paginator(access_log_search(**form.cleaned_data), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        # Evaluate the page before logging, so this read is not the first row the auditor sees.
        page.object_list = list(page.object_list)
        _log_read(request, form, f"audit trail page {page.number}")
    return render(request, "audit/trail.html", {"form": form, "page": page})


def _csv_safe(value) -> str:
    """Neutralise spreadsheet formulas: paths and usernames in the log can carry attacker-chosen text."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def _csv_value(row, name: str):
    value = getattr(row, name)
    if name == "at":
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    if name == "allowed":
        return "yes" if value else "NO"
    return value


def _csv_response(rows, columns, filename: str) -> StreamingHttpResponse:
    """The rows as a streamed CSV file (an export may hold many thousands of rows), formulas neutralised."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow([label for _, label in columns])
        for row in rows.iterator(chunk_size=2000):
            yield writer.writerow([_csv_safe(_csv_value(row, name)) for name, _ in columns])

    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    return response


@never_cache
@require_GET
def trail_export(request):
    """The same search as a CSV file, streamed (an export may hold many thousands of rows)."""
    require_role(request.user, Role.AUDITOR)
    form = TrailSearchForm(request.GET)
    if not form.is_valid():
        return render(request, "audit/trail.html", {"form": form, "page": None}, status=400)
    read = _log_read(request, form, "audit trail CSV export")
    # The rows stream after this view returns: leave out the export's own log row, as the page does.
    rows = access_log_search(**form.cleaned_data).exclude(pk=read.pk)
    return _csv_response(rows, CSV_COLUMNS, "access-log")


# -- Roles and case grants ----------------------------------------------------------------------------------

GRANT_CSV_COLUMNS = [
    ("at", "When (UTC)"),
    ("change", "Change"),
    ("kind", "Kind"),
    ("username", "User"),
    ("group", "Role or group"),
    ("permission", "Permission"),
    ("object_type", "Object type"),
    ("object_id", "Object id"),
    ("case_reference", "Case reference"),
    ("by_username", "By"),
    ("source", "How"),
]


def _grant_rows(form: GrantSearchForm):
    data = form.cleaned_data
    if data.get("held_at"):
        return grants_held_at(at=data["held_at"], **data)
    return grant_events_search(**data)


@never_cache
@require_GET
def grants(request):
    """Who had which role and which case grant: every change with who made it, or what was held at a moment."""
    require_role(request.user, Role.AUDITOR)
    form = GrantSearchForm(request.GET)
    page = None
    if form.is_valid():
        page = Paginator(_grant_rows(form), PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
        _log_read(request, form, f"grant history page {page.number}", object_type="ppda.grantevent")
    return render(request, "audit/grants.html", {"form": form, "page": page})


@never_cache
@require_GET
def grants_export(request):
    """The same search as a CSV file, streamed."""
    require_role(request.user, Role.AUDITOR)
    form = GrantSearchForm(request.GET)
    if not form.is_valid():
        return render(request, "audit/grants.html", {"form": form, "page": None}, status=400)
    _log_read(request, form, "grant history CSV export", object_type="ppda.grantevent")
    return _csv_response(_grant_rows(form), GRANT_CSV_COLUMNS, "grant-history")

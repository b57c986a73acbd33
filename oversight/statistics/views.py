"""The statistics pages and exports. Thin: validate the filters, call a selector, render or write a file."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ppda.access import denial_context, role_page
from ppda.roles import Role, has_role

from . import exports, importing
from .cache import figures_block
from .charts import chart_data_uri
from .forms import ImportForm, StatisticsFilterForm
from .selectors import statistics_tables, statistics_tables_reduced

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sections(tables, *, suppress: bool) -> list[dict]:
    out: list[dict] = []
    for table in tables:
        if not out or out[-1]["title"] != table.section:
            out.append({"title": table.section, "tables": []})
        out[-1]["tables"].append(
            {
                "table": table,
                "rows": table.shown(suppress=suppress),
                "chart": chart_data_uri(table, suppress=suppress) if table.available else None,
            }
        )
    return out


def _figures_context(stats_filter, *, reduced: bool) -> dict:
    """The figures block (kept a short time, oversight/statistics/cache.py) and when it was worked out. The panel's
    reduced view is its own block: suppressed, and only its tables."""

    def build() -> dict:
        if reduced:
            return {"sections": _sections(statistics_tables_reduced(stats_filter), suppress=True)}
        return {"sections": _sections(statistics_tables(stats_filter), suppress=False)}

    html, at = figures_block(view="reduced" if reduced else "full", filter_key=repr(stats_filter), build=build)
    seconds = getattr(settings, "STATISTICS_CACHE_SECONDS", 0)
    return {"figures": mark_safe(html), "figures_at": at, "cache_minutes": -(-seconds // 60)}  # noqa: S308


def _download(content: bytes, *, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{timezone.localdate():%Y-%m-%d}.{name_ext(content_type)}"'
    )
    response["Cache-Control"] = "no-store"
    return response


def name_ext(content_type: str) -> str:
    return "xlsx" if content_type == XLSX else "csv"


@never_cache
@require_GET
@role_page(Role.COORDINATOR, what="statistics")
def index(request):
    """The coordinators' statistics: exact figures, each chart with its table."""
    form = StatisticsFilterForm(request.GET or None)
    stats_filter = form.stats_filter()
    return render(
        request,
        "statistics/index.html",
        {
            "form": form,
            "described": stats_filter.describe(),
            **_figures_context(stats_filter, reduced=False),
            "suppressed": False,
            "query": request.GET.urlencode() if form.is_bound and form.is_valid() else "",
            "import_url": reverse("statistics:import"),
        },
    )


@never_cache
@require_GET
def reduced(request):
    """The panel chair's reduced view (coordinators may preview it): headline figures, small numbers suppressed."""
    if not (has_role(request.user, Role.PANEL_CHAIR) or has_role(request.user, Role.COORDINATOR)):
        denial_context(request, what="statistics (panel view)")
        raise PermissionDenied
    form = StatisticsFilterForm(request.GET or None)
    stats_filter = form.stats_filter()
    return render(
        request,
        "statistics/index.html",
        {
            "form": form,
            "described": stats_filter.describe(),
            **_figures_context(stats_filter, reduced=True),
            "suppressed": True,
            "query": "",
        },
    )


def _figures(request):
    form = StatisticsFilterForm(request.GET or None)
    stats_filter = form.stats_filter()
    return statistics_tables(stats_filter), stats_filter.describe()


@never_cache
@require_GET
@role_page(Role.COORDINATOR, what="statistics CSV export")
def figures_csv(request):
    """Every figure, small numbers suppressed (an export leaves the coordinators), as CSV."""
    tables, described = _figures(request)
    return _download(exports.figures_csv(tables, described=described), name="ppda-figures", content_type="text/csv")


@never_cache
@require_GET
@role_page(Role.COORDINATOR, what="statistics XLSX export")
def figures_xlsx(request):
    tables, described = _figures(request)
    return _download(exports.figures_xlsx(tables, described=described), name="ppda-figures", content_type=XLSX)


@never_cache
@require_GET
@role_page(Role.COORDINATOR, what="inspection export")
@transaction.atomic
def inspection_xlsx(request):
    """Live cases and cases closed in the last 12 months, for the inspectorate. Logged with its row count."""
    now = timezone.now()
    rows, cases = exports.inspection_rows(user=request.user, now=now)
    exports.export_log(request=request, what="inspection export (XLSX)", cases=cases)
    return _download(exports.inspection_xlsx(rows, now=now), name="ppda-inspection", content_type=XLSX)


@never_cache
@require_GET
@role_page(Role.COORDINATOR, what="case list export")
@transaction.atomic
def case_list_csv(request):
    """The filtered cohort's cases (reference and case facts, no personal details) as CSV. Logged."""
    form = StatisticsFilterForm(request.GET or None)
    rows, cases = exports.case_list_rows(form.stats_filter().cases(), user=request.user)
    exports.export_log(request=request, what="case list export (CSV)", cases=cases)
    return _download(exports.case_list_csv(rows), name="ppda-cases", content_type="text/csv")


@never_cache
@role_page(Role.COORDINATOR, what="spreadsheet import")
def spreadsheet_import(request):
    """Upload the existing spreadsheet: "Check" is a dry run; "Import" writes every new case, or nothing."""
    form = ImportForm(request.POST or None, request.FILES or None)
    result, file_error = None, ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > importing.MAX_BYTES:
            file_error = f"The file is too large ({upload.size // (1024 * 1024)} MB): the limit is 5 MB."
        else:
            try:
                result = importing.spreadsheet_import(
                    name=upload.name,
                    content=upload.read(),
                    user=request.user,
                    commit=request.POST.get("action") == "import",
                    request=request,
                )
            except importing.ImportFileError as exc:
                file_error = str(exc)
        if file_error:
            form.add_error("file", file_error)
    return render(
        request,
        "statistics/import.html",
        {"form": form, "result": result, "columns": importing.COLUMNS},
        status=200,
    )

"""Thin views: every case page goes through investigations.access (404 for anything not yours)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ppda.access import role_page
from ppda.errors import ApplicationError, apply_to_form
from ppda.roles import Role

from . import selectors, services, timeline
from .access import investigation_get_for_user
from .forms import InvestigationOpenForm, PsdAssignForm, PsdUpdateForm
from .models import PsdAssignment


@role_page(Role.PSD_REP, what="PSD representative's cases")
def psd_cases(request):
    rows = selectors.psd_cases_for_user(request.user, now=timezone.now())
    return render(request, "investigations/psd_cases.html", {"rows": rows})


def investigation(request, public_id):
    access = investigation_get_for_user(request, public_id, what="investigation record")
    case = access.case
    return render(
        request,
        "investigations/detail.html",
        {
            "case": case,
            "access": access,
            "investigation": selectors.investigation_for_case(case),
            "updates": selectors.psd_updates_for_case(case),
            "assignments": selectors.assignments_for_case(case) if access.is_coordinator else [],
        },
    )


@require_http_methods(["GET", "POST"])
def investigation_open(request, public_id):
    access = investigation_get_for_user(request, public_id, what="open the investigation record", post=True)
    case = access.case
    if selectors.investigation_for_case(case) is not None:
        return redirect("cases:investigation", case.public_id)
    form = InvestigationOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.investigation_open(case=case, by=request.user, **form.cleaned_data)
        except ApplicationError as e:
            apply_to_form(form, e)
        else:
            messages.success(request, "The investigation record is open.")
            return redirect("cases:investigation", case.public_id)
    return render(request, "investigations/open.html", {"case": case, "form": form})


@require_http_methods(["GET", "POST"])
def investigation_update(request, public_id):
    access = investigation_get_for_user(request, public_id, what="post a PSD update", post=True)
    case = access.case
    record = selectors.investigation_for_case(case)
    if record is None:
        return redirect("cases:investigation_open", case.public_id)
    form = PsdUpdateForm(request.POST or None, investigation=record)
    if request.method == "POST" and form.is_valid():
        try:
            services.psd_update_post(investigation=record, by=request.user, **form.cleaned_data)
        except ApplicationError as e:
            apply_to_form(form, e)
        else:
            messages.success(request, "Your update is posted. The SOO and the coordinators have been told.")
            return redirect("cases:investigation", case.public_id)
    return render(request, "investigations/update.html", {"case": case, "form": form, "investigation": record})


@require_http_methods(["GET", "POST"])
def psd_assign(request, public_id):
    access = investigation_get_for_user(request, public_id, what="PSD assignment", coordinator=True)
    case = access.case
    form = PsdAssignForm(
        request.POST if request.method == "POST" and "remove" not in request.POST else None,
        queryset=selectors.psd_reps_assignable(),
    )
    if request.method == "POST":
        if "remove" in request.POST:
            raw = request.POST.get("remove", "")
            assignment = (
                PsdAssignment.objects.filter(case=case, pk=int(raw)).select_related("user").first()
                if raw.isdigit()
                else None
            )
            if assignment is None:
                raise Http404("No such assignment.")
            try:
                services.psd_unassign(assignment=assignment, by=request.user)
            except ApplicationError as e:
                messages.error(request, e.message)
            else:
                messages.success(request, f"{assignment.user.display_name} is no longer assigned to this case.")
            return redirect("cases:psd_assign", case.public_id)
        if form.is_valid():
            try:
                assignment = services.psd_assign(case=case, user=form.cleaned_data["user"], by=request.user)
            except ApplicationError as e:
                apply_to_form(form, e)
            else:
                messages.success(request, f"{assignment.user.display_name} is assigned to this case.")
                return redirect("cases:psd_assign", case.public_id)
    return render(
        request,
        "investigations/assign.html",
        {"case": case, "form": form, "assignments": selectors.assignments_for_case(case)},
    )


def case_timeline(request, public_id):
    access = investigation_get_for_user(request, public_id, what="case timeline")
    return render(
        request,
        "investigations/timeline.html",
        {"case": access.case, "events": timeline.case_timeline(access.case)},
    )

"""Thin views for the contact log. Access: contact_log_get_for_user (404 for anyone not entitled)."""

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cases.selectors import case_declaration_for
from ppda.audit import access_record
from ppda.models import AccessLog
from ppda.roles import Role, has_role

from . import selectors, services
from .forms import ContactForm, EngagementForm, ScheduleForm
from .models import ContactPlan


def _access(request, case_id, *, write: bool = False, what: str):
    """The contact log for this user, logging the read — or the denial — in the access log."""
    try:
        access = selectors.contact_log_get_for_user(request.user, case_id)
    except Http404:
        access_record(
            request=request,
            action=AccessLog.Action.DENIED,
            object_type="cases.case",
            object_id=str(case_id),
            what=what,
            allowed=False,
        )
        raise
    if write and not access.can_write:
        access_record(
            request=request,
            action=AccessLog.Action.DENIED,
            obj=access.case,
            case_reference=access.case.reference,
            what=what,
            allowed=False,
        )
        # Only a coordinator (who sees the case anyway) or a not-yet-accepted SOO gets here: 403 leaks nothing.
        raise PermissionDenied
    if case_declaration_for(case=access.case, user=request.user) is None:
        # Like every identified page: the first-open declaration (no conflict, or a conflict) comes first.
        raise DeclarationFirst(f"{reverse('cases:declare', args=[access.case.public_id])}?next={request.path}")
    access_record(
        request=request,
        action=AccessLog.Action.CHANGE if request.method == "POST" else AccessLog.Action.VIEW,
        obj=access.case,
        case_reference=access.case.reference,
        what=what,
    )
    return access


class DeclarationFirst(Exception):
    def __init__(self, url: str):
        self.url = url


def _declaration_first(view):
    """Turn DeclarationFirst into a redirect to the declaration page (then back here)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DeclarationFirst as redirect_to:
            return redirect(redirect_to.url)

    return wrapped


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@require_http_methods(["GET"])
@_declaration_first
def contact_log_detail(request, case_id):
    access = _access(request, case_id, what="contact log")
    allocation = access.allocation
    return render(
        request,
        "contacts/detail.html",
        {
            "case": access.case,
            "allocation": allocation,
            "plan": access.plan,
            "can_write": access.can_write,
            "contacts": selectors.contacts_for_allocation(allocation),
            "engagement_history": selectors.engagement_history(access.plan),
            "first_contact_status": selectors.first_contact_status(allocation),
            "now": timezone.now(),
        },
    )


@require_http_methods(["GET", "POST"])
@_declaration_first
def contact_create(request, case_id):
    access = _access(request, case_id, write=True, what="record contact")
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_log(
                allocation=access.allocation,
                user=request.user,
                contacted_at=form.cleaned_data["contacted_at"],
                method=form.cleaned_data["method"],
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Contact recorded.")
            return redirect("contacts:detail", case_id=access.case.public_id)
    return render(request, "contacts/contact_form.html", {"case": access.case, "form": form}, status=_status(form))


@require_http_methods(["GET", "POST"])
@_declaration_first
def engagement_edit(request, case_id):
    access = _access(request, case_id, write=True, what="victim engagement")
    initial = {"engagement": access.plan.engagement} if access.plan else {}
    form = EngagementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.engagement_record(
                allocation=access.allocation, user=request.user, engagement=form.cleaned_data["engagement"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Victim's engagement choice recorded.")
            return redirect("contacts:detail", case_id=access.case.public_id)
    return render(request, "contacts/engagement_form.html", {"case": access.case, "form": form}, status=_status(form))


@require_http_methods(["GET", "POST"])
@_declaration_first
def schedule_edit(request, case_id):
    access = _access(request, case_id, write=True, what="contact schedule")
    plan = access.plan
    initial = {}
    if plan:
        initial = {
            "cadence": plan.cadence,
            "interval_days": plan.interval_days,
            "dates": "\n".join(d.isoformat() for d in plan.dates),
        }
    form = ScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.contact_schedule_set(
                allocation=access.allocation,
                user=request.user,
                cadence=data["cadence"],
                interval_days=data.get("interval_days"),
                dates=data.get("dates") or [],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Contact schedule recorded.")
            return redirect("contacts:detail", case_id=access.case.public_id)
    return render(
        request,
        "contacts/schedule_form.html",
        {"case": access.case, "form": form, "Cadence": ContactPlan.Cadence},
        status=_status(form),
    )


@require_http_methods(["GET"])
def first_contact_overdue(request):
    """Coordinators: every live allocation past its 72 hours without first contact."""
    if not has_role(request.user, Role.COORDINATOR):
        raise PermissionDenied
    allocations = list(selectors.allocations_first_contact_overdue(request.user)[:500])
    return render(request, "contacts/overdue.html", {"allocations": allocations, "now": timezone.now()})


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200

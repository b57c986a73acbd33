"""Thin views for the contact log. Access: oversight.access.contact_log_get_for_user (404 for anyone not entitled)."""

import uuid

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from oversight.access import contact_get_for_user, contact_log_get_for_user
from ppda.access import role_required
from ppda.errors import ApplicationError, apply_to_form
from ppda.roles import Role

from . import selectors, services
from .forms import ContactCorrectionForm, ContactForm, EngagementForm, ScheduleForm
from .models import ContactPlan


@require_http_methods(["GET"])
def contact_log_detail(request, case_id):
    access = contact_log_get_for_user(request, case_id, what="contact log")
    allocation = access.allocation
    contacts = selectors.contact_log_rows(allocation)
    return render(
        request,
        "contacts/detail.html",
        {
            "case": access.case,
            "allocation": allocation,
            "plan": access.plan,
            "can_write": access.can_write,
            "contacts": contacts,
            "corrected_contacts": [c for c in contacts if c.correction_history],
            "engagement_history": selectors.engagement_history(access.plan),
            "first_contact_status": selectors.first_contact_status(allocation),
            "now": timezone.now(),
        },
    )


@require_http_methods(["GET", "POST"])
def contact_create(request, case_id):
    access = contact_log_get_for_user(request, case_id, write=True, what="record contact")
    # Most contacts are recorded the day they happen: the date starts as today (UK). A new token with each
    # blank form, claimed once by the contact it records.
    form = ContactForm(request.POST or None, initial={"contact_date": timezone.localdate(), "form_token": uuid.uuid4()})
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_log(
                allocation=access.allocation,
                user=request.user,
                contacted_at=form.cleaned_data["contacted_at"],
                method=form.cleaned_data["method"],
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                form_token=form.cleaned_data["form_token"],
            )
        except ApplicationError as exc:
            apply_to_form(form, exc)
        else:
            if contact.duplicate:
                messages.info(request, "This contact was already recorded; it has not been recorded again.")
            else:
                messages.success(request, "Contact recorded.")
            return redirect("contacts:detail", case_id=access.case.public_id)
    return render(request, "contacts/contact_form.html", {"case": access.case, "form": form})


@require_http_methods(["GET", "POST"])
def contact_correct(request, case_id, contact_id):
    access, contact = contact_get_for_user(request, case_id, contact_id, what="correct contact")
    # The form starts as the contact was recorded; a new token with each blank form, claimed once.
    initial = {**ContactCorrectionForm.initial_for(contact), "form_token": uuid.uuid4()}
    form = ContactCorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            correction = services.contact_correct(
                contact=contact,
                user=request.user,
                contacted_at=data["contacted_at"],
                method=data["method"],
                outcome=data["outcome"],
                note=data["note"],
                reason=data["reason"],
                form_token=data["form_token"],
            )
        except ApplicationError as exc:
            apply_to_form(form, exc)
        else:
            if correction.duplicate:
                messages.info(request, "This correction was already saved; it has not been saved again.")
            else:
                messages.success(request, "Correction saved. The contact log shows what it said before.")
            return redirect("contacts:detail", case_id=access.case.public_id)
    return render(request, "contacts/correct_form.html", {"case": access.case, "contact": contact, "form": form})


@require_http_methods(["GET", "POST"])
def engagement_edit(request, case_id):
    access = contact_log_get_for_user(request, case_id, write=True, what="victim engagement")
    initial = {"engagement": access.plan.engagement} if access.plan else {}
    form = EngagementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.engagement_record(
                allocation=access.allocation, user=request.user, engagement=form.cleaned_data["engagement"]
            )
        except ApplicationError as exc:
            apply_to_form(form, exc)
        else:
            messages.success(request, "Victim's engagement choice recorded.")
            return redirect("contacts:detail", case_id=access.case.public_id)
    return render(request, "contacts/engagement_form.html", {"case": access.case, "form": form})


@require_http_methods(["GET", "POST"])
def schedule_edit(request, case_id):
    access = contact_log_get_for_user(request, case_id, write=True, what="contact schedule")
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
        except ApplicationError as exc:
            apply_to_form(form, exc)
        else:
            messages.success(request, "Contact schedule recorded.")
            return redirect("contacts:detail", case_id=access.case.public_id)
    return render(
        request,
        "contacts/schedule_form.html",
        {"case": access.case, "form": form, "Cadence": ContactPlan.Cadence},
    )


@require_http_methods(["GET"])
def first_contact_overdue(request):
    """Coordinators: every live allocation past its 72 hours without first contact."""
    role_required(request, Role.COORDINATOR, what="first contact overdue")
    allocations = list(selectors.allocations_first_contact_overdue(request.user)[:500])
    return render(request, "contacts/overdue.html", {"allocations": allocations, "now": timezone.now()})

"""Thin views for the case update form. Access: the form guard (404 for anyone not entitled, logged).

Identified pages (the form, a section, the change list) are for the allocated SOO and coordinators; the
panel view and its PDF show coordinators and the SOO exactly what the panel will see (render.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from oversight.access import update_form_get_for_user
from oversight.anonymise import case_identifiers, case_parties, role_pseudonyms
from ppda.audit import access_record
from ppda.errors import ApplicationError, apply_to_form
from ppda.models import AccessLog

from . import render as panel_render
from . import selectors, services
from .forms import ConcernsForm, FeedbackForm, InvestigationForm, OverviewForm, SupportForm
from .models import SECTION_TITLES, SECTIONS


@never_cache
@require_GET
def detail(request, public_id):
    """The whole form, identified, with each section's state and what redaction will change for the panel."""
    access = update_form_get_for_user(request, public_id, what="case update form")
    case = access.case
    stored = selectors.form_sections(case)
    # One read of the parties for the identifiers, the pseudonyms and the rank bands (it was three).
    parties = case_parties(case)
    identifiers = case_identifiers(case, parties=parties)
    sections = [
        {
            "slug": slug,
            "title": SECTION_TITLES[slug],
            "section": stored[slug],
            "state": selectors.section_state(stored[slug]),
            "preview": selectors.redaction_preview(stored[slug], identifiers),
            "url_name": f"update_form:{slug}",
        }
        for slug in SECTIONS
    ]
    return render(
        request,
        "update_form/detail.html",
        {
            "case": case,
            "can_edit": access.can_edit,
            "sections": sections,
            "by_slug": {s["slug"]: s for s in sections},
            "state": selectors.FormState(
                incomplete=sum(s["state"].incomplete for s in sections),
                warnings=sum(s["state"].warnings for s in sections),
                withheld=sum(s["state"].withheld for s in sections),
            ),
            "bands": selectors.party_bands(parties, role_pseudonyms(case, parties=parties)),
            "contacts": selectors.contact_summary(case),
            "investigation_record": selectors.investigation_record_for_case(case),
            "panel_rows": selectors.panel_decisions_for_case(case),
            "closure_rows": selectors.closure_summary_for_case(case),
        },
    )


@dataclass(frozen=True)
class _Spec:
    slug: str
    form_class: type
    template: str


def _edit(request, public_id, spec: _Spec, save):
    """One section's page: the form, and under it what will be redacted from the saved text for the panel.
    A save redirects back here (so the preview of what was just saved is shown); refusals answer 200."""
    access = update_form_get_for_user(request, public_id, what=f"update form: {spec.slug}", write=True)
    case = access.case
    section = selectors.section_get(case, spec.slug)
    initial = {"version": section.version if section else 0}
    if section is not None:
        initial.update({f.name: getattr(section, f.name) for f in type(section).tracked_fields()})
    form = spec.form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(case=case, user=request.user, data=form.cleaned_data, form=form)
        except ApplicationError as e:
            apply_to_form(form, e)
        else:
            if saved.redactions or saved.withheld:
                messages.warning(
                    request,
                    f"Saved. Some of what you wrote will be redacted before the panel sees it ({saved.redactions}). "
                    "Check the highlighted text below and rephrase it if the panel needs the meaning.",
                )
            else:
                messages.success(request, f"{SECTION_TITLES[spec.slug]} saved.")
            return redirect(f"update_form:{spec.slug}", public_id=case.public_id)
    return render(
        request,
        spec.template,
        {
            "case": case,
            "form": form,
            "slug": spec.slug,
            "title": SECTION_TITLES[spec.slug],
            "section": section,
            "preview": selectors.redaction_preview(section, case_identifiers(case)) if section else [],
        },
    )


def _version(data) -> int | None:
    return data.get("version")


@never_cache
@require_http_methods(["GET", "POST"])
def overview(request, public_id):
    def save(*, case, user, data, form):
        return services.overview_save(
            case=case, user=user, relationship=data["relationship"], expected_version=_version(data)
        )

    return _edit(request, public_id, _Spec("overview", OverviewForm, "update_form/overview.html"), save)


@never_cache
@require_http_methods(["GET", "POST"])
def support(request, public_id):
    def save(*, case, user, data, form):
        return services.support_save(case=case, user=user, support=form.support(), expected_version=_version(data))

    return _edit(request, public_id, _Spec("support", SupportForm, "update_form/support.html"), save)


@never_cache
@require_http_methods(["GET", "POST"])
def investigation(request, public_id):
    def save(*, case, user, data, form):
        return services.investigation_save(
            case=case, user=user, progress=data["progress"], expected_version=_version(data)
        )

    return _edit(request, public_id, _Spec("investigation", InvestigationForm, "update_form/section.html"), save)


@never_cache
@require_http_methods(["GET", "POST"])
def concerns(request, public_id):
    def save(*, case, user, data, form):
        return services.concerns_save(
            case=case,
            user=user,
            lack_of_updates=data["lack_of_updates"],
            investigator_change=data["investigator_change"],
            delay=data["delay"],
            details=data["details"],
            expected_version=_version(data),
        )

    return _edit(request, public_id, _Spec("concerns", ConcernsForm, "update_form/concerns.html"), save)


@never_cache
@require_http_methods(["GET", "POST"])
def feedback(request, public_id):
    def save(*, case, user, data, form):
        return services.feedback_save(
            case=case,
            user=user,
            **{name: data[name] for name in SECTIONS["feedback"].FREE_TEXT},
            expected_version=_version(data),
        )

    return _edit(request, public_id, _Spec("feedback", FeedbackForm, "update_form/section.html"), save)


@never_cache
@require_GET
def history(request, public_id):
    """The change list: every save of every section, who and when, each field before and after."""
    access = update_form_get_for_user(request, public_id, what="update form history")
    return render(
        request, "update_form/history.html", {"case": access.case, "changes": selectors.form_history(access.case)}
    )


@never_cache
@require_GET
def panel_view(request, public_id):
    """What the panel will see: the anonymised rendering, for coordinators and the SOO to check."""
    access = update_form_get_for_user(request, public_id, what="update form panel view")
    with transaction.atomic():
        form = panel_render.panel_form(access.case)
    return render(
        request,
        "update_form/panel_view.html",
        {"case": access.case, "panel_form": form, "panel_html": panel_render.panel_html(form)},
    )


@never_cache
@require_GET
def panel_pdf(request, public_id):
    access = update_form_get_for_user(request, public_id, what="update form panel PDF", log=False)
    case = access.case
    with transaction.atomic():
        form = panel_render.panel_form(case)
        access_record(
            request=request,
            action=AccessLog.Action.PDF,
            obj=case,
            case_reference=case.reference,
            what="update form panel PDF",
        )
    response = HttpResponse(panel_render.panel_pdf(form), content_type="application/pdf")
    # The file name carries the pseudonym, never the reference or a name.
    response["Content-Disposition"] = f'attachment; filename="update-form-{case.pseudonym}.pdf"'
    response["Cache-Control"] = "no-store"
    return response

"""Reads for the case update form. Views reach a case's form only through oversight.access (the guard);
these take the case it returned. Every read here is a constant number of queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.db.models.functions import Coalesce

from cases.investigations.selectors import investigation_record_summary
from cases.models import Case, Party
from oversight.anonymise import highlight
from oversight.contacts.models import Contact, ContactPlan
from ppda.models import StaffMember
from ppda.prepared import PreparedQuery

from . import hooks
from .models import FIELD_LABELS, SECTION_TITLES, SECTIONS, Section


@dataclass
class FormAccess:
    """What oversight.access.update_form_get_for_user returns: the case, its accepted allocation, and whether
    the user may change the form (its SOO, while the case is open)."""

    case: Case
    allocation: object
    can_edit: bool


# -- The sections as stored --------------------------------------------------------------------------------


def _related(model: type[Section]) -> str:
    return model._meta.get_field("case").remote_field.related_name


def _build_form_sections(*, case_id):
    related = [f"{_related(model)}__updated_by" for model in SECTIONS.values()]
    return Case.objects.select_related(*related).filter(pk=case_id)


# Ten joins: compiled once per process (issue 18), not on every form page.
_form_sections = PreparedQuery(_build_form_sections, case_id=int)


def form_sections(case: Case) -> dict[str, Section | None]:
    """Each stored section of the case's form (None when never saved), with who last saved it: one query."""
    rows = _form_sections(case_id=case.pk)
    if not rows:
        raise Case.DoesNotExist("No such case.")
    loaded = rows[0]
    out = {}
    for slug, model in SECTIONS.items():
        out[slug] = getattr(loaded, _related(model), None)
    return out


def _build_section(slug: str, *, case_id):
    # .first()'s order (the models have no ordering of their own); the section's slug is the shape.
    return SECTIONS[slug].objects.filter(case_id=case_id).select_related("updated_by").order_by("pk")[:1]


_section = PreparedQuery(_build_section, case_id=int)


def section_get(case: Case, slug: str) -> Section | None:
    return next(iter(_section(slug, case_id=case.pk)), None)


# -- Derived sections --------------------------------------------------------------------------------------

# Ranks at or below constable, and police staff and volunteers: "constable/staff equivalent". The panel sees
# only the band: an exact rank (or post) in a small force can identify the person.
CONSTABLE_OR_STAFF = {
    StaffMember.Rank.VOLUNTEER,
    StaffMember.Rank.POLICE_STAFF,
    StaffMember.Rank.PCSO,
    StaffMember.Rank.SPECIAL,
    StaffMember.Rank.CONSTABLE,
}
BAND_CONSTABLE = "Constable or staff equivalent"
BAND_ABOVE = "Above constable"


def rank_band(rank: str) -> str:
    return BAND_CONSTABLE if rank in CONSTABLE_OR_STAFF else BAND_ABOVE


@dataclass(frozen=True)
class PartyBand:
    pseudonym: str
    role: str
    police: bool
    band: str  # "" for a party who is not police


def party_bands(parties: list[Party], pseudonyms: dict) -> list[PartyBand]:
    """Each party by role pseudonym, police or not, and a police party's rank band (never rank or post)."""
    return [
        PartyBand(
            pseudonym=pseudonyms.get(p.pk, p.get_role_display()),
            role=p.get_role_display(),
            police=p.staff_id is not None,
            band=rank_band(p.staff.rank) if p.staff_id is not None else "",
        )
        for p in sorted(parties, key=lambda p: (p.role != Party.Role.VICTIM, p.pk))
    ]


def case_parties_with_rank(case: Case) -> list[Party]:
    """The parties with only what the overview needs of their staff record (the rank): one query."""
    return list(case.parties.select_related("staff").only("id", "role", "staff_id", "staff__rank", "case_id"))


@dataclass
class ContactSummary:
    total: int = 0
    completed: int = 0
    attempted: int = 0
    declined: int = 0
    by_method: list[tuple[str, int]] = field(default_factory=list)
    first_completed_at: dt.datetime | None = None
    last_completed_at: dt.datetime | None = None
    engagement: str = ContactPlan.Engagement.NOT_RECORDED.label


def _build_contact_counts(*, case_id):
    return (
        Contact.objects.filter(allocation__case_id=case_id)
        .values("outcome", "method")
        .annotate(
            n=Count("id"),
            first=Min("contacted_at", filter=Q(outcome=Contact.Outcome.COMPLETED)),
            last=Max("contacted_at", filter=Q(outcome=Contact.Outcome.COMPLETED)),
        )
        .order_by()
    )


def _build_latest_plan(*, case_id):
    return ContactPlan.objects.filter(allocation__case_id=case_id).order_by("-allocation__allocated_at")[:1]


# Fixed-shape reads by case id, compiled once per process (issue 18).
_contact_counts = PreparedQuery(_build_contact_counts, case_id=int)
_latest_plan = PreparedQuery(_build_latest_plan, case_id=int)


def contact_summary(case: Case) -> ContactSummary:
    """Counts by outcome and method, first and last completed contact, and the victim's engagement choice,
    over every allocation of the case (a reallocated case keeps its history): two queries."""
    summary = ContactSummary()
    methods: dict[str, int] = {}
    labels = dict(Contact.Method.choices)
    for row in _contact_counts(case_id=case.pk):
        summary.total += row["n"]
        if row["outcome"] == Contact.Outcome.COMPLETED:
            summary.completed += row["n"]
        elif row["outcome"] == Contact.Outcome.ATTEMPTED:
            summary.attempted += row["n"]
        elif row["outcome"] == Contact.Outcome.DECLINED:
            summary.declined += row["n"]
        methods[row["method"]] = methods.get(row["method"], 0) + row["n"]
        if row["first"] and (summary.first_completed_at is None or row["first"] < summary.first_completed_at):
            summary.first_completed_at = row["first"]
        if row["last"] and (summary.last_completed_at is None or row["last"] > summary.last_completed_at):
            summary.last_completed_at = row["last"]
    summary.by_method = [(labels.get(m, m), n) for m, n in sorted(methods.items(), key=lambda kv: -kv[1])]
    # The latest allocation's plan: the victim's current choice.
    plans = _latest_plan(case_id=case.pk)
    if plans:
        summary.engagement = plans[0].get_engagement_display()
    return summary


def investigation_record_for_case(case: Case):
    """The case's investigation record (cases/investigations) as `summary` (free text: the panel rendering
    redacts it like the SOO's note) and `updated_at`, or None when PSD has not opened one."""
    return investigation_record_summary(case)


def panel_decisions_for_case(case: Case) -> list[hooks.SummaryRow] | None:
    """Decisions and actions recorded by scrutiny panels: filled by panels/ through hooks ("panel_decisions")."""
    return hooks.rows_for("panel_decisions", case)


def closure_summary_for_case(case: Case) -> list[hooks.SummaryRow] | None:
    """The closure section: filled by oversight/closure through hooks ("closure")."""
    return hooks.rows_for("closure", case)


# -- Redaction preview -------------------------------------------------------------------------------------


@dataclass
class FieldPreview:
    label: str
    segments: list
    redacted: int


def redaction_preview(section: Section | None, identifiers) -> list[FieldPreview]:
    """For each free-text field of the saved section in which something will be redacted for the panel: the
    text with what will be replaced highlighted, so the SOO can rephrase. No queries."""
    if section is None:
        return []
    out = []
    for name in type(section).FREE_TEXT:
        text = getattr(section, name)
        if not text:
            continue
        segments = highlight(text, identifiers)
        count = sum(1 for s in segments if s.redacted)
        if count:
            out.append(FieldPreview(label=FIELD_LABELS.get(name, name), segments=segments, redacted=count))
    return out


# -- Change history ----------------------------------------------------------------------------------------


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class Change:
    section: str
    at: dt.datetime
    by: object
    created: bool
    fields: list[FieldChange]


def _display(model_field, value) -> str:
    if value is None or value == "":
        return ""
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def form_history(case: Case) -> list[Change]:
    """Every save of every section, newest first: who, when, and each field's before and after.

    One query per section model (five), whatever the number of changes: each model's history is read
    oldest first and consecutive versions compared here (simple-history's prev_record would query per row).
    """
    changes = []
    for slug, model in SECTIONS.items():
        fields = model.tracked_fields()
        previous = None
        for row in (
            model.history.filter(case_id=case.pk).select_related("history_user").order_by("history_date", "history_id")
        ):
            diffs = []
            for f in fields:
                after = getattr(row, f.attname)
                before = getattr(previous, f.attname) if previous is not None else None
                if previous is None and after in ("", None, False):
                    continue  # a field first saved empty is not a change worth listing
                if previous is None or before != after:
                    diffs.append(FieldChange(FIELD_LABELS.get(f.name, f.name), _display(f, before), _display(f, after)))
            if diffs:
                changes.append(
                    Change(
                        section=SECTION_TITLES[slug],
                        at=row.history_date,
                        by=row.history_user,
                        created=previous is None,
                        fields=diffs,
                    )
                )
            previous = row
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes


# -- Form state, for many cases at once ----------------------------------------------------------------------


@dataclass(frozen=True)
class FormState:
    incomplete: int
    warnings: int  # sections whose free text has something the panel rendering will redact or withhold
    withheld: int  # sections redaction would withhold from the panel (needs review)

    @property
    def ready_for_panel(self) -> bool:
        return self.incomplete == 0 and self.withheld == 0


def form_state_annotations(prefix: str = "") -> dict:
    """Annotations reading each section's stored state by LEFT JOIN, for a Case queryset (prefix "") or a queryset
    that reaches the case through `prefix` (e.g. "case" on allocations): no extra query for any number of rows."""
    p = f"{prefix}__" if prefix else ""
    out = {}
    for slug, model in SECTIONS.items():
        rel = f"{p}{_related(model)}"
        out[f"uf_{slug}_complete"] = Coalesce(F(f"{rel}__complete"), False)
        out[f"uf_{slug}_redactions"] = Coalesce(F(f"{rel}__redactions"), 0)
        out[f"uf_{slug}_withheld"] = Coalesce(F(f"{rel}__withheld"), False)
    return out


def form_state(row) -> FormState:
    """The state of one row annotated with form_state_annotations (no queries)."""
    incomplete = warnings = withheld = 0
    for slug in SECTIONS:
        incomplete += not getattr(row, f"uf_{slug}_complete")
        held = getattr(row, f"uf_{slug}_withheld")
        withheld += held
        warnings += held or getattr(row, f"uf_{slug}_redactions") > 0
    return FormState(incomplete=incomplete, warnings=warnings, withheld=withheld)


def form_states(cases: QuerySet) -> dict[int, FormState]:
    """case pk -> FormState for every case of the queryset: one query (for the coordinators' inbox filters)."""
    return {c.pk: form_state(c) for c in cases.annotate(**form_state_annotations()).only("pk")}


FORM_STATE_CHOICES = [
    ("", "Any update form"),
    ("incomplete", "Sections incomplete"),
    ("warnings", "Redaction warnings"),
    ("ready", "Ready for panel"),
]


def form_state_condition(value: str) -> Q:
    """The inbox filter by update-form state (registered with cases.extensions), the same rule as FormState:
    incomplete while any section is missing or not complete; a warning where a section's free text has
    something the panel rendering redacts or withholds; ready when every section is complete and none
    withheld. Only cases with an accepted allocation have a form to be ready."""
    incomplete, warnings, ready = Q(), Q(), Q(allocations__status="accepted")
    for model in SECTIONS.values():
        rel = _related(model)
        incomplete |= Q(**{f"{rel}__isnull": True}) | Q(**{f"{rel}__complete": False})
        warnings |= Q(**{f"{rel}__redactions__gt": 0}) | Q(**{f"{rel}__withheld": True})
        ready &= Q(**{f"{rel}__complete": True, f"{rel}__withheld": False})
    if value == "incomplete":
        return incomplete & Q(allocations__status="accepted")
    return {"warnings": warnings, "ready": ready}[value]


def section_state(section: Section | None) -> FormState:
    if section is None:
        return FormState(incomplete=1, warnings=0, withheld=0)
    return FormState(
        incomplete=int(not section.complete),
        warnings=int(section.withheld or section.redactions > 0),
        withheld=int(section.withheld),
    )

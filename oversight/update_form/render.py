"""The anonymised rendering of the case update form: the ONLY way a panel page or a panel PDF may show it.

What it shows, and what never leaves (DESIGN.md section 2):
- parties by their role pseudonyms ("Victim A", "Suspect A"), police parties by rank *band* only; the case
  by its pseudonym, never its reference;
- no names, dates of birth, employee or collar numbers, addresses, phones or emails: nothing of the parties'
  identity is read here except through the redaction engine's identifiers, and the place of the incident is
  left out;
- dates coarsened to the month ("March 2026"): when the case was reported and the first and last contact;
- every free-text field through section_redact, which fails closed: if any known identifier survives
  redaction, the whole section is withheld ("Withheld: needs review") and the coordinators are told
  (reference + link only), once per version of the section (the event key), however often it is rendered.

One renderer for the page and the PDF: panel_form() builds the content, the template fragment
update_form/_panel_form.html lays it out for both (panel_html, panel_pdf).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cases.access import coordinators_for_case
from cases.models import Case
from oversight.anonymise import case_identifiers, case_parties, role_pseudonyms, section_redact
from ppda.notifications import notification_send
from ppda.pdf import render_pdf

from . import selectors
from .models import FIELD_LABELS, SECTION_TITLES, SUPPORT_KINDS, Section

WITHHELD = "Withheld: needs review"
NOTIFICATION_KIND = "form_withheld"


@dataclass
class PanelRow:
    label: str
    value: str


@dataclass
class PanelSection:
    slug: str
    title: str
    rows: list[PanelRow] = field(default_factory=list)
    withheld: bool = False
    empty: str = ""  # shown when there are no rows


@dataclass
class PanelForm:
    case_label: str
    reported: str
    sections: list[PanelSection]

    @property
    def withheld(self) -> list[PanelSection]:
        return [s for s in self.sections if s.withheld]


def month(value) -> str:
    """A date coarsened to its month in UK time: 'March 2026'."""
    return timezone.localtime(value).strftime("%B %Y") if value else ""


class _Section:
    """Collects one section's rows, redacting free text; any withheld field withholds the whole section."""

    def __init__(self, slug: str, identifiers, *, empty: str = ""):
        self.out = PanelSection(slug=slug, title=SECTION_TITLES[slug], empty=empty)
        self.identifiers = identifiers
        self.withheld_text: list[str] = []

    def row(self, label: str, value: str) -> None:
        self.out.rows.append(PanelRow(label, value))

    def text(self, label: str, value: str) -> None:
        if not value:
            return
        result = section_redact(value, self.identifiers)
        if result.withheld:
            self.out.withheld = True
            self.withheld_text.append(value)
        self.out.rows.append(PanelRow(label, result.text))

    def done(self) -> PanelSection:
        if self.out.withheld:
            self.out.rows = []  # nothing of a withheld section reaches the panel, redacted or not
        return self.out


def _overview(case: Case, overview, parties, pseudonyms, identifiers) -> _Section:
    s = _Section("overview", identifiers)
    s.row("Category", case.get_category_display())
    s.row("Route", case.get_route_display())
    s.row("Risk (DASH)", case.get_risk_level_display() or "Not recorded")
    s.row("On or off duty", case.get_duty_display())
    s.row("Reported", month(case.received_at))
    relationship = overview.get_relationship_display() if overview and overview.relationship else "Not recorded"
    s.row(FIELD_LABELS["relationship"], relationship)
    for band in selectors.party_bands(parties, pseudonyms):
        s.row(band.pseudonym, f"Police: {band.band.lower()}" if band.police else "Not police")
    return s


def _contacts(summary: selectors.ContactSummary, identifiers) -> _Section:
    s = _Section("contacts", identifiers)
    s.row(
        "Contacts recorded",
        f"{summary.total} ({summary.completed} completed, {summary.attempted} attempted, "
        f"{summary.declined} declined support)",
    )
    if summary.by_method:
        s.row("How", ", ".join(f"{label}: {n}" for label, n in summary.by_method))
    s.row("First completed contact", month(summary.first_completed_at) or "None yet")
    s.row("Latest completed contact", month(summary.last_completed_at) or "None yet")
    s.row("Victim's engagement with the SOO", summary.engagement)
    return s


def _support(support, identifiers) -> _Section:
    s = _Section("support", identifiers, empty="Not recorded yet.")
    if support is None:
        return s
    for kind, label in SUPPORT_KINDS:
        s.row(label, getattr(support, f"get_{kind}_status_display")())
        s.text(f"{label}: note", getattr(support, f"{kind}_note"))
    return s


def _investigation(case: Case, investigation, identifiers) -> _Section:
    s = _Section("investigation", identifiers, empty="No progress recorded yet.")
    record = selectors.investigation_record_for_case(case)
    if record is not None:
        s.text("Investigation record", record.summary)
    if investigation is not None:
        s.text(FIELD_LABELS["progress"], investigation.progress)
    return s


def _concerns(concerns, identifiers) -> _Section:
    s = _Section("concerns", identifiers, empty="Not recorded yet.")
    if concerns is None:
        return s
    for name in ("lack_of_updates", "investigator_change", "delay"):
        s.row(FIELD_LABELS[name], "Yes" if getattr(concerns, name) else "No")
    s.text(FIELD_LABELS["details"], concerns.details)
    return s


def _feedback(feedback, identifiers) -> _Section:
    s = _Section("feedback", identifiers, empty="No feedback recorded yet.")
    if feedback is not None:
        for name in type(feedback).FREE_TEXT:
            s.text(FIELD_LABELS[name], getattr(feedback, name))
    return s


def _slot(slug: str, rows, identifiers, empty: str) -> _Section:
    s = _Section(slug, identifiers, empty=empty)
    for r in rows or ():
        if r.free_text:
            s.text(r.label, r.value)
        else:
            s.row(r.label, r.value)
    return s


def _event_key(case: Case, slug: str, section: Section | None, texts: list[str]) -> str:
    if section is not None:
        version = f"v{section.version}"
    else:  # a slot filled by another app: the content is the version
        version = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:16]
    return f"uf-withheld:{case.pk}:{slug}:{version}"


def _notify_withheld(case: Case, slug: str, section: Section | None, texts: list[str]) -> None:
    """Tell the coordinators who may open the case, once per version of the section (reference + link only)."""
    notification_send(
        recipients=list(coordinators_for_case(case)),
        kind=NOTIFICATION_KIND,
        message=(
            f"Case {case.reference}: the {SECTION_TITLES[slug].lower()} section of the update form is withheld "
            "from the panel because redaction needs review."
        ),
        link=reverse("update_form:detail", args=[case.public_id]),
        case_reference=case.reference,
        event_key=_event_key(case, slug, section, texts),
    )


def panel_form(case: Case, *, notify: bool = True) -> PanelForm:
    """The form as the panel sees it. With notify, each withheld section is flagged to the coordinators."""
    # One read of the parties for the identifiers, the pseudonyms and the rank bands.
    parties = case_parties(case)
    identifiers = case_identifiers(case, parties=parties)
    pseudonyms = role_pseudonyms(case, parties=parties)
    stored = selectors.form_sections(case)
    parts = [
        (
            _overview(case, stored["overview"], parties, pseudonyms, identifiers),
            stored["overview"],
        ),
        (_contacts(selectors.contact_summary(case), identifiers), None),
        (_support(stored["support"], identifiers), stored["support"]),
        (_investigation(case, stored["investigation"], identifiers), stored["investigation"]),
        (_concerns(stored["concerns"], identifiers), stored["concerns"]),
        (_feedback(stored["feedback"], identifiers), stored["feedback"]),
        (
            _slot(
                "panel",
                selectors.panel_decisions_for_case(case),
                identifiers,
                "No panel has discussed this case yet: decisions and actions appear here when one does.",
            ),
            None,
        ),
        (_slot("closure", selectors.closure_summary_for_case(case), identifiers, "Not started."), None),
    ]
    sections = []
    for builder, section in parts:
        if builder.out.withheld and notify:
            _notify_withheld(case, builder.out.slug, section, builder.withheld_text)
        sections.append(builder.done())
    return PanelForm(case_label=f"Case {case.pseudonym}", reported=month(case.received_at), sections=sections)


def panel_html(form: PanelForm) -> str:
    """The form's anonymised HTML fragment (the same markup the PDF is made from)."""
    return render_to_string("update_form/_panel_form.html", {"panel_form": form, "withheld_label": WITHHELD})


def panel_pdf(form: PanelForm) -> bytes:
    """The anonymised form as a PDF, through ppda.pdf (the safe fetcher)."""
    return render_pdf("update_form/panel_pdf.html", {"panel_form": form, "withheld_label": WITHHELD})


# -- The anonymised case timeline (for panels) -------------------------------------------------------------

TIMELINE_WITHHELD = "[Withheld: it may identify someone. The coordinators have been told.]"


def anonymised_timeline(case: Case) -> list:
    """The case timeline (cases.investigations.timeline) for a panel: no one's name (`by` dropped), each
    event's free text through the redactor, failing closed (a detail in which an identifier survives is
    withheld). Titles are generic by construction. Returns TimelineEvent objects with `withheld` ones
    replaced by TIMELINE_WITHHELD; the caller flags withheld sections as the form's panel rendering does."""
    from dataclasses import replace

    from cases.investigations.timeline import case_timeline

    identifiers = case_identifiers(case)
    out = []
    for event in case_timeline(case):
        detail = ""
        if event.detail and not event.names_staff:
            result = section_redact(event.detail, identifiers)
            detail = TIMELINE_WITHHELD if result.withheld else result.text
        out.append(replace(event, by="", detail=detail))
    return out

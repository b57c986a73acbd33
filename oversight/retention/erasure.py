"""Deleting a closed case's party identities at a retention review, everywhere they are kept.

What is removed, in the decision's transaction:
- the parties' names, dates of birth, addresses, phones, emails, home district and normalised name, and the
  link to a police party's staff record (its rank band is kept in Party.erased_band for the statistics), in
  the live rows and in every simple-history version;
- the victims' safe-contact records and all their history;
- in every free text about the case (TEXT_SOURCES: the case summary, link notes, first-open declaration notes,
  allocation declarations and reasons, contact notes, the update form's free-text sections, the closure
  section, PSD updates, earlier retention reasons, and what higher apps register: panel outcomes, actions and
  amendments), the reasons typed to override an allocation exclusion, and in each one's history: every known
  identifier, as the anonymised rendering redacts it (oversight.anonymise), using every value the parties ever
  held. A text in which an identifier survives the re-scan is emptied (fail closed), as the panel view does;
- the hash of the intake API request body (it was computed over the identities).

What stays, and why (docs/retention.md): the case row (reference, dates, route, category, risk, duty, status,
outcome) and every structured field the statistics count; the access log (append-only, DPA s.62; references
and page names only) and notifications (reference and link only); standing conflict declarations (the
declarer's own record, which keeps them off that person's future cases); panel pack PDFs (anonymised when built).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Model, Q

from cases.investigations.models import PsdUpdate
from cases.models import (
    ERASED_BAND_ABOVE,
    ERASED_BAND_CONSTABLE,
    Case,
    CaseAccessDeclaration,
    CaseLink,
    IntakeRequest,
    Party,
)
from oversight.anonymise.identifiers import KnownIdentifier, case_identifiers_ever
from oversight.anonymise.redact import section_redact
from oversight.closure.models import CaseClosure
from oversight.contacts.models import Contact
from oversight.models import Allocation
from oversight.update_form.models import Concerns, Feedback, Support
from oversight.update_form.models import Investigation as InvestigationSection
from oversight.update_form.selectors import CONSTABLE_OR_STAFF

from .models import RetentionDecision


@dataclass(frozen=True)
class TextSource:
    """Free text about a case: `model`'s `fields`, on the rows `match(case)` selects. The same Q selects the
    model's simple-history rows (historical foreign keys keep their names), when it has history."""

    label: str
    model: type[Model]
    fields: tuple[str, ...]
    match: Callable[[Case], Q]


def _by(path: str) -> Callable[[Case], Q]:
    return lambda case: Q(**{path: case.pk})


TEXT_SOURCES: list[TextSource] = [
    TextSource("case summary", Case, ("summary",), _by("id")),
    TextSource("case links", CaseLink, ("note",), lambda case: Q(from_case_id=case.pk) | Q(to_case_id=case.pk)),
    TextSource("first-open declarations", CaseAccessDeclaration, ("note",), _by("case_id")),
    TextSource("allocations", Allocation, ("no_conflict_declaration", "decline_reason", "end_reason"), _by("case_id")),
    TextSource("contacts", Contact, ("note",), _by("allocation__case_id")),
    TextSource("update form: support", Support, Support.FREE_TEXT, _by("case_id")),
    TextSource("update form: investigation", InvestigationSection, InvestigationSection.FREE_TEXT, _by("case_id")),
    TextSource("update form: concerns", Concerns, Concerns.FREE_TEXT, _by("case_id")),
    TextSource("update form: feedback", Feedback, Feedback.FREE_TEXT, _by("case_id")),
    TextSource(
        "closure",
        CaseClosure,
        ("reason_other", "criminal_outcome_detail", "misconduct_outcome_detail", "learning"),
        _by("case_id"),
    ),
    TextSource("PSD updates", PsdUpdate, ("text", "decision", "rationale"), _by("investigation__case_id")),
    TextSource("retention decisions", RetentionDecision, ("reason",), _by("case_id")),
]


def text_source_register(source: TextSource) -> None:
    """Higher apps (panels) add the free text they keep about a case, in their AppConfig.ready."""
    if all(s.label != source.label for s in TEXT_SOURCES):
        TEXT_SOURCES.append(source)


def _scrubbed(text: str, identifiers: list[KnownIdentifier]) -> str:
    if not text:
        return text
    return section_redact(text, identifiers).text  # "" when an identifier survives the re-scan


def _scrub_rows(rows: Iterable, fields: tuple[str, ...], identifiers, *, save) -> int:
    changed = 0
    for row in rows:
        values = {name: _scrubbed(getattr(row, name) or "", identifiers) for name in fields}
        values = {name: value for name, value in values.items() if value != (getattr(row, name) or "")}
        if values:
            save(row, values)
            changed += 1
    return changed


def _save_live(user):
    def save(row, values):
        for name, value in values.items():
            setattr(row, name, value)
        row._history_user = user  # the new history version records who deleted, and when
        row.save(update_fields=list(values))

    return save


def _save_history(row, values):
    # The history table itself is rewritten: its versions are what would otherwise keep the names.
    type(row).objects.filter(pk=row.pk).update(**values)


def _scrub_text(case: Case, user, identifiers) -> dict[str, int]:
    counts = {}
    for source in TEXT_SOURCES:
        rows = source.model.objects.filter(source.match(case)).distinct()
        n = _scrub_rows(rows, source.fields, identifiers, save=_save_live(user))
        history = getattr(source.model, "history", None)
        if history is not None:
            versions = history.model.objects.filter(source.match(case)).distinct()
            n += _scrub_rows(versions, source.fields, identifiers, save=_save_history)
        if n:
            counts[source.label] = n
    return counts


def _scrub_overrides(case: Case, user, identifiers) -> int:
    """The reasons a coordinator typed to override a soft exclusion (Allocation.overrides, JSON), live and history."""

    def scrubbed(overrides):
        return [
            {k: _scrubbed(v, identifiers) if isinstance(v, str) else v for k, v in entry.items()}
            if isinstance(entry, dict)
            else entry
            for entry in overrides or []
        ]

    changed = 0
    for allocation in Allocation.objects.filter(case_id=case.pk).exclude(overrides=[]):
        new = scrubbed(allocation.overrides)
        if new != allocation.overrides:
            allocation.overrides = new
            allocation._history_user = user
            allocation.save(update_fields=["overrides"])
            changed += 1
    for version in Allocation.history.filter(case_id=case.pk).exclude(overrides=[]):
        new = scrubbed(version.overrides)
        if new != version.overrides:
            Allocation.history.filter(pk=version.pk).update(overrides=new)
            changed += 1
    return changed


IDENTITY_BLANK = {
    "first_name": "",
    "last_name": "",
    "date_of_birth": None,
    "address": "",
    "phone": "",
    "email": "",
    "home_district": None,
    "normalised_name": "",
    "staff": None,
}


def _band(party: Party) -> str:
    if party.staff is None:
        return party.erased_band
    return ERASED_BAND_CONSTABLE if party.staff.rank in CONSTABLE_OR_STAFF else ERASED_BAND_ABOVE


def _erase_parties(case: Case, user) -> dict[str, int]:
    from cases.models import SafeContact

    parties = list(Party.objects.filter(case=case).select_related("staff").order_by("pk"))
    for party in parties:
        party.erased_band = _band(party)
        for name, value in IDENTITY_BLANK.items():
            setattr(party, name, value)
        party._history_user = user
        party.save()
    party_ids = [p.pk for p in parties]
    versions = Party.history.filter(case_id=case.pk).update(
        **{
            ("staff_id" if k == "staff" else "home_district_id" if k == "home_district" else k): v
            for k, v in IDENTITY_BLANK.items()
        }
    )
    contacts = 0
    for contact in SafeContact.objects.filter(party_id__in=party_ids):
        contact._history_user = user
        contact.delete()
        contacts += 1
    # Deleting writes a last version holding the values: every version goes.
    SafeContact.history.filter(party_id__in=party_ids).delete()
    return {"parties": len(parties), "party versions": versions, "safe contacts": contacts}


def case_identities_erase(*, case: Case, user) -> dict[str, int]:
    """Remove the case's party identities from every live row and history version (see the module docstring).
    Call inside the decision's transaction, with the case row locked. Returns counts per kind of record."""
    identifiers = case_identifiers_ever(case)
    counts = _scrub_text(case, user, identifiers)  # first: the redaction needs the identities
    if overrides := _scrub_overrides(case, user, identifiers):
        counts["allocation overrides"] = overrides
    # The API's idempotency record keeps a hash of the request body, which held the identities.
    IntakeRequest.objects.filter(case_id=case.pk).exclude(body_hash="").update(body_hash="")
    counts.update(_erase_parties(case, user))
    return counts

"""Writes to the case update form: one service per section, each one transaction, keyword-only.

Every section service checks the state it starts from (the writer is the case's SOO on an accepted
allocation, the case is not closed, and nobody saved the section since the writer opened it), then
redacts the section's free text against the case's own identifiers to record what the panel will not
see (`redactions`; `withheld` when redaction would fail closed), and saves with history (`_history_user`:
simple-history records who, not only when).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cases.models import Case
from oversight.anonymise import case_identifiers, section_redact
from oversight.models import Allocation
from ppda.errors import ApplicationError

from .models import SUPPORT_KINDS, Concerns, Feedback, Investigation, Overview, Section, Support, SupportStatus


def _check_writer(*, case: Case, user) -> None:
    if case.status == Case.Status.CLOSED:
        raise ApplicationError("This case is closed: its update form can no longer be changed.")
    staff_id = getattr(user, "staff_id", None)
    if (
        staff_id is None
        or not Allocation.objects.filter(case=case, soo_id=staff_id, status=Allocation.Status.ACCEPTED).exists()
    ):
        raise ApplicationError("Only the senior oversight officer allocated to this case may change its update form.")


def _section_save(model: type[Section], *, case: Case, user, values: dict, complete: bool, expected_version):
    _check_writer(case=case, user=user)
    # The case row locked: two saves of the form (two tabs) are serialised and the second sees the first,
    # also when neither section exists yet. The first save creates the row, so its history names the writer.
    Case.objects.select_for_update(of=("self",)).filter(pk=case.pk).values_list("pk", flat=True).get()
    section = model.objects.filter(case=case).first() or model(case=case)
    if expected_version is not None and section.version != expected_version:
        raise ApplicationError(
            "Someone saved this section after you opened it. Your changes were not saved: "
            "check the section as it is now and make them again.",
            field="version",
        )
    for name, value in values.items():
        setattr(section, name, value)
    identifiers = case_identifiers(case)
    redactions, withheld = 0, False
    for name in model.FREE_TEXT:
        text = getattr(section, name)
        if text:
            result = section_redact(text, identifiers)
            redactions += len(result.spans)
            withheld = withheld or result.withheld
    section.redactions, section.withheld = redactions, withheld
    section.complete = complete
    section.version += 1
    section.updated_at, section.updated_by = timezone.now(), user
    section._history_user = user
    section.save()
    return section


@transaction.atomic
def overview_save(*, case: Case, user, relationship: str, expected_version: int | None = None) -> Overview:
    """The relationship between the parties. The rest of the overview is the case's own (set at triage)."""
    if relationship not in Overview.Relationship.values:
        raise ApplicationError("Select the relationship between the victim and the suspect.", field="relationship")
    return _section_save(
        Overview,
        case=case,
        user=user,
        values={"relationship": relationship},
        complete=True,
        expected_version=expected_version,
    )


@transaction.atomic
def support_save(*, case: Case, user, support: dict[str, tuple[str, str]], expected_version: int | None = None):
    """Each kind of support (IDVA, wellbeing, ...) as not offered/offered/accepted/declined, with a note.

    `support` maps each kind in SUPPORT_KINDS to (status, note); every kind must be given, so a saved
    section says something about each one."""
    errors = {}
    values = {}
    for kind, label in SUPPORT_KINDS:
        status, note = support.get(kind, ("", ""))
        if status not in SupportStatus.values:
            errors[f"{kind}_status"] = [f"Select whether {label} was offered, accepted or declined."]
        values[f"{kind}_status"], values[f"{kind}_note"] = status, (note or "").strip()
    if errors:
        raise ApplicationError(errors=errors)
    return _section_save(Support, case=case, user=user, values=values, complete=True, expected_version=expected_version)


@transaction.atomic
def investigation_save(*, case: Case, user, progress: str, expected_version: int | None = None) -> Investigation:
    """The SOO's note of how the investigation is progressing (complete once there is a note)."""
    progress = (progress or "").strip()
    return _section_save(
        Investigation,
        case=case,
        user=user,
        values={"progress": progress},
        complete=bool(progress),
        expected_version=expected_version,
    )


@transaction.atomic
def concerns_save(
    *,
    case: Case,
    user,
    lack_of_updates: bool,
    investigator_change: bool,
    delay: bool,
    details: str,
    expected_version: int | None = None,
) -> Concerns:
    """What undermines the victim's confidence. Saying there are none is an answer: the section is complete."""
    details = (details or "").strip()
    if (lack_of_updates or investigator_change or delay) and not details:
        raise ApplicationError("Describe the concerns you ticked.", field="details")
    return _section_save(
        Concerns,
        case=case,
        user=user,
        values={
            "lack_of_updates": bool(lack_of_updates),
            "investigator_change": bool(investigator_change),
            "delay": bool(delay),
            "details": details,
        },
        complete=True,
        expected_version=expected_version,
    )


@transaction.atomic
def feedback_save(
    *,
    case: Case,
    user,
    investigation_good_practice: str,
    investigation_improvements: str,
    line_manager_good_practice: str,
    line_manager_improvements: str,
    expected_version: int | None = None,
) -> Feedback:
    """Feedback given to the investigation team and to line managers (complete once any is recorded)."""
    values = {
        "investigation_good_practice": (investigation_good_practice or "").strip(),
        "investigation_improvements": (investigation_improvements or "").strip(),
        "line_manager_good_practice": (line_manager_good_practice or "").strip(),
        "line_manager_improvements": (line_manager_improvements or "").strip(),
    }
    return _section_save(
        Feedback,
        case=case,
        user=user,
        values=values,
        complete=any(values.values()),
        expected_version=expected_version,
    )

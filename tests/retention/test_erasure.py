"""Deleting the identities at a retention review: gone from every table, live and history, free text included,
while the statistics count the case exactly as before; confirmed, audited, irreversible and idempotent."""

import datetime as dt

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cases.models import Case, Party, SafeContact
from oversight.closure.models import CaseClosure
from oversight.contacts.models import Contact
from oversight.retention.models import RetentionDecision
from oversight.retention.services import retention_delete, retention_retain
from oversight.statistics.exports import inspection_cases
from oversight.statistics.selectors import StatisticsFilter, statistics_tables
from oversight.update_form.models import Concerns
from panels import services as panel_services
from panels.models import AgendaCase, AgendaItem, Outcome
from ppda.errors import ApplicationError
from ppda.models import StaffMember
from ppda.roles import Role
from tests.factories.directory import UserFactory
from tests.factories.panels import chair_user
from tests.factories.retention import due_for_review_case

pytestmark = pytest.mark.django_db

OLD_FIRST, FIRST, LAST = "Zephyrina", "Zephyrine", "Quillfeather"
PHONE, SAFE_EMAIL, CODEWORD = "07700 900123", "safe.victim@example.org", "Bluebell"


@pytest.fixture
def coordinator():
    return UserFactory(roles=[Role.COORDINATOR])


@pytest.fixture
def case(coordinator):
    """A case due for review whose victim was first recorded with another spelling, named in free text
    everywhere: the summary, a contact note, the update form, the closure, a panel outcome."""
    case = due_for_review_case(learning=f"{FIRST} {LAST} asked for weekly calls.")
    victim = case.parties.get(role=Party.Role.VICTIM)
    suspect = case.parties.get(role=Party.Role.SUSPECT)
    # The spelling at intake, corrected later: the history keeps both.
    victim.first_name, victim.last_name = OLD_FIRST, LAST
    victim.save()
    victim.first_name = FIRST
    victim.normalised_name = f"{FIRST} {LAST}".lower()
    victim.save()
    staff = suspect.staff
    case.summary = f"{OLD_FIRST} {LAST} reported {staff.first_name} {staff.last_name} ({staff.employee_number})."
    case.save()
    allocation = case.allocations.get()
    allocation.overrides = [{"rule": "team", "exclusion": "Same team", "reason": f"{FIRST} asked for this SOO"}]
    allocation.save()
    Contact.objects.create(
        allocation=allocation,
        contacted_at=allocation.allocated_at,
        method=Contact.Method.PHONE,
        outcome=Contact.Outcome.COMPLETED,
        note=f"Called {FIRST} on {PHONE}.",
        recorded_by=allocation.soo.user,
        recorded_at=timezone.now(),
    )
    concerns = Concerns.objects.create(case=case, details=f"{FIRST} fears {staff.last_name} will find out.")
    concerns.details = f"Codeword {CODEWORD}; write to {SAFE_EMAIL}."
    concerns.save()
    meeting = panel_services.meeting_create(
        by=coordinator, starts_at=timezone.now(), chair=chair_user(), place="Room 2"
    )
    item = AgendaItem.objects.create(meeting=meeting, starts_at=meeting.starts_at, added_by=coordinator)
    AgendaCase.objects.create(item=item, meeting=meeting, case=case)
    Outcome.objects.create(item=item, discussion=f"The panel heard how {FIRST} was supported.", updated_by=coordinator)
    return Case.objects.get(pk=case.pk)


def _identifying_values(case) -> list[str]:
    suspect = case.parties.get(role=Party.Role.SUSPECT).staff
    return [OLD_FIRST, FIRST, LAST, PHONE, SAFE_EMAIL, CODEWORD, suspect.employee_number, suspect.last_name]


def _where_found(values: list[str]) -> list[str]:
    """Every table (live and simple-history) with a text column containing one of the values: the whole
    database, so a store added later is covered too. The staff directory holds staff names by design, and a
    standing conflict declaration is the declarer's own record (docs/retention.md)."""
    kept = {StaffMember, StaffMember.history.model}
    found = []
    for model in apps.get_models():
        if model in kept or model._meta.label in ("cases.ConflictDeclaration", "cases.HistoricalConflictDeclaration"):
            continue
        text = [f.name for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]
        if not text:
            continue
        match = Q()
        for name in text:
            for value in values:
                match |= Q(**{f"{name}__icontains": value})
        if model.objects.filter(match).exists():
            found.append(model._meta.label)
    return found


def _figures(now):
    return [(t.slug, t.rows) for t in statistics_tables(StatisticsFilter(), now=now)]


def test_deleting_removes_the_identities_everywhere_including_history(case, coordinator):
    values = _identifying_values(case)
    assert len(_where_found(values)) >= 8  # the fixture really put them everywhere
    suspect_staff = case.parties.get(role=Party.Role.SUSPECT).staff
    decision = retention_delete(
        case=case, user=coordinator, review_on=case.retention_review_on, reason="Review period over.", confirmed=True
    )
    assert _where_found(values) == []
    allocation = case.allocations.get()
    assert allocation.overrides[0]["reason"] == "Victim A asked for this SOO"
    assert not [v for v in allocation.history.values_list("overrides", flat=True) if FIRST in str(v)]
    for party in Party.objects.filter(case=case):
        assert (party.first_name, party.last_name, party.date_of_birth, party.staff_id, party.phone) == (
            "",
            "",
            None,
            None,
            "",
        )
    assert not Party.history.filter(case_id=case.pk).exclude(date_of_birth=None).exists()
    assert not Party.history.filter(case_id=case.pk, staff=suspect_staff).exists()
    assert not SafeContact.objects.filter(party__case=case).exists()
    assert not SafeContact.history.filter(party_id__in=Party.objects.filter(case=case).values("pk")).exists()
    # Free text keeps what does not identify, with role pseudonyms where the names were.
    assert Contact.objects.get(allocation__case=case).note == "Called Victim A on [phone]."
    assert CaseClosure.objects.get(case=case).learning == "Victim A asked for weekly calls."
    # The staff directory itself is the force's, not the case's: untouched.
    assert StaffMember.objects.filter(pk=suspect_staff.pk).exists()
    # Audited in the same transaction: who, when, why, and what was changed (counts, no content).
    assert (decision.kind, decision.decided_by, decision.reason) == ("delete", coordinator, "Review period over.")
    assert decision.erased["parties"] == 2 and decision.erased["safe contacts"] == 1
    case.refresh_from_db()
    assert case.identities_erased_at == decision.decided_at and case.retention_review_on is None


def test_the_statistics_count_the_deleted_case_as_before(case, coordinator):
    now = timezone.now()
    before = _figures(now)
    by_band = dict(before)["by_rank_band"]
    assert by_band[1].cells[0].n == 1  # the police suspect counts under constable
    retention_delete(case=case, user=coordinator, review_on=case.retention_review_on, reason="Over.", confirmed=True)
    assert _figures(now) == before
    assert Party.objects.get(case=case, role=Party.Role.SUSPECT).erased_band == "constable"


def test_the_inspection_export_keeps_the_rank_band_of_a_deleted_case(case, coordinator):
    # Closed more than 12 months ago, so not in the export by date: bring the closing date in to see the band.
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - dt.timedelta(days=10))
    retention_delete(case=case, user=coordinator, review_on=case.retention_review_on, reason="Over.", confirmed=True)
    row = inspection_cases(user=coordinator).get(pk=case.pk)
    assert (row.suspect_police, row.suspect_above) == (True, False)


def test_deleting_needs_a_confirmation_and_a_reason(case, coordinator):
    with pytest.raises(ApplicationError) as exc:
        retention_delete(
            case=case, user=coordinator, review_on=case.retention_review_on, reason="Over", confirmed=False
        )
    assert "confirm" in exc.value.errors
    with pytest.raises(ApplicationError) as exc:
        retention_delete(case=case, user=coordinator, review_on=case.retention_review_on, reason="  ", confirmed=True)
    assert "reason" in exc.value.errors
    assert not RetentionDecision.objects.exists()
    assert Party.objects.filter(case=case).exclude(first_name="").exists()


def test_a_repeated_delete_returns_the_first_decision_and_nothing_can_follow(case, coordinator):
    review_on = case.retention_review_on
    first = retention_delete(case=case, user=coordinator, review_on=review_on, reason="Over.", confirmed=True)
    again = retention_delete(case=case, user=coordinator, review_on=review_on, reason="Over.", confirmed=True)
    assert again.pk == first.pk and RetentionDecision.objects.count() == 1
    # Irreversible: no later retain on the same review, and no review left to decide.
    with pytest.raises(ApplicationError, match="already decided"):
        retention_retain(
            case=case, user=coordinator, review_on=review_on, reason="Keep", next_review_on=dt.date(2040, 1, 1)
        )


def test_a_failure_during_deletion_leaves_everything_as_it_was(case, coordinator, monkeypatch):
    from oversight.retention import services

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "case_retention_set", broken)
    with pytest.raises(RuntimeError):
        retention_delete(case=case, user=coordinator, review_on=case.retention_review_on, reason="x", confirmed=True)
    assert not RetentionDecision.objects.exists()
    assert Party.objects.filter(case=case, first_name=FIRST).exists()
    assert SafeContact.objects.filter(party__case=case).exists()


def test_only_a_coordinator_decides(case):
    from django.core.exceptions import PermissionDenied

    soo = case.allocations.get().soo.user
    with pytest.raises(PermissionDenied):
        retention_delete(case=case, user=soo, review_on=case.retention_review_on, reason="x", confirmed=True)

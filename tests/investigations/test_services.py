"""The investigation services: assignment, the record, the transitions and the updates."""

import datetime as dt

import pytest

from cases.investigations import selectors
from cases.investigations.models import Investigation, PsdAssignment, PsdUpdate, Strand
from cases.investigations.services import investigation_open, psd_assign, psd_unassign, psd_update_post
from cases.models import Party
from oversight.closure import hooks as closure_hooks
from oversight.update_form.selectors import investigation_record_for_case
from ppda.errors import ApplicationError
from ppda.models import Notification
from ppda.permissions import user_has_object_perm
from ppda.roles import Role
from tests.factories.directory import StaffMemberFactory, UserFactory
from tests.factories.investigations import open_investigation, psd_assigned_case, psd_rep

pytestmark = pytest.mark.django_db

S = Strand.Status


def _fresh(user):
    # Guardian caches permission results on the user: re-fetch after a grant or revoke (PITFALLS.md).
    return type(user).objects.get(pk=user.pk)


def test_assignment_grants_and_unassignment_revokes_and_both_are_in_history():
    case, _soo, coordinator, psd = psd_assigned_case()
    assignment = PsdAssignment.objects.get(case=case, user=psd)
    assert user_has_object_perm(_fresh(psd), "cases.view_case", case)
    psd_unassign(assignment=assignment, by=coordinator)
    assert not user_has_object_perm(_fresh(psd), "cases.view_case", case)
    assert [h.history_user_id for h in assignment.history.order_by("history_date")] == [coordinator.pk] * 2
    assert not selectors.psd_assigned(_fresh(psd), case)
    with pytest.raises(ApplicationError, match="no longer assigned"):
        psd_unassign(assignment=assignment, by=coordinator)


def test_only_coordinators_assign_only_psd_reps_and_never_a_party():
    case, soo, coordinator, psd = psd_assigned_case()
    with pytest.raises(ApplicationError, match="Only a case coordinator"):
        psd_assign(case=case, user=psd_rep(), by=soo)
    with pytest.raises(ApplicationError, match="Choose a PSD representative"):
        psd_assign(case=case, user=soo, by=coordinator)
    with pytest.raises(ApplicationError, match="already assigned"):
        psd_assign(case=case, user=psd, by=coordinator)
    suspect = Party.objects.get(case=case, role="suspect")
    party_psd = UserFactory(staff=suspect.staff, roles=[Role.PSD_REP])
    with pytest.raises(ApplicationError, match="cannot be assigned"):
        psd_assign(case=case, user=party_psd, by=coordinator)
    assert PsdAssignment.objects.filter(case=case).count() == 1


def test_only_the_assigned_rep_opens_the_record_and_posts():
    case, soo, coordinator, psd = psd_assigned_case()
    for someone in (psd_rep(), soo, coordinator):
        with pytest.raises(ApplicationError, match="Only the PSD representative assigned"):
            investigation_open(case=case, by=someone, criminal=True, misconduct=False)
    investigation = open_investigation(case, psd)
    psd_unassign(assignment=PsdAssignment.objects.get(case=case, user=psd), by=coordinator)
    with pytest.raises(ApplicationError, match="Only the PSD representative assigned"):
        psd_update_post(investigation=investigation, by=_fresh(psd), kind="note", text="Still going")
    assert not PsdUpdate.objects.exists()


def test_open_needs_a_strand_and_a_misconduct_allegation_date():
    case, _soo, _c, psd = psd_assigned_case()
    with pytest.raises(ApplicationError, match="Choose a criminal"):
        investigation_open(case=case, by=psd, criminal=False, misconduct=False)
    with pytest.raises(ApplicationError, match="date of the allegation"):
        investigation_open(case=case, by=psd, criminal=False, misconduct=True)
    suspect = Party.objects.get(case=case, role="suspect")
    with pytest.raises(ApplicationError, match="party to this case cannot be its officer"):
        investigation_open(case=case, by=psd, criminal=True, misconduct=False, criminal_officer=suspect.staff)
    assert not Investigation.objects.exists()
    investigation = open_investigation(case, psd)
    assert {s.kind: s.status for s in investigation.strands.all()} == {
        "criminal": S.ASSESSMENT,
        "misconduct": S.SEVERITY_ASSESSMENT,
    }
    with pytest.raises(ApplicationError, match="already has an investigation record"):
        open_investigation(case, psd)


def test_an_impossible_transition_is_refused_with_a_clear_message_and_nothing_written():
    case, _soo, _c, psd = psd_assigned_case()
    investigation = open_investigation(case, psd)
    criminal = investigation.strands.get(kind="criminal")
    notifications = Notification.objects.count()
    history = Strand.history.count()
    with pytest.raises(ApplicationError) as refused:
        psd_update_post(investigation=investigation, by=psd, kind="status", strand=criminal, to_status=S.CHARGED)
    assert refused.value.message == (
        "A criminal investigation at assessment cannot move to charged. "
        "Next steps allowed: under investigation, no further action"
    )
    assert refused.value.field == "to_status"
    # A misconduct status on the criminal strand, and an unknown status, are refused the same way.
    for bad in (S.MISCONDUCT_MEETING, "nonsense"):
        with pytest.raises(ApplicationError, match="cannot move to"):
            psd_update_post(investigation=investigation, by=psd, kind="status", strand=criminal, to_status=bad)
    criminal.refresh_from_db()
    investigation.refresh_from_db()
    assert criminal.status == S.ASSESSMENT
    assert not PsdUpdate.objects.exists()
    assert Strand.history.count() == history
    assert Notification.objects.count() == notifications
    assert investigation.last_update_at == investigation.opened_at


def test_the_criminal_and_misconduct_paths_to_their_outcomes():
    case, soo, coordinator, psd = psd_assigned_case()
    investigation = open_investigation(case, psd)
    criminal = investigation.strands.get(kind="criminal")
    misconduct = investigation.strands.get(kind="misconduct")

    def move(strand, to, outcome=""):
        return psd_update_post(
            investigation=investigation, by=psd, kind="status", strand=strand, to_status=to, outcome=outcome
        )

    for step in (S.UNDER_INVESTIGATION, S.WITH_CPS, S.CHARGED):
        move(criminal, step)
    with pytest.raises(ApplicationError, match="Choose the outcome"):
        move(criminal, S.COURT_OUTCOME)
    with pytest.raises(ApplicationError, match="Choose the outcome"):
        move(criminal, S.COURT_OUTCOME, Strand.Outcome.DISMISSAL)  # a misconduct outcome for a court
    move(criminal, S.COURT_OUTCOME, Strand.Outcome.CONVICTED)
    criminal.refresh_from_db()
    assert criminal.charged_on is not None and criminal.concluded_at is not None
    assert closure_hooks.investigation_outcomes(case) == closure_hooks.InvestigationOutcomes(
        criminal="Charged; court outcome: Convicted", misconduct=""
    )
    for step in (S.UNDER_INVESTIGATION, S.GROSS_MISCONDUCT_HEARING):
        move(misconduct, step)
    move(misconduct, S.OUTCOME, Strand.Outcome.FINAL_WRITTEN_WARNING)
    investigation.refresh_from_db()
    assert investigation.concluded_at is not None
    assert closure_hooks.investigation_outcomes(case).misconduct == "Final written warning"
    with pytest.raises(ApplicationError, match="Next steps allowed: none: it is concluded"):
        move(misconduct, S.UNDER_INVESTIGATION)
    # Each step is in the strand's history, with the PSD representative as its author.
    assert set(misconduct.history.values_list("history_user_id", flat=True)) == {psd.pk}
    # The SOO and the coordinator are told about every step, by reference and link only.
    assert Notification.objects.filter(recipient=soo, kind="psd_update").count() == 1 + 7
    assert Notification.objects.filter(recipient=coordinator, kind="psd_update").count() == 1 + 7
    assert not Notification.objects.filter(recipient=psd, kind="psd_update").exists()


def test_decisions_including_a_decision_not_to_act_need_a_rationale():
    case, _soo, _c, psd = psd_assigned_case()
    investigation = open_investigation(case, psd)
    with pytest.raises(ApplicationError, match="rationale"):
        psd_update_post(investigation=investigation, by=psd, kind="decision", decision="Not to suspend")
    update = psd_update_post(
        investigation=investigation,
        by=psd,
        kind="decision",
        decision="Not to suspend the officer",
        rationale="Restricted duties meet the risk.",
        decided_not_to=True,
    )
    assert update.decided_not_to and update.rationale
    assert selectors.psd_updates_for_case(case) == [update]


def test_officer_change_and_iopc_referral():
    case, _soo, _c, psd = psd_assigned_case()
    investigation = open_investigation(case, psd)
    criminal = investigation.strands.get(kind="criminal")
    officer = StaffMemberFactory()
    psd_update_post(investigation=investigation, by=psd, kind="investigator", strand=criminal, to_officer=officer)
    with pytest.raises(ApplicationError, match="already in charge"):
        psd_update_post(investigation=investigation, by=psd, kind="investigator", strand=criminal, to_officer=officer)
    criminal.refresh_from_db()
    assert criminal.officer_in_charge == officer
    with pytest.raises(ApplicationError, match="date of the referral"):
        psd_update_post(investigation=investigation, by=psd, kind="iopc", iopc_referral="mandatory")
    psd_update_post(
        investigation=investigation,
        by=psd,
        kind="iopc",
        iopc_referral="mandatory",
        iopc_referred_on=dt.date(2026, 2, 1),
        iopc_mode="directed",
    )
    investigation.refresh_from_db()
    assert (investigation.iopc_referral, investigation.iopc_mode) == ("mandatory", "directed")
    summary = investigation_record_for_case(case)
    assert "IOPC: mandatory referral, directed investigation" in summary.summary
    assert "Criminal investigation (PPDA team in PSD): Assessment" in summary.summary


def test_the_record_summary_ends_one_sentence_once_when_the_update_has_its_own_full_stop():
    case, _, _, psd = psd_assigned_case(distinctive=False)
    investigation = open_investigation(case, psd, misconduct=False)
    psd_update_post(investigation=investigation, by=psd, kind="note", text="Interviewed under caution.")
    summary = investigation_record_for_case(case).summary
    assert summary.endswith("progress update, Interviewed under caution.") and ".." not in summary
    psd_update_post(investigation=investigation, by=psd, kind="note", text="File with the CPS")
    assert investigation_record_for_case(case).summary.endswith("File with the CPS.")

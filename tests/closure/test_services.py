"""case_close and the closure draft: refused with one clear message per missing item, idempotent, and what
closing does (case closed, allocation ended, coordinators told, access kept for the grace period)."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Case
from cases.selectors import cases_for_user
from oversight.closure import hooks
from oversight.closure.models import CaseClosure, ClosureAccessRevocation
from oversight.closure.services import (
    BRING_BACK_KEY,
    REQUIRED_MESSAGES,
    ClosureInput,
    case_close,
    closure_draft_save,
)
from oversight.models import Allocation
from ppda.errors import ApplicationError
from ppda.models import Notification
from ppda.roles import Role
from tests.factories.closure import ActiveAllocationFactory, CompleteClosureFactory, DraftClosureFactory
from tests.factories.directory import ChiefInspectorFactory, UserFactory
from tests.factories.oversight import PendingAllocationFactory

pytestmark = pytest.mark.django_db

ALWAYS_REQUIRED = [
    "misconduct_assessment_done",
    "iopc_referral_considered",
    "victim_informed",
    "panel_agreement",
    "victim_confident_to_report",
    "victim_kept_informed_rating",
    "reason",
    "criminal_outcome",
    "misconduct_outcome",
    "final_conversation_on",
    "no_further_contact_explained",
    "learning",
]


@pytest.fixture
def allocation():
    return ActiveAllocationFactory()


@pytest.fixture
def soo(allocation):
    return allocation.soo.user


def _refusal(case, user) -> ApplicationError:
    with pytest.raises(ApplicationError) as exc:
        case_close(case=case, user=user)
    return exc.value


def test_closing_with_nothing_recorded_names_every_required_item_once(allocation, soo):
    error = _refusal(allocation.case, soo)
    assert list(error.errors) == ALWAYS_REQUIRED
    for name, messages in error.errors.items():
        assert messages == [REQUIRED_MESSAGES[name]]
    assert "cannot be closed yet: 12 things need attention" in error.message
    # Nothing changed.
    allocation.case.refresh_from_db()
    assert allocation.case.status == Case.Status.ACTIVE
    assert Allocation.objects.get(pk=allocation.pk).status == Allocation.Status.ACCEPTED


def test_the_messages_are_distinct_and_say_what_to_do():
    messages = list(REQUIRED_MESSAGES.values())
    assert len(set(messages)) == len(messages)
    assert all(m.split()[0] in {"Confirm", "Record", "Select", "Describe", "Enter"} for m in messages)


@pytest.mark.parametrize("missing", ALWAYS_REQUIRED)
def test_each_missing_item_alone_is_named_alone(allocation, soo, missing):
    blank = {"victim_kept_informed_rating": None, "final_conversation_on": None}.get(missing, "")
    if missing in {"misconduct_assessment_done", "iopc_referral_considered", "victim_informed"}:
        blank = False
    if missing == "no_further_contact_explained":
        blank = False
    CompleteClosureFactory(case=allocation.case, **{missing: blank})
    error = _refusal(allocation.case, soo)
    assert error.errors == {missing: [REQUIRED_MESSAGES[missing]]}
    assert "1 thing needs attention" in error.message


@pytest.mark.parametrize(
    "values, missing",
    [
        ({"reason": "other", "reason_other": "  "}, "reason_other"),
        ({"criminal_outcome": "other", "criminal_outcome_detail": ""}, "criminal_outcome_detail"),
        ({"misconduct_outcome": "other", "misconduct_outcome_detail": ""}, "misconduct_outcome_detail"),
    ],
)
def test_other_needs_its_description(allocation, soo, values, missing):
    CompleteClosureFactory(case=allocation.case, **values)
    assert _refusal(allocation.case, soo).errors == {missing: [REQUIRED_MESSAGES[missing]]}


def test_outcomes_from_the_investigation_record_count_as_recorded(allocation, soo):
    CompleteClosureFactory(case=allocation.case, criminal_outcome="", misconduct_outcome="")
    assert set(_refusal(allocation.case, soo).errors) == {"criminal_outcome", "misconduct_outcome"}

    def record(case):
        return hooks.InvestigationOutcomes(criminal="No further action", misconduct="No case to answer")

    with hooks.registered(outcomes=record):
        case_close(case=allocation.case, user=soo)
    assert Case.objects.get(pk=allocation.case.pk).status == Case.Status.CLOSED


def test_a_case_the_panel_asked_back_cannot_close_until_heard(allocation, soo):
    CompleteClosureFactory(case=allocation.case)
    heard = set()
    asked = "The panel asked for this case to be brought back; it has not been heard yet."

    def bring_back(case):
        return None if case.pk in heard else asked

    with hooks.registered(bring_back=bring_back):
        error = _refusal(allocation.case, soo)
        assert error.errors == {BRING_BACK_KEY: [asked]}
        # Missing items and the bring-back are reported together.
        CaseClosure.objects.filter(case=allocation.case).update(learning="")
        assert set(_refusal(allocation.case, soo).errors) == {"learning", BRING_BACK_KEY}
        CaseClosure.objects.filter(case=allocation.case).update(learning="None")
        heard.add(allocation.case.pk)
        case_close(case=allocation.case, user=soo)
    assert hooks.pending_bring_back(allocation.case) == []  # unregistered on leaving the block


def test_closing_closes_the_case_ends_the_allocation_keeps_access_and_tells_the_coordinators(
    allocation, soo, coordinator, settings
):
    settings.CLOSURE_ACCESS_GRACE_DAYS = 3
    other_coordinator = UserFactory(roles=[Role.COORDINATOR])
    CompleteClosureFactory(case=allocation.case)
    before = timezone.now()
    case_close(case=allocation.case, user=soo)

    case = Case.objects.get(pk=allocation.case.pk)
    assert case.status == Case.Status.CLOSED and case.closed_at >= before
    assert case.history.first().history_user == soo
    ended = Allocation.objects.get(pk=allocation.pk)
    assert ended.status == Allocation.Status.ENDED and ended.end_reason == "case closed"
    assert ended.history.first().history_user == soo
    closure = CaseClosure.objects.get(case=case)
    assert closure.closed_by == soo and closure.closed_at >= before
    # Read-only access for the grace period: the grant stays, a revocation is due in 3 days.
    assert cases_for_user(soo).filter(pk=case.pk).exists()
    revocation = ClosureAccessRevocation.objects.get(allocation=ended)
    assert revocation.revoked_at is None and revocation.soo_id == allocation.soo_id
    assert dt.timedelta(days=3) <= revocation.due_at - before < dt.timedelta(days=3, minutes=1)
    # The coordinators: reference and link, never a name.
    notes = Notification.objects.filter(kind="case_closed")
    assert {n.recipient for n in notes} == {coordinator, other_coordinator, allocation.allocated_by}
    victim = case.parties.get(role="victim")
    for n in notes:
        assert n.case_reference == case.reference and str(case.public_id) in n.link
        assert victim.first_name not in n.message and victim.last_name not in n.message


def test_closing_twice_is_a_clear_message(allocation, soo):
    CompleteClosureFactory(case=allocation.case)
    case_close(case=allocation.case, user=soo)
    error = _refusal(allocation.case, soo)
    assert "is already closed" in error.message and "Nothing was changed" in error.message
    assert ClosureAccessRevocation.objects.count() == 1


def test_only_the_allocated_soo_who_accepted_can_close(allocation, coordinator):
    CompleteClosureFactory(case=allocation.case)
    other = UserFactory(staff=ChiefInspectorFactory(), roles=[Role.SOO])
    for user in (other, coordinator):
        assert "Only the senior oversight officer allocated" in _refusal(allocation.case, user).message

    pending = PendingAllocationFactory()
    CompleteClosureFactory(case=pending.case)
    assert "Accept the allocation" in _refusal(pending.case, pending.soo.user).message


def _input(**values) -> ClosureInput:
    return ClosureInput(**values)


def test_a_draft_is_saved_incomplete_with_history(allocation, soo):
    closure = closure_draft_save(case=allocation.case, user=soo, data=_input(victim_informed=True, learning=" x "))
    assert closure.victim_informed and closure.learning == "x" and closure.updated_by == soo
    closure_draft_save(case=allocation.case, user=soo, data=_input(victim_informed=True, victim_kept_informed_rating=2))
    assert closure.history.count() == 2
    assert closure.history.first().history_user == soo
    assert CaseClosure.objects.count() == 1


@pytest.mark.parametrize(
    "values, field",
    [
        ({"victim_kept_informed_rating": 7}, "victim_kept_informed_rating"),
        ({"victim_kept_informed_rating": 0}, "victim_kept_informed_rating"),
        ({"final_conversation_on": dt.date.today() + dt.timedelta(days=2)}, "final_conversation_on"),
        ({"final_conversation_on": dt.date(2001, 1, 1)}, "final_conversation_on"),
        ({"reason": "bored"}, "reason"),
        ({"panel_agreement": "maybe"}, "panel_agreement"),
        ({"victim_confident_to_report": "perhaps"}, "victim_confident_to_report"),
        ({"criminal_outcome": "x"}, "criminal_outcome"),
        ({"misconduct_outcome": "x"}, "misconduct_outcome"),
    ],
)
def test_a_wrong_value_is_refused_on_its_field(allocation, soo, values, field):
    with pytest.raises(ApplicationError) as exc:
        closure_draft_save(case=allocation.case, user=soo, data=_input(**values))
    assert list(exc.value.errors) == [field]
    assert not CaseClosure.objects.exists()


def test_after_closing_the_draft_is_read_only(allocation, soo):
    CompleteClosureFactory(case=allocation.case)
    case_close(case=allocation.case, user=soo)
    with pytest.raises(ApplicationError, match="already closed"):
        closure_draft_save(case=allocation.case, user=soo, data=_input(learning="changed"))
    assert CaseClosure.objects.get().learning.startswith("Updates")


def test_another_soo_cannot_save_the_draft(allocation):
    DraftClosureFactory(case=allocation.case)
    other = UserFactory(staff=ChiefInspectorFactory(), roles=[Role.SOO])
    with pytest.raises(ApplicationError, match="Only the senior oversight officer"):
        closure_draft_save(case=allocation.case, user=other, data=_input(learning="x"))

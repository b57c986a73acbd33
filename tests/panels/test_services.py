"""Panel services: each checks the state it starts from; outcomes become read-only at approval (amendments
after); the chair's text is redacted for attendees; outcomes reach the update form; bring-back holds closure."""

import pytest
from django.urls import reverse

from cases.models import CaseLink
from oversight.closure import hooks as closure_hooks
from oversight.update_form import render
from panels import selectors, services
from panels.models import Amendment, Meeting, SlotInvitation, Theme
from ppda.errors import ApplicationError
from ppda.models import Notification
from tests.conftest import login_verified
from tests.factories.panels import draft_panel, held_panel, member_user, panel_case, published_panel
from tests.factories.update_form import VICTIM

pytestmark = pytest.mark.django_db


def test_publish_checks_state_and_notifies_without_case_identifiers():
    panel = draft_panel(n_cases=1)
    services.meeting_publish(meeting=panel.meeting, by=panel.coordinator)
    with pytest.raises(ApplicationError, match="already published"):
        services.meeting_publish(meeting=panel.meeting, by=panel.coordinator)
    case, soo = panel.cases[0]
    notes = Notification.objects.filter(kind__in=["panel_published", "panel_slot"])
    assert {n.recipient_id for n in notes} >= {panel.chair.pk, panel.member.pk, panel.psd.pk, soo.pk}
    for n in notes:
        assert case.reference not in n.message and VICTIM["last_name"] not in n.message and not n.case_reference
    assert SlotInvitation.objects.filter(item=panel.items[0], user=soo).exists()


def test_an_empty_agenda_cannot_be_published_and_only_coordinators_build():
    panel = draft_panel(n_cases=0)
    with pytest.raises(ApplicationError, match="at least one case"):
        services.meeting_publish(meeting=panel.meeting, by=panel.coordinator)
    case, _ = panel_case()
    with pytest.raises(ApplicationError):
        services.item_add(meeting=panel.meeting, case=case, by=panel.chair)


def test_a_counter_allegation_pair_shares_one_slot_with_both_soos():
    panel = draft_panel(n_cases=0)
    (a, soo_a), (b, soo_b) = panel_case(), panel_case()
    CaseLink.objects.create(from_case=a, to_case=b, kind=CaseLink.Kind.COUNTER_ALLEGATION)
    item = services.item_add(meeting=panel.meeting, case=a, by=panel.coordinator)
    assert set(item.entries.values_list("case_id", flat=True)) == {a.pk, b.pk}
    with pytest.raises(ApplicationError, match="already on this agenda"):
        services.item_add(meeting=panel.meeting, case=b, by=panel.coordinator)
    services.meeting_publish(meeting=panel.meeting, by=panel.coordinator)
    assert set(SlotInvitation.objects.filter(item=item).values_list("user_id", flat=True)) == {soo_a.pk, soo_b.pk}
    # The chair records the panel's view of the primary victim, only between the slot's cases.
    outcome, _ = services.outcome_record(item=item, by=panel.chair, primary_case=b)
    assert outcome.primary_case == b
    other, _ = panel_case()
    with pytest.raises(ApplicationError, match="shared slot"):
        services.outcome_record(item=item, by=panel.chair, primary_case=other)


def test_outcomes_are_read_only_once_minutes_are_approved_and_amended_with_who_and_why():
    panel = held_panel(n_cases=1)
    item = panel.items[0]
    services.outcome_record(
        item=item, by=panel.chair, decisions="Ask the OIC for an update.", themes=[Theme.INDIVIDUAL]
    )
    with pytest.raises(ApplicationError, match="chair"):
        services.minutes_approve(meeting=panel.meeting, by=panel.member)
    services.minutes_approve(meeting=panel.meeting, by=panel.chair)
    with pytest.raises(ApplicationError, match="amendment"):
        services.outcome_record(item=item, by=panel.chair, decisions="Changed")
    with pytest.raises(ApplicationError, match="why"):
        services.outcome_amend(item=item, by=panel.chair, field="decisions", value="Changed", reason=" ")
    amendment = services.outcome_amend(
        item=item, by=panel.chair, field="decisions", value="Ask the OIC for a written update.", reason="Typo"
    )
    assert (amendment.before, amendment.after, amendment.amended_by) == (
        "Ask the OIC for an update.",
        "Ask the OIC for a written update.",
        panel.chair,
    )
    item.outcome.refresh_from_db()
    assert item.outcome.decisions == "Ask the OIC for a written update."
    assert item.outcome.history.count() == 2 and Amendment.objects.count() == 1


def test_bring_back_needs_a_reason_and_holds_closure_until_heard_again():
    panel = held_panel(n_cases=1)
    case, _ = panel.cases[0]
    with pytest.raises(ApplicationError, match="why"):
        services.outcome_record(item=panel.items[0], by=panel.chair, bring_back=True)
    services.outcome_record(item=panel.items[0], by=panel.chair, bring_back=True, bring_back_reason="Misconduct check")
    message = closure_hooks.pending_bring_back(case)
    assert message and "brought back" in message[0] and case.reference not in message[0]
    # The builder of a later meeting offers it first.
    later = draft_panel(n_cases=0, starts_at=panel.meeting.starts_at.replace(year=panel.meeting.starts_at.year + 1))
    from cases.selectors import cases_for_user

    offered = selectors.agenda_candidates(later.meeting, cases=cases_for_user(later.coordinator))
    assert offered[0]["case"] == case and offered[0]["reason"] == "Asked to bring back"
    services.item_add(meeting=later.meeting, case=case, by=later.coordinator)
    services.meeting_publish(meeting=later.meeting, by=later.coordinator)
    assert closure_hooks.pending_bring_back(case)  # on the agenda, not yet heard
    services.meeting_hold(meeting=later.meeting, by=later.chair)
    assert closure_hooks.pending_bring_back(case) == []


def test_chair_text_is_redacted_for_attendees_and_the_chair_is_warned(client):
    panel = held_panel(n_cases=1)
    item = panel.items[0]
    _, warnings = services.outcome_record(
        item=item, by=panel.chair, decisions=f"{VICTIM['first_name']} {VICTIM['last_name']} to be offered an IDVA."
    )
    assert warnings and "replaced" in warnings[0]
    login_verified(client, panel.member)
    body = client.get(reverse("panels:paper", args=[item.public_id])).content.decode()
    assert "to be offered an IDVA" in body
    assert VICTIM["last_name"] not in body and VICTIM["first_name"] not in body


def test_outcomes_flow_into_the_update_forms_panel_section():
    panel = held_panel(n_cases=1)
    case, _ = panel.cases[0]
    services.outcome_record(
        item=panel.items[0],
        by=panel.chair,
        decisions=f"Tell {VICTIM['first_name']} about the IDVA.",
        themes=[Theme.GOOD_PRACTICE],
    )
    services.action_add(item=panel.items[0], by=panel.chair, description="Chase the OIC.", owner_role="soo")
    form = render.panel_form(case, notify=False)
    section = next(s for s in form.sections if s.slug == "panel")
    text = " ".join(f"{r.label} {r.value}" for r in section.rows)
    assert "Tell" in text and "Good practice" in text and "Chase the OIC." in text
    assert VICTIM["first_name"] not in text


def test_attendees_change_only_before_the_meeting_and_the_chair_stays():
    panel = published_panel(n_cases=1)
    with pytest.raises(ApplicationError, match="chair"):
        services.attendee_remove(attendee=panel.attendee(panel.chair), by=panel.coordinator)
    with pytest.raises(ApplicationError, match="already attend"):
        services.attendee_add(meeting=panel.meeting, user=panel.member, organisation="X", by=panel.coordinator)
    services.meeting_hold(meeting=panel.meeting, by=panel.chair)
    with pytest.raises(ApplicationError, match="before the meeting is held"):
        services.attendee_add(meeting=panel.meeting, user=member_user(), organisation="X", by=panel.coordinator)
    assert Meeting.objects.get(pk=panel.meeting.pk).status == Meeting.Status.HELD


def test_a_changed_statement_must_be_accepted_again(settings):
    panel = published_panel(n_cases=1)
    attendee = panel.attendee(panel.member)
    assert services.statement_accepted(attendee)
    settings.PANEL_CONFIDENTIALITY_STATEMENT = "A new statement."
    assert not services.statement_accepted(attendee)

"""Closure pages: the SOO's checklist (draft, "Close case" with the missing items), read-only after closing,
the coordinators' review and reopen action; bad input answers 200 with clear errors, never 500."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseAccessDeclaration, CaseLink
from oversight.closure.models import CaseClosure
from oversight.closure.services import REQUIRED_MESSAGES, closure_access_sweep
from ppda.date_input import date_post
from ppda.models import AccessLog
from ppda.roles import Role
from tests.conftest import login_verified
from tests.factories.cases import CivilianVictimFactory, PoliceSuspectFactory, TriagedCaseFactory
from tests.factories.closure import ActiveAllocationFactory, CompleteClosureFactory
from tests.factories.directory import ChiefInspectorFactory, UserFactory

pytestmark = pytest.mark.django_db

COMPLETE = {
    "misconduct_assessment_done": "on",
    "iopc_referral_considered": "on",
    "victim_informed": "on",
    "panel_agreement": "content",
    "victim_confident_to_report": "yes",
    "victim_kept_informed_rating": "5",
    "reason": "concluded",
    "criminal_outcome": "nfa",
    "misconduct_outcome": "no_case",
    # final_conversation_on: filled per test (yesterday), in the day, month and year boxes
    "no_further_contact_explained": "on",
    "learning": "Weekly updates kept the victim engaged.",
}


@pytest.fixture
def allocation():
    return ActiveAllocationFactory()


@pytest.fixture
def soo_client(allocation, verified_client):
    return verified_client(allocation.soo.user)


@pytest.fixture
def coordinator_client(allocation, coordinator, verified_client):
    CaseAccessDeclaration.objects.create(
        case=allocation.case, user=coordinator, kind=CaseAccessDeclaration.Kind.NO_CONFLICT
    )
    return verified_client(coordinator)


def _edit(allocation):
    return reverse("closure:edit", args=[allocation.case.public_id])


def _complete():
    return {**COMPLETE, **date_post("final_conversation_on", timezone.localdate() - dt.timedelta(days=1))}


def _typed(day: str, month: str, year: str) -> dict[str, str]:
    return {"final_conversation_on_day": day, "final_conversation_on_month": month, "final_conversation_on_year": year}


def test_the_page_shows_every_missing_item_and_logs_the_read(allocation, soo_client):
    response = soo_client.get(_edit(allocation))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Close the case" in body and 'value="close"' in body
    for name in ("misconduct_assessment_done", "learning", "final_conversation_on"):
        assert REQUIRED_MESSAGES[name].replace("'", "&#x27;") in body
    assert AccessLog.objects.filter(user=allocation.soo.user, what="closure page", allowed=True).exists()


def test_a_draft_saves_and_close_names_each_missing_item(allocation, soo_client):
    response = soo_client.post(_edit(allocation), {"victim_informed": "on", "action": "save"})
    assert response.status_code == 302
    assert CaseClosure.objects.get(case=allocation.case).victim_informed

    response = soo_client.post(_edit(allocation), {"victim_informed": "on", "learning": "x", "action": "close"})
    assert response.status_code == 200
    summary = response.context["error_summary"]
    messages = [m for _, m in summary]
    assert REQUIRED_MESSAGES["victim_informed"] not in messages
    assert REQUIRED_MESSAGES["misconduct_assessment_done"] in messages
    assert len(messages) == 10 and len(set(messages)) == 10
    assert ("#id_misconduct_assessment_done", REQUIRED_MESSAGES["misconduct_assessment_done"]) in summary
    assert ("#id_panel_agreement_0", REQUIRED_MESSAGES["panel_agreement"]) in summary
    assert Case.objects.get(pk=allocation.case.pk).status == Case.Status.ACTIVE
    assert CaseClosure.objects.get(case=allocation.case).learning == "x"  # the draft was kept


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"victim_kept_informed_rating": "9"}, "victim_kept_informed_rating"),
        (_typed("31", "2", "2026"), "final_conversation_on"),
        (_typed("", "2", "2026"), "final_conversation_on"),
        (date_post("final_conversation_on", "2999-01-01"), "final_conversation_on"),
        ({"reason": "<script>"}, "reason"),
        ({"reason_other": "x" * 500}, "reason_other"),
        ({"panel_agreement": ["content", "signed_off", "x"]}, "panel_agreement"),
    ],
)
def test_bad_input_is_a_clear_error_not_a_500(allocation, soo_client, bad, field):
    response = soo_client.post(_edit(allocation), {**_complete(), **bad, "action": "close"})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Case.objects.get(pk=allocation.case.pk).status == Case.Status.ACTIVE


def test_the_final_conversation_date_is_typed_in_day_month_year_boxes(allocation, soo_client):
    page = soo_client.get(_edit(allocation))
    # No default: the date is a closing item the SOO must give, so today is not filled in for them.
    assert page.context["form"]["final_conversation_on"].parts == {"day": "", "month": "", "year": ""}
    assert 'name="final_conversation_on_day"' in page.content.decode() and 'type="date"' not in page.content.decode()
    for typed, message in [
        (_typed("31", "2", "2026"), "The date of the final conversation must be a real date"),
        (_typed("3", "", "2026"), "The date of the final conversation must include a month"),
        (_typed("3", "2", "26"), "The year must include 4 numbers"),
        (date_post("final_conversation_on", "2999-01-01"), "The date of the final conversation must be today or"),
    ]:
        response = soo_client.post(_edit(allocation), {**_complete(), **typed, "action": "save"})
        assert response.status_code == 200
        href, text = response.context["error_summary"][0]
        assert href == "#id_final_conversation_on_day" and text.startswith(message)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert soo_client.post(_edit(allocation), {**_complete(), "action": "save"}).status_code == 302
    assert CaseClosure.objects.get().final_conversation_on == yesterday
    # The saved draft shows the date back in the three boxes.
    parts = soo_client.get(_edit(allocation)).context["form"]["final_conversation_on"].parts
    assert parts == {"day": str(yesterday.day), "month": str(yesterday.month), "year": str(yesterday.year)}


def test_closing_then_read_only_for_the_grace_period_then_gone(allocation, soo_client, settings):
    settings.CLOSURE_ACCESS_GRACE_DAYS = 14
    response = soo_client.post(_edit(allocation), {**_complete(), "action": "close"})
    assert response.status_code == 302
    assert Case.objects.get(pk=allocation.case.pk).status == Case.Status.CLOSED

    response = soo_client.get(_edit(allocation))
    body = response.content.decode()
    assert response.status_code == 200 and '<form method="post"' not in body
    assert "you can read it, but not change it" in body and "Weekly updates" in body
    # Closing twice, or changing the closed record: a clear message, not a 500.
    response = soo_client.post(_edit(allocation), {**_complete(), "learning": "changed", "action": "close"})
    assert response.status_code == 200 and "is already closed" in response.content.decode()
    assert CaseClosure.objects.get().learning.startswith("Weekly")
    # No contact logging during the grace period; the case itself is still readable.
    assert soo_client.get(reverse("contacts:create", args=[allocation.case.public_id])).status_code == 404
    assert soo_client.get(reverse("cases:detail", args=[allocation.case.public_id])).status_code == 200

    closure_access_sweep(now=timezone.now() + dt.timedelta(days=15))
    assert soo_client.get(_edit(allocation)).status_code == 404
    assert soo_client.get(reverse("cases:detail", args=[allocation.case.public_id])).status_code == 404


def test_who_may_not_use_the_soo_page(allocation, coordinator_client, verified_client):
    assert coordinator_client.get(_edit(allocation)).status_code == 404
    other = UserFactory(staff=ChiefInspectorFactory(), roles=[Role.SOO])
    assert verified_client(other).get(_edit(allocation)).status_code == 404
    assert AccessLog.objects.filter(what="closure page", allowed=False).count() == 2


def test_the_soo_page_runs_a_fixed_number_of_queries(allocation, soo_client, django_assert_num_queries):
    """The user (session from Redis), the case, the SOO's allocation, the declaration, the access-log row, the
    closure and its history (one query however many saves), the investigation record's outcomes (one query,
    cases/investigations), panels' bring-back check (one query, registered through oversight.closure.hooks);
    nothing per save or per item."""
    url = _edit(allocation)
    soo_client.post(url, {"learning": "first draft"})
    soo_client.get(url)  # warm-up: per-process lookups (permission ids)
    with django_assert_num_queries(9) as few:
        soo_client.get(url)
    for n in range(6):
        soo_client.post(url, {"learning": f"draft {n}", "victim_kept_informed_rating": str(n % 5 + 1)})
    with django_assert_num_queries(9) as many:
        response = soo_client.get(url)
    assert len(response.context["page"].changes) == 7
    assert len(few.captured_queries) == len(many.captured_queries)


def test_the_coordinator_review_is_read_only(allocation, coordinator_client, soo_client):
    CompleteClosureFactory(case=allocation.case)
    response = coordinator_client.get(reverse("closure:review", args=[allocation.case.public_id]))
    body = response.content.decode()
    assert response.status_code == 200 and "Everything needed to close the case is recorded" in body
    assert 'value="close"' not in body and 'name="learning"' not in body
    assert soo_client.get(reverse("closure:review", args=[allocation.case.public_id])).status_code == 404


def test_the_coordinator_reopens_with_the_new_reports_reference(allocation, soo_client, coordinator_client):
    soo_client.post(_edit(allocation), {**_complete(), "action": "close"})
    victim = allocation.case.parties.get(role="victim")
    new = TriagedCaseFactory()
    CivilianVictimFactory(
        case=new,
        first_name=victim.first_name,
        last_name=victim.last_name,
        normalised_name=victim.normalised_name,
        date_of_birth=victim.date_of_birth,
    )
    PoliceSuspectFactory(case=new)
    url = reverse("closure:reopen", args=[allocation.case.public_id])
    response = coordinator_client.get(url)
    assert response.status_code == 200 and new.reference in response.content.decode()  # offered as a candidate

    for bad, message in [("", "Enter the reference"), ("XX/1999/000000", "No case you can open")]:
        response = coordinator_client.post(url, {"reference": bad})
        assert response.status_code == 200 and message in response.content.decode()
    response = coordinator_client.post(url, {"reference": allocation.case.reference.lower()})
    assert response.status_code == 200 and "cannot reopen itself" in response.content.decode()

    response = coordinator_client.post(url, {"reference": new.reference})
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[new.public_id])
    assert CaseLink.objects.filter(from_case=new, to_case=allocation.case, kind=CaseLink.Kind.REPEAT).exists()


def test_reopen_on_an_open_case_says_there_is_nothing_to_reopen(allocation, coordinator_client):
    url = reverse("closure:reopen", args=[allocation.case.public_id])
    assert "nothing to reopen" in coordinator_client.get(url).content.decode()
    response = coordinator_client.post(url, {"reference": "DA/2026/999999"})
    assert response.status_code == 200 and "nothing to reopen" in response.content.decode()


def test_the_first_open_declaration_comes_first(allocation, verified_client):
    CaseAccessDeclaration.objects.filter(case=allocation.case).delete()
    client = login_verified(verified_client(allocation.soo.user), allocation.soo.user)
    response = client.get(_edit(allocation))
    assert response.status_code == 302 and "/declare/" in response["Location"]


def test_the_case_page_links_to_the_closure(allocation, soo_client, coordinator_client):
    case_url = reverse("cases:detail", args=[allocation.case.public_id])
    assert f'href="{_edit(allocation)}"' in soo_client.get(case_url).content.decode()
    body = coordinator_client.get(case_url).content.decode()
    assert (
        reverse("closure:review", args=[allocation.case.public_id]) in body
        and f'href="{_edit(allocation)}"' not in body
    )

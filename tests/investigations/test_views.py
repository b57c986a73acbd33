"""The investigation pages: who may open and post (404 for everyone else), and pinned query counts."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from cases.investigations.models import Investigation, PsdAssignment, PsdUpdate
from cases.investigations.services import psd_assign, psd_unassign, psd_update_post
from oversight.update_form.render import TIMELINE_WITHHELD, anonymised_timeline
from ppda.date_input import date_post
from tests.conftest import login_verified
from tests.factories.investigations import open_investigation, psd_assigned_case, psd_rep

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    return login_verified(Client(), user)


def _url(name, case):
    return reverse(f"cases:{name}", args=[case.public_id])


def test_the_assigned_rep_posts_and_no_one_else_can_and_not_after_unassignment():
    case, soo, coordinator, psd = psd_assigned_case()
    open_investigation(case, psd)
    other_case, *_rest, other_psd = psd_assigned_case(distinctive=False)
    me = _client(psd)
    response = me.post(_url("investigation_update", case), {"kind": "note", "text": "Suspect interviewed"})
    assert response.status_code == 302
    assert PsdUpdate.objects.filter(investigation__case=case).count() == 1
    # Not on a case assigned to someone else, nor by the SOO or a coordinator (they read only).
    assert me.get(_url("investigation", other_case)).status_code == 404
    assert me.post(_url("investigation_update", other_case), {"kind": "note", "text": "x"}).status_code == 404
    for reader in (soo, coordinator):
        client = _client(reader)
        assert client.get(_url("investigation", case)).status_code == 200
        assert client.post(_url("investigation_update", case), {"kind": "note", "text": "x"}).status_code == 404
    assert _client(psd_rep()).get(_url("investigation", case)).status_code == 404
    # After unassignment: 404 on every page of the case, the case page and update form included.
    psd_unassign(assignment=PsdAssignment.objects.get(case=case, user=psd), by=coordinator)
    me = _client(psd)
    for name in ("investigation", "investigation_update", "timeline", "detail"):
        assert me.get(_url(name, case)).status_code == 404, name
    assert me.get(reverse("update_form:detail", args=[case.public_id])).status_code == 404
    assert me.post(_url("investigation_update", case), {"kind": "note", "text": "late"}).status_code == 404
    assert PsdUpdate.objects.filter(investigation__case=case).count() == 1


def test_the_first_open_declaration_comes_first_for_the_psd_rep():
    case, _soo, _c, psd = psd_assigned_case(declared=False)
    response = _client(psd).get(_url("investigation", case))
    assert response.status_code == 302 and reverse("cases:declare", args=[case.public_id]) in response["Location"]


def test_an_impossible_transition_shows_its_message_on_the_form():
    case, _soo, _c, psd = psd_assigned_case()
    investigation = open_investigation(case, psd, misconduct=False)
    strand = investigation.strands.get()
    response = _client(psd).post(
        _url("investigation_update", case), {"kind": "status", "strand": strand.pk, "to_status": "charged"}
    )
    assert response.status_code == 200
    assert "A criminal investigation at assessment cannot move to charged" in response.content.decode()
    assert not PsdUpdate.objects.exists()


def test_the_assigned_rep_reads_the_identified_update_form_read_only():
    case, _soo, _c, psd = psd_assigned_case()
    open_investigation(case, psd)
    client = _client(psd)
    response = client.get(reverse("update_form:detail", args=[case.public_id]))
    assert response.status_code == 200
    assert "Investigation record: Criminal investigation" in response.content.decode()
    assert client.post(reverse("update_form:overview", args=[case.public_id]), {}).status_code == 404


def test_coordinators_assign_and_remove_from_the_page():
    case, _soo, coordinator, psd = psd_assigned_case()
    newcomer = psd_rep()
    client = _client(coordinator)
    assert client.post(_url("psd_assign", case), {"user": newcomer.pk}).status_code == 302
    assignment = PsdAssignment.objects.get(case=case, user=newcomer)
    assert client.post(_url("psd_assign", case), {"remove": assignment.pk}).status_code == 302
    assignment.refresh_from_db()
    assert assignment.ended_by == coordinator
    assert client.post(_url("psd_assign", case), {"remove": "999999"}).status_code == 404


def _posts(case, psd, investigation, n):
    for i in range(n):
        psd_update_post(investigation=investigation, by=psd, kind="note", text=f"Update {i}")


@pytest.mark.parametrize("events", [3, 30])
def test_the_timeline_runs_a_constant_number_of_queries(events, django_assert_num_queries):
    case, _soo, coordinator, psd = psd_assigned_case()
    investigation = open_investigation(case, psd)
    _posts(case, psd, investigation, events)
    client = _client(coordinator)
    client.get(_url("timeline", case))  # warm per-process caches
    with django_assert_num_queries(PINNED_TIMELINE):
        response = client.get(_url("timeline", case))
    assert response.content.decode().count("moj-timeline__item") >= events


@pytest.mark.parametrize("cases", [3, 30])
def test_the_psd_list_runs_a_constant_number_of_queries(cases, django_assert_num_queries):
    case, _soo, coordinator, psd = psd_assigned_case()
    open_investigation(case, psd)
    for _ in range(cases - 1):
        other, *_ = psd_assigned_case(distinctive=False)
        psd_assign(case=other, user=psd, by=coordinator)
    client = _client(psd)
    client.get(reverse("cases:psd_cases"))
    with django_assert_num_queries(PINNED_PSD_LIST):
        response = client.get(reverse("cases:psd_cases"))
    body = response.content.decode()
    assert body.count('class="govuk-table__row"') == cases + 1  # the header row and one per case
    assert "Post an update" in body and "Open the investigation record" in body


# Pinned: a change here is a design change (CONVENTIONS 6), not a number to bump.
PINNED_TIMELINE = 10
PINNED_PSD_LIST = 4


def test_the_anonymised_timeline_names_no_one_and_fails_closed():
    case, _soo, _c, psd = psd_assigned_case()
    investigation = open_investigation(case, psd)
    psd_update_post(investigation=investigation, by=psd, kind="note", text="Spoke to Rosalind Hope on 07700 900582")
    events = anonymised_timeline(case)
    assert all(e.by == "" for e in events)
    details = " ".join(e.detail for e in events)
    assert "Rosalind" not in details and "900582" not in details
    assert any(e.kind == "psd" and e.detail == "" for e in events)  # the rep's name is dropped
    assert TIMELINE_WITHHELD not in details  # redacted, nothing survived to withhold


# -- Dates: the GOV.UK date input (day, month, year) ----------------------------------------------------------


def _typed(name: str, day: str, month: str, year: str) -> dict[str, str]:
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


def test_the_allegation_date_is_typed_in_three_boxes_with_clear_errors():
    case, _soo, _c, psd = psd_assigned_case()
    client = _client(psd)
    page = client.get(_url("investigation_open", case))
    assert page.context["form"]["allegation_on"].parts == {"day": "", "month": "", "year": ""}  # no default
    assert 'name="allegation_on_day"' in page.content.decode() and 'type="date"' not in page.content.decode()
    base = {"misconduct": "on", "criminal_unit": "ppda_psd", "misconduct_unit": "ppda_psd"}
    for typed, message in [
        (_typed("allegation_on", "31", "2", "2026"), "The date of the allegation must be a real date"),
        (_typed("allegation_on", "15", "", "2026"), "The date of the allegation must include a month"),
        (_typed("allegation_on", "", "", ""), "Enter the date of the allegation"),  # the service: misconduct needs it
        (date_post("allegation_on", "2099-01-15"), "The date of the allegation cannot be in the future"),
    ]:
        response = client.post(_url("investigation_open", case), {**base, **typed})
        assert response.status_code == 200
        assert f'<a href="#id_allegation_on_day">{message}</a>' in response.content.decode()
        assert not Investigation.objects.exists()
    response = client.post(_url("investigation_open", case), {**base, **date_post("allegation_on", "2026-01-15")})
    assert response.status_code == 302
    assert Investigation.objects.get().strands.get().allegation_on == dt.date(2026, 1, 15)


def test_the_iopc_referral_date_is_typed_in_three_boxes_with_clear_errors():
    case, _soo, _c, psd = psd_assigned_case()
    open_investigation(case, psd)
    client = _client(psd)
    assert client.get(_url("investigation_update", case)).context["form"]["iopc_referred_on"].parts["day"] == ""
    base = {"kind": "iopc", "iopc_referral": "mandatory"}
    for typed, message in [
        (_typed("iopc_referred_on", "30", "2", "2026"), "The date of the referral must be a real date"),
        (_typed("iopc_referred_on", "1", "2", ""), "The date of the referral must include a year"),
        (_typed("iopc_referred_on", "1", "2", "26"), "The year must include 4 numbers"),
        ({}, "Enter the date of the referral"),
    ]:
        response = client.post(_url("investigation_update", case), {**base, **typed})
        assert response.status_code == 200
        assert f'<a href="#id_iopc_referred_on_day">{message}</a>' in response.content.decode()
    assert not PsdUpdate.objects.exists()
    response = client.post(_url("investigation_update", case), {**base, **date_post("iopc_referred_on", "2026-02-01")})
    assert response.status_code == 302
    assert Investigation.objects.get().iopc_referred_on == dt.date(2026, 2, 1)


def test_the_psd_pages_lead_back_to_the_case_and_the_investigation():
    """The trail on the PSD's pages (tests/security/test_case_breadcrumbs.py covers those the matrix opens)."""
    case, _soo, _coordinator, psd = psd_assigned_case()
    me = _client(psd)
    opening = me.get(_url("investigation_open", case)).content.decode()
    assert f'class="govuk-breadcrumbs__link" href="{_url("detail", case)}"' in opening
    open_investigation(case, psd)
    posting = me.get(_url("investigation_update", case)).content.decode()
    start = posting.index('<nav class="govuk-breadcrumbs"')
    trail = posting[start : posting.index("</nav>", start)]
    assert f'href="{_url("detail", case)}"' in trail and f'href="{_url("investigation", case)}">Investigation<' in trail

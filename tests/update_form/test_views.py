"""The form's pages: who gets what (the matrix covers every role), the preview after saving, clear errors,
the change list, the panel view and PDF, the dashboard state, and pinned query counts."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from oversight.update_form.models import Investigation, Support
from ppda.models import AccessLog
from tests.conftest import login_verified
from tests.factories.update_form import ALL_SUPPORT_OFFERED

from .conftest import fill_form

pytestmark = pytest.mark.django_db


def _url(name, case):
    return reverse(f"update_form:{name}", args=[case.public_id])


def _support_post(**overrides):
    data = {"version": "0"}
    for kind, (status, note) in ALL_SUPPORT_OFFERED.items():
        data[f"{kind}_status"], data[f"{kind}_note"] = status, note
    data.update(overrides)
    return data


def test_soo_saves_a_section_and_sees_what_will_be_redacted(client, case_soo):
    case, soo = case_soo
    c = login_verified(client, soo)
    response = c.post(_url("support", case), _support_post(idva_status="accepted", idva_note="Hope met the IDVA."))
    assert response.status_code == 302 and response["Location"] == _url("support", case)
    assert Support.objects.get(case=case).idva_note == "Hope met the IDVA."
    body = c.get(_url("support", case)).content.decode()
    assert "What the panel will not see" in body
    assert '<mark class="ppda-redacted" title="Replaced by Victim A">Hope</mark>' in body
    assert "will be redacted before the panel sees it (1)" in body


def test_bad_input_is_refused_with_clear_errors_and_200(client, case_soo):
    case, soo = case_soo
    c = login_verified(client, soo)
    response = c.post(_url("support", case), _support_post(wellbeing_status="maybe", idva_note="x" * 501))
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Select one of the options for Wellbeing service." in body
    assert "must be 500 characters or fewer" in body
    assert not Support.objects.filter(case=case).exists()
    response = c.post(_url("concerns", case), {"version": "0", "delay": "on", "details": ""})
    assert response.status_code == 200 and "Describe the concerns you ticked." in response.content.decode()
    response = c.post(_url("overview", case), {"version": "0"})
    assert "Select the relationship between the victim and the suspect." in response.content.decode()


def test_a_stale_tab_is_refused(client, case_soo):
    case, soo = case_soo
    c = login_verified(client, soo)
    assert c.post(_url("investigation", case), {"version": "0", "progress": "First."}).status_code == 302
    response = c.post(_url("investigation", case), {"version": "0", "progress": "Stale."})
    assert response.status_code == 200 and "saved this section after you opened it" in response.content.decode()
    assert Investigation.objects.get(case=case).progress == "First."


def test_reads_and_changes_are_in_the_access_log(client, case_soo):
    case, soo = case_soo
    c = login_verified(client, soo)
    c.get(_url("detail", case))
    c.post(_url("investigation", case), {"version": "0", "progress": "Progressing."})
    c.get(_url("panel_pdf", case))
    rows = list(AccessLog.objects.filter(user=soo, case_reference=case.reference).values_list("action", "what"))
    assert (AccessLog.Action.VIEW, "case update form") in rows
    assert (AccessLog.Action.CHANGE, "update form: investigation") in rows
    assert (AccessLog.Action.PDF, "update form panel PDF") in rows


def test_coordinator_reads_the_form_but_cannot_edit(client, case_soo, coordinator_on):
    case, soo = case_soo
    fill_form(case, soo)
    c = login_verified(client, coordinator_on(case))
    body = c.get(_url("detail", case)).content.decode()
    assert "ROSALIND agreed" in body  # identified: coordinators see every case
    assert _url("support", case) not in body
    assert c.get(_url("support", case)).status_code == 404
    assert c.post(_url("investigation", case), {"progress": "Not theirs."}).status_code == 404


def test_history_lists_who_changed_what_before_and_after(client, case_soo):
    case, soo = case_soo
    c = login_verified(client, soo)
    c.post(_url("investigation", case), {"version": "0", "progress": "Interview booked."})
    c.post(_url("investigation", case), {"version": "1", "progress": "Interview done."})
    body = c.get(_url("history", case)).content.decode()
    assert body.count("Investigation: ") == 2
    assert "first saved" in body and "changed" in body
    assert "Interview booked." in body and "Interview done." in body
    assert soo.display_name in body


def test_panel_view_and_pdf_show_the_anonymised_form(client, case_soo):
    case, soo = case_soo
    fill_form(case, soo)
    c = login_verified(client, soo)
    body = c.get(_url("panel_view", case)).content.decode()
    panel = body.split('<div class="ppda-panel-form">', 1)[1]
    assert "Victim A" in panel and "Rosalind" not in panel and case.reference not in panel
    response = c.get(_url("panel_pdf", case))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="update-form-{case.pseudonym}.pdf"'
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Rosalind" not in text and case.reference not in text and case.pseudonym in text


def test_dashboard_shows_each_forms_state(client, case_soo):
    case, soo = case_soo
    c = login_verified(client, soo)
    assert "Sections incomplete (5)" in c.get(reverse("oversight:dashboard")).content.decode()
    fill_form(case, soo)
    body = c.get(reverse("oversight:dashboard")).content.decode()
    assert "Sections incomplete" not in body and "Redaction warnings (4)" in body
    assert _url("detail", case) in body


def _count(client, url):
    client.get(url)  # warm the per-process caches (permission ids), as any earlier request would
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_form_page_query_count_is_pinned(client, case_soo):
    case, soo = case_soo
    c = login_verified(client, soo)
    empty = _count(c, _url("detail", case))
    fill_form(case, soo)
    # The user; the case (visibility, declaration); the accepted allocation; the declaration gate; the
    # access-log row; the sections (one query, joins); the parties for identifiers, pseudonyms and rank bands
    # (one, read once for all three: it was three); the contact counts and the contact plan; the investigation
    # record (cases/investigations, none here); the panel decisions (one query, registered by panels).
    assert empty == _count(c, _url("detail", case)) == 11


def test_history_page_query_count_is_pinned(client, case_soo):
    case, soo = case_soo
    c = login_verified(client, soo)
    few = _count(c, _url("history", case))
    fill_form(case, soo)
    fill_form(case, soo)
    # The user; the case; the allocation; the declaration; the access-log row; one history query per section (5).
    assert few == _count(c, _url("history", case)) == 10


def test_section_page_query_count_is_pinned(client, case_soo):
    case, soo = case_soo
    c = login_verified(client, soo)
    fill_form(case, soo)
    # The user; the case; the allocation; the declaration; the access-log row; the section; the identifiers.
    assert _count(c, _url("support", case)) == 7


def test_other_soos_cases_never_show(client, case_soo):
    case, _ = case_soo
    other, other_soo = form_case_other()
    c = login_verified(client, other_soo)
    assert c.get(_url("detail", case)).status_code == 404
    assert c.get(_url("detail", other)).status_code == 200


def form_case_other():
    from cases.models import CaseAccessDeclaration
    from tests.factories.cases import CivilianVictimFactory, TriagedCaseFactory
    from tests.factories.oversight import AcceptedAllocationFactory, soo_with_user

    case = TriagedCaseFactory()
    CivilianVictimFactory(case=case)
    soo = soo_with_user()
    AcceptedAllocationFactory(case=case, soo=soo)
    CaseAccessDeclaration.objects.get_or_create(
        case=case, user=soo.user, defaults={"kind": CaseAccessDeclaration.Kind.NO_CONFLICT}
    )
    return case, soo.user


def test_form_page_reads_the_parties_and_sections_afresh_each_time(client, case_soo):
    """The page's reads are compiled once per process (ppda/prepared.py) and its parties read once for the
    identifiers, pseudonyms and bands: a party added or a section changed after a first view still shows."""
    from tests.factories.cases import CivilianVictimFactory

    case, soo = case_soo
    c = login_verified(client, soo)
    c.post(_url("investigation", case), {"version": "0", "progress": "Met Quorblefax at the station."})
    body = c.get(_url("detail", case)).content.decode()
    assert "Met Quorblefax at the station." in body and ">Quorblefax</mark>" not in body
    CivilianVictimFactory(case=case, first_name="Quorblefax", last_name="Brindlewick")
    c.post(_url("investigation", case), {"version": "1", "progress": "Met Quorblefax again."})
    body = c.get(_url("detail", case)).content.decode()
    assert "Met Quorblefax again." in body and "Met Quorblefax at the station." not in body
    assert ">Quorblefax</mark>" in body  # the new party's name is highlighted for redaction

"""The anonymised rendering: nothing that identifies the case's people reaches the panel's HTML or PDF, a
section in which redaction fails is withheld and the coordinators told once, and the rest reads as written."""

import datetime as dt
import importlib
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from oversight.update_form import hooks, render, services
from oversight.update_form.models import SupportStatus
from ppda.models import Notification
from tests.factories.contacts import ContactFactory
from tests.factories.update_form import ALL_SUPPORT_OFFERED, SUSPECT, VICTIM, form_case

from .conftest import fill_form

pytestmark = pytest.mark.django_db

# The package re-exports the function `redact`, which shadows the submodule of the same name.
redact_module = importlib.import_module("oversight.anonymise.redact")


# Everything a reader could use to know who the people are, and the case's force reference.
def _identifiers(case):
    return [
        case.reference,
        VICTIM["first_name"],
        VICTIM["last_name"],
        "07700 900582",
        "07700900582",
        VICTIM["email"],
        "Wexcombe",
        "Brindlecote",
        "1984-11-23",
        "23/11/1984",
        "23 November",
        SUSPECT["first_name"],
        "Ashcombe",
        SUSPECT["employee_number"],
        SUSPECT["work_email"],
        "Sergeant",
        "Tamarisk",
        "07700 900274",
    ]


def _assert_anonymous(text, case):
    folded = text.casefold()
    leaked = [i for i in _identifiers(case) if i.casefold() in folded]
    assert not leaked, f"identifiers in the panel rendering: {leaked}"


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def filled(case_soo, coordinator_on):
    case, soo = case_soo
    fill_form(case, soo)
    ContactFactory(allocation=case.allocations.get(), contacted_at=timezone.now() - dt.timedelta(days=3))
    return case, soo, coordinator_on(case)


def test_html_shows_roles_bands_and_pseudonym_and_no_identifier(filled):
    case, _, _ = filled
    form = render.panel_form(case)
    html = render.panel_html(form)
    _assert_anonymous(html, case)
    assert f"Case {case.pseudonym}" in html
    assert "Victim A" in html and "Suspect A" in html
    assert "Police: above constable" in html and "Not police" in html
    assert "[phone]" in html and "[email]" in html and "[number]" in html
    # Words that are not this case's identifiers are left as written.
    assert "The OIC agreed weekly updates." in html
    assert not form.withheld


def test_pdf_text_has_no_identifier(filled):
    case, _, _ = filled
    text = _pdf_text(render.panel_pdf(render.panel_form(case)))
    _assert_anonymous(text, case)
    assert case.pseudonym in text and "Victim A" in text
    assert "OIC agreed weekly updates" in text


def test_dates_are_coarsened_to_the_month(db):
    case, _ = form_case(received_at=dt.datetime(2026, 3, 14, 9, 30, tzinfo=dt.UTC))
    html = render.panel_html(render.panel_form(case))
    assert "March 2026" in html
    assert "14 March" not in html and "14/03/2026" not in html and "2026-03-14" not in html


def test_a_common_word_surname_is_redacted(case_soo):
    case, soo = case_soo
    support = dict(ALL_SUPPORT_OFFERED, idva=(SupportStatus.ACCEPTED, "Spoke with Hope; there is hope of progress."))
    services.support_save(case=case, user=soo, support=support)
    html = render.panel_html(render.panel_form(case))
    assert "hope" not in html.casefold()  # when in doubt, redact: both uses go
    assert "Victim A" in html


@pytest.fixture
def planted_bug(monkeypatch):
    """Disable the known-name matcher: the engine's independent re-scan must catch what it misses."""
    kept = [m for m in redact_module.MATCHERS if m.name != "known_words"]
    monkeypatch.setattr(redact_module, "MATCHERS", kept)


def test_a_planted_redaction_bug_withholds_the_section_and_tells_coordinators_once(
    case_soo, coordinator_on, planted_bug
):
    case, soo = case_soo
    coordinator = coordinator_on(case)
    services.investigation_save(case=case, user=soo, progress="Rosalind says the OIC has not called.")
    form = render.panel_form(case)
    html = render.panel_html(form)
    assert [s.slug for s in form.withheld] == ["investigation"]
    assert render.WITHHELD in html
    assert "Rosalind" not in html and "has not called" not in html  # nothing of a withheld section
    notes = Notification.objects.filter(recipient=coordinator, kind=render.NOTIFICATION_KIND)
    assert notes.count() == 1
    note = notes.get()
    # Reference and link only.
    assert case.reference in note.message and "Rosalind" not in note.message
    assert note.link == f"/update-form/{case.public_id}/"
    # Rendering again (the page reloaded, the PDF downloaded) does not tell them again ...
    render.panel_pdf(render.panel_form(case))
    assert notes.count() == 1
    # ... a new version of the section does.
    services.investigation_save(case=case, user=soo, progress="Rosalind still has no update.")
    render.panel_form(case)
    assert notes.count() == 2


def test_a_withheld_section_is_never_told_to_a_coordinator_who_is_a_party(case_soo, coordinator_on, planted_bug):
    case, soo = case_soo
    outsider = coordinator_on(case)
    party_coordinator = coordinator_on(case)
    from cases.models import CaseAccessDeclaration

    CaseAccessDeclaration.objects.filter(case=case, user=party_coordinator).update(
        kind=CaseAccessDeclaration.Kind.CONFLICT
    )
    services.investigation_save(case=case, user=soo, progress="Rosalind says the OIC has not called.")
    render.panel_form(case)
    recipients = set(Notification.objects.filter(kind=render.NOTIFICATION_KIND).values_list("recipient", flat=True))
    assert outsider.pk in recipients and party_coordinator.pk not in recipients


def test_preview_without_notify_tells_nobody(case_soo, coordinator_on, planted_bug):
    case, soo = case_soo
    coordinator_on(case)
    services.investigation_save(case=case, user=soo, progress="Rosalind says the OIC has not called.")
    assert render.panel_form(case, notify=False).withheld
    assert not Notification.objects.filter(kind=render.NOTIFICATION_KIND).exists()


def test_empty_form_shows_documented_empty_states(case_soo):
    case, _ = case_soo
    html = render.panel_html(render.panel_form(case))
    assert "No panel has discussed this case yet" in html
    assert "Not started." in html
    assert "No progress recorded yet." in html


def test_slots_filled_by_other_apps_are_redacted_too(case_soo, monkeypatch):
    case, _ = case_soo
    monkeypatch.setitem(
        hooks._providers,
        "closure",
        lambda c: [
            hooks.SummaryRow("Closure reason", "Investigation concluded"),
            hooks.SummaryRow("Learning", "Rosalind Hope asked for a single point of contact.", free_text=True),
        ],
    )
    html = render.panel_html(render.panel_form(case))
    assert "Investigation concluded" in html and "Victim A asked for a single point of contact." in html
    _assert_anonymous(html, case)

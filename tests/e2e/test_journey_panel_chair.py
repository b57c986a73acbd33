"""The panel chair's journey in a real browser, at desktop and phone widths: sign in, open the published meeting,
accept the confidentiality statement, read a case's anonymised papers (no identifier of its parties anywhere on
the page), record a decision and a bring-back, then prepare and download their watermarked copy of the pack
(built by a real Celery worker) and read it: the watermark names them and carries the copy code, and no party
identifier is in the PDF's text. Every page passes axe-core and, at 320 px, does not scroll sideways."""

import io
import time

import pytest
from pypdf import PdfReader

from cases.investigations.models import PsdUpdate
from cases.investigations.services import psd_assign, psd_update_post
from oversight.update_form.models import Overview, SupportStatus
from oversight.update_form.services import investigation_save, overview_save, support_save
from tests.e2e.journey import WIDTHS, check, docs_shot, open_section, sign_in, with_authenticator
from tests.factories.investigations import open_investigation
from tests.factories.panels import chair_user, published_panel
from tests.factories.update_form import ALL_SUPPORT_OFFERED, SUSPECT, VICTIM

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _identifiers(case) -> list[str]:
    """Everything that identifies the case or its parties (the factories' distinctive values)."""
    values = [case.reference, "Wexcombe", "Brindlecote", "Tamarisk", "07700 900274"]
    values += [VICTIM[k] for k in ("first_name", "last_name", "phone", "email")]
    values += [SUSPECT["first_name"], SUSPECT["last_name"]]
    for party in case.parties.select_related("staff"):
        if party.staff_id:
            values += [party.staff.employee_number, party.staff.work_email]
    return values


def _leaks(text: str, identifiers: list[str]) -> list[str]:
    folded = " ".join(text.split()).casefold()
    return [value for value in identifiers if value.casefold() in folded]


def _world():
    chair = chair_user(first_name="Morwenna", last_name="Price")
    panel = published_panel(n_cases=1, accepted=False, chair=chair)
    case, soo = panel.cases[0]
    # The SOO wrote the victim's name in the form, and PSD the suspect's: the panel must see them replaced.
    overview_save(case=case, user=soo, relationship=Overview.Relationship.EX_PARTNER)
    support = {**ALL_SUPPORT_OFFERED, "idva": (SupportStatus.ACCEPTED, "Rosalind met the IDVA on Tuesday.")}
    support_save(case=case, user=soo, support=support)
    investigation_save(case=case, user=soo, progress="Rosalind Hope was told of the charging decision by the OIC.")
    psd_assign(case=case, user=panel.psd, by=panel.coordinator)
    psd_update_post(
        investigation=open_investigation(case, panel.psd, misconduct=False),
        by=panel.psd,
        kind=PsdUpdate.Kind.NOTE,
        text="Sergeant Ashcombe-Vale was interviewed under caution.",
    )
    return panel, case, with_authenticator(chair)


def _download_pack(page, live_server) -> tuple[str, bytes]:
    """Ask for a copy of the pack, refresh until the worker has built it (as the page tells the reader to), and
    download it. Returns the copy code and the PDF."""
    page.get_by_role("button", name="Prepare a copy of the pack").click()
    assert "being prepared" in page.locator(".govuk-notification-banner").inner_text()
    download_link = page.get_by_role("link", name="Download")
    deadline = time.monotonic() + 60
    while not download_link.count():
        assert time.monotonic() < deadline, "the pack was not built within a minute"
        time.sleep(0.5)
        page.reload()
    copy_code = page.locator("li", has=download_link).inner_text().split(",")[0].removeprefix("Copy ").strip()
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    # A download leaves the page and the focus where they were; GOV.UK's focus style (black text on yellow, no
    # underline) then reads to axe as a link told apart by colour alone. Move on, as the reader would.
    page.evaluate("document.activeElement.blur()")
    assert download.suggested_filename.endswith(f"-{copy_code}.pdf")
    return copy_code, download.path().read_bytes()


@pytest.mark.parametrize("width", WIDTHS)
def test_chair_reads_anonymised_papers_records_an_outcome_and_downloads_the_pack(
    celery_worker, live_server, page, axe_source, width
):
    panel, case, chair = _world()
    identifiers = _identifiers(case)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, chair)
    check(page, axe_source, "chair home")

    open_section(page, "Panels")
    assert page.locator(".govuk-service-navigation__item--active").inner_text().strip() == "Panels"
    check(page, axe_source, "chair panels")

    # The published agenda's papers: the confidentiality statement comes first.
    page.get_by_role("link", name="Papers").first.click()
    page.wait_for_url("**/statement/")
    check(page, axe_source, "confidentiality statement")
    page.get_by_label("I accept the confidentiality statement").check()
    page.get_by_role("button", name="Accept and open the papers").click()
    page.wait_for_url("**/papers/")
    assert f"Case {case.pseudonym}" in page.locator("#main-content").inner_text()
    check(page, axe_source, "papers")

    page.get_by_role("link", name="Read the papers").first.click()
    body = page.locator("body").inner_text()
    assert f"Case {case.pseudonym}" in body and "Victim A was told of the charging decision" in body
    assert "Suspect A was interviewed under caution." in body
    assert _leaks(body, identifiers) == []
    assert _leaks(page.content(), identifiers) == []  # nor in attributes, titles or hidden text
    check(page, axe_source, "anonymised papers")
    docs_shot(page, "panel-anonymised-form", top=".govuk-caption-l", height=1600)

    # Record a decision and a bring-back on the meeting's agenda item.
    open_section(page, "Panels")
    # The meeting's date is the link to its page (the first column, on screen at phone width too).
    meeting_link = page.locator(f'main a[href="/panels/{panel.meeting.public_id}/"]')
    assert meeting_link.count() == 1 and meeting_link.is_visible()
    meeting_link.click()
    check(page, axe_source, "meeting")
    page.get_by_role("link", name="Record outcome").first.click()
    check(page, axe_source, "record outcome")
    page.get_by_label("Decisions").fill("The SOO confirms the victim has been offered an IDVA.")
    page.get_by_label("Bring this case back to a future panel").check()
    page.get_by_label("Why it comes back").fill("To hear the misconduct outcome.")
    page.get_by_role("button", name="Save the outcome").click()
    page.wait_for_url(f"**/panels/{panel.meeting.public_id}/")
    assert "Outcome saved." in page.locator(".govuk-notification-banner--success").inner_text()
    assert "Bring back" in page.locator("#agenda").inner_text()
    check(page, axe_source, "meeting with outcome")

    # The chair's own watermarked copy of the pack.
    page.goto(f"{live_server.url}/panels/{panel.meeting.public_id}/papers/")
    copy_code, pdf = _download_pack(page, live_server)
    check(page, axe_source, "papers with a pack")
    pages = PdfReader(io.BytesIO(pdf)).pages
    text = " ".join(p.extract_text() for p in pages)
    for n, pdf_page in enumerate(pages, 1):
        watermark = " ".join(pdf_page.extract_text().split())
        assert "OFFICIAL-SENSITIVE" in watermark and copy_code in watermark, f"page {n} is not watermarked"
        assert chair.display_name in watermark, f"page {n} does not name its recipient"
    assert f"Case {case.pseudonym}" in " ".join(text.split())
    assert _leaks(text, identifiers) == []
    assert page.console_errors == []

"""The agenda pack: built in a task and stored, anonymised (no identifier of any case on it in the PDF's text),
every page watermarked with the recipient and the copy code, each download logged and guarded."""

import io
import time

import pytest
from django.urls import reverse
from pypdf import PdfReader

from panels import services
from panels.models import Pack
from panels.pack import pack_build
from ppda.models import AccessLog
from tests.conftest import login_verified
from tests.factories.panels import member_user, published_panel
from tests.factories.update_form import SUSPECT, VICTIM

pytestmark = pytest.mark.django_db


def _identifiers(case) -> list[str]:
    out = [case.reference, VICTIM["first_name"], VICTIM["last_name"], "Wexcombe", "07700 900582", "Tamarisk"]
    out.append(SUSPECT["last_name"])
    for party in case.parties.select_related("staff"):
        if party.staff_id:
            out += [party.staff.employee_number, party.staff.work_email]
    return out


def _build(panel, user) -> Pack:
    pack = Pack.objects.create(
        meeting=panel.meeting, user=user, copy_code=services._copy_code(), requested_at=panel.meeting.published_at
    )
    return pack_build(pack_id=pack.pk)


def test_a_ten_case_pack_is_anonymised_and_watermarked_on_every_page(capsys):
    panel = published_panel(n_cases=10)
    started = time.perf_counter()
    pack = _build(panel, panel.member)
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n10-case panel pack: {elapsed:.2f} s, {len(bytes(pack.pdf)) // 1024} KiB")
    assert pack.status == Pack.Status.READY
    pages = PdfReader(io.BytesIO(bytes(pack.pdf))).pages
    assert len(pages) >= 11
    for n, page in enumerate(pages, 1):
        text = " ".join(page.extract_text().split())
        assert pack.copy_code in text, f"page {n} has no copy code"
        assert panel.member.display_name in text, f"page {n} has no recipient name"
        assert "OFFICIAL-SENSITIVE" in text
    text = " ".join(p.extract_text() for p in pages).casefold()
    for case, _ in panel.cases:
        assert case.pseudonym.casefold() in text
        for value in _identifiers(case):
            assert value.casefold() not in text, value
    # The access log maps the copy code back to the recipient.
    row = AccessLog.objects.get(object_type="panels.pack", object_id=pack.copy_code)
    assert row.user == panel.member


def test_a_built_pack_is_not_built_again():
    panel = published_panel(n_cases=1)
    pack = _build(panel, panel.member)
    assert pack_build(pack_id=pack.pk) is None


def test_the_download_is_the_recipients_own_logged_and_guarded(client):
    panel = published_panel(n_cases=1)
    pack = _build(panel, panel.member)
    url = reverse("panels:pack_download", args=[pack.public_id])
    login_verified(client, panel.chair)  # an attendee, but not this copy's recipient
    assert client.get(url).status_code == 404
    login_verified(client, member_user())
    assert client.get(url).status_code == 404
    login_verified(client, panel.member)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert AccessLog.objects.filter(user=panel.member, what=f"panel pack copy {pack.copy_code} downloaded").exists()
    services.attendee_remove(attendee=panel.attendee(panel.member), by=panel.coordinator)
    assert client.get(url).status_code == 404


def test_requesting_a_pack_enqueues_the_build_after_commit(client, django_capture_on_commit_callbacks, monkeypatch):
    panel = published_panel(n_cases=1)
    sent = []
    from panels import tasks

    monkeypatch.setattr(tasks.pack_build_task, "delay", lambda pk: sent.append(pk))
    login_verified(client, panel.member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("panels:pack_request", args=[panel.meeting.public_id]))
    assert response.status_code == 302
    pack = Pack.objects.get(user=panel.member)
    assert sent == [pack.pk] and pack.status == Pack.Status.PENDING

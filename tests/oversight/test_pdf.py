"""The allocation pack and the one PDF module: nothing in user content is ever fetched or embedded."""

from unittest import mock

import pytest
from django.urls import reverse
from weasyprint import HTML

from ppda import pdf as pdf_module
from ppda.models import AccessLog
from ppda.pdf import SafeURLFetcher, html_to_pdf
from tests.conftest import login_verified
from tests.factories.cases import SafeContactFactory
from tests.factories.oversight import PendingAllocationFactory, soo_with_user, triaged_case_with_parties

HOSTILE = """
<p>Victim's note</p>
<img src="file:///etc/passwd">
<img src="http://169.254.169.254/latest/meta-data/iam/security-credentials/">
<link rel="attachment" href="file:///etc/passwd" title="passwd">
<a rel="attachment" href="file:///etc/hostname">hostname</a>
<link rel="stylesheet" href="http://169.254.169.254/style.css">
<div style="background: url('file:///etc/passwd')">x</div>
<img src="ppda-static:/../../../../etc/passwd">
"""


@pytest.fixture
def no_network():
    """Fail the test if urllib is ever asked to open anything."""
    with mock.patch("urllib.request.OpenerDirector.open", side_effect=AssertionError("fetched!")) as opened:
        yield opened


HOSTNAME = open("/etc/hostname", "rb").read().strip()  # noqa: SIM115 - a file every Linux has, to look for


def test_the_default_fetcher_would_embed_a_local_file():
    """The control: without our fetcher WeasyPrint embeds the file, so the assertions below can fail."""
    html = '<link rel="attachment" href="file:///etc/hostname"><p>x</p>'
    pdf = HTML(string=html).write_pdf(uncompressed_pdf=True)
    assert b"/EmbeddedFile" in pdf and HOSTNAME in pdf


def test_hostile_html_fetches_and_embeds_nothing(no_network):
    fetcher = SafeURLFetcher()
    pdf = html_to_pdf(f"<html><body>{HOSTILE}</body></html>", fetcher=fetcher, uncompressed_pdf=True)
    assert pdf.startswith(b"%PDF")
    assert b"/EmbeddedFile" not in pdf
    assert b"root:x:0:0" not in pdf and HOSTNAME not in pdf
    assert "file:///etc/passwd" in fetcher.refused
    assert "file:///etc/hostname" in fetcher.refused
    assert any(u.startswith("http://169.254.169.254/") for u in fetcher.refused)
    assert "ppda-static:/../../../../etc/passwd" in fetcher.refused
    no_network.assert_not_called()


def test_data_urls_are_allowed(no_network):
    fetcher = SafeURLFetcher()
    # A 1x1 transparent PNG.
    png = (
        "data:image/png;base64,"
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
    )
    html_to_pdf(f'<img src="{png}">', fetcher=fetcher)
    assert fetcher.refused == []


def test_own_static_files_are_allowed_and_nothing_outside(tmp_path, settings):
    (tmp_path / "pack.css").write_text("body { color: black; }")
    (tmp_path.parent / "secret.css").write_text("secret")
    settings.STATICFILES_DIRS = [tmp_path]
    settings.STATIC_ROOT = None
    fetcher = SafeURLFetcher()
    assert fetcher.fetch("ppda-static:/pack.css").read() == b"body { color: black; }"
    for url in ("ppda-static:/../secret.css", "ppda-static:/%2e%2e/secret.css", "ppda-static:/missing.css"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def _allocated_with_declaration(**case_kwargs):
    case = triaged_case_with_parties(**case_kwargs)
    soo = soo_with_user()
    allocation = PendingAllocationFactory(case=case, soo=soo, declared=True)
    return case, soo, allocation


@pytest.fixture
def captured_html():
    """The HTML the pack view hands to WeasyPrint, captured on its way through ppda.pdf."""
    seen = []
    real = pdf_module.html_to_pdf

    def spy(html, **kwargs):
        seen.append(html)
        return real(html, **kwargs)

    with mock.patch.object(pdf_module, "html_to_pdf", side_effect=spy):
        yield seen


@pytest.mark.django_db
def test_pack_with_hostile_user_text(client, no_network, captured_html):
    case, soo, allocation = _allocated_with_declaration(summary=HOSTILE)
    SafeContactFactory(party=case.parties.get(role="victim"), notes='<link rel="attachment" href="file:///etc/passwd">')
    response = login_verified(client, soo.user).get(reverse("oversight:pack", args=[allocation.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert case.reference not in response["Content-Disposition"] and case.pseudonym in response["Content-Disposition"]
    pdf = response.content
    assert pdf.startswith(b"%PDF") and b"/EmbeddedFile" not in pdf
    no_network.assert_not_called()
    # User text reaches the template escaped: it is shown as text, never parsed as markup.
    assert '<link rel="attachment"' not in captured_html[0]
    assert "&lt;link rel=&quot;attachment&quot;" in captured_html[0]
    log = AccessLog.objects.get(action=AccessLog.Action.PDF)
    assert (log.user, log.case_reference, log.what, log.allowed) == (soo.user, case.reference, "allocation pack", True)


@pytest.mark.django_db
def test_pack_contents(client, captured_html):
    case, soo, allocation = _allocated_with_declaration()
    victim = case.parties.get(role="victim")
    suspect = case.parties.get(role="suspect")
    SafeContactFactory(party=victim, codeword="Bluebell", voicemail_ok=False)
    login_verified(client, soo.user).get(reverse("oversight:pack", args=[allocation.public_id]))
    html = " ".join(captured_html[0].split())
    for expected in (
        case.reference,
        victim.last_name,
        suspect.staff.last_name,
        "Bluebell",
        "Voicemail NOT safe",
        "Case update form (blank)",
        "Contacts with the victim",
        "Closure checklist",
        "within 72 hours",
        "Safe contact comes first",
        "contact schedule",
        "You do not replace the officer in charge",
        "IDVA",
        "Wellbeing",
        "Domestic abuse services",
        "Survivors&#x27; network",
        "Reasonable adjustments",
        "IOPC referral has been considered",
        "The process",
        "a change of investigator",
    ):
        assert expected in html, expected


@pytest.mark.django_db
def test_pack_refused_after_the_allocation_ends(client):
    from oversight.models import Allocation

    case, soo, allocation = _allocated_with_declaration()
    Allocation.objects.filter(pk=allocation.pk).update(status=Allocation.Status.ENDED)
    response = login_verified(client, soo.user).get(reverse("oversight:pack", args=[allocation.public_id]))
    assert response.status_code == 404
    assert not AccessLog.objects.filter(action=AccessLog.Action.PDF).exists()
    assert AccessLog.objects.filter(action=AccessLog.Action.DENIED, what="allocation pack").exists()

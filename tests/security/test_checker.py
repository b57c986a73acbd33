"""The matrix's checker is itself tested: a planted leak, a missing entry and a wrong status all fail it."""

import pytest

from ppda.audit import access_record

from . import matrix as m
from .checker import MatrixFailure, check, find_leaks, missing_message, response_text, walk_patterns

pytestmark = pytest.mark.django_db
LEAKY = "tests.security.leaky_urls"


def _pattern(key, urlconf=None):
    return next(p for p in walk_patterns(urlconf) if p.key == key)


@pytest.mark.urls(LEAKY)
@pytest.mark.parametrize("role", [m.AUDITOR, m.SOO_OTHER, m.PARTY, m.LINE_MANAGER, m.SUPERUSER, m.PSD_OTHER])
def test_planted_leak_in_a_page_fails_the_matrix(world, role):
    # The status is declared as what the buggy view returns, so only the leak detector can fail it.
    entry = m.page(ok=m.SIGNED_IN)
    with pytest.raises(MatrixFailure, match="LEAK") as failure:
        check(world, _pattern("leaky", LEAKY), role, "GET", entry)
    assert "Thistlewood" in str(failure.value)  # case A's suspect, named in the failure


@pytest.mark.urls(LEAKY)
def test_party_sees_the_leak_of_the_other_party_but_not_of_themselves(world):
    entry = m.page(ok=m.SIGNED_IN)
    with pytest.raises(MatrixFailure) as failure:
        check(world, _pattern("leaky", LEAKY), m.PARTY, "GET", entry)
    # The party (case A's victim) reading their own name is not a leak; the suspect's name is.
    assert "Thistlewood" in str(failure.value)
    assert "Quillfeather" not in str(failure.value)


@pytest.mark.urls(LEAKY)
@pytest.mark.parametrize("role", [m.COORDINATOR, m.SOO, m.PSD])
def test_planted_page_passes_for_roles_that_may_see_the_case(world, role):
    """The detector is not simply always failing: those who may see case A pass."""
    check(world, _pattern("leaky", LEAKY), role, "GET", m.page(ok=m.SIGNED_IN))


@pytest.mark.urls(LEAKY)
def test_planted_leak_in_a_header_fails_the_matrix(world):
    entry = m.page(ok=m.SIGNED_IN, status_ok=m.REDIRECT)
    with pytest.raises(MatrixFailure, match="LEAK.*WLD/2026/000417"):
        check(world, _pattern("leaky_redirect", LEAKY), m.AUDITOR, "GET", entry)


@pytest.mark.urls(LEAKY)
def test_undeclared_pattern_fails_with_instructions():
    missing = [p for p in walk_patterns(LEAKY) if m.lookup(p.key) is None]
    assert [p.key for p in missing] == ["leaky", "leaky_redirect", "quiet"]
    message = missing_message(missing)
    assert '"leaky": case_object(ok={COORDINATOR, SOO, PSD}),' in message
    assert "tests/security/matrix.py" in message


@pytest.mark.urls(LEAKY)
def test_wrong_status_fails_the_matrix(world):
    # Declared as an object page (404 for those who may not see the case): the buggy view answers 200.
    entry = m.case_object(ok={m.COORDINATOR, m.SOO, m.PSD})
    with pytest.raises(MatrixFailure, match=r"status: expected NOT_FOUND \(404\), got 200"):
        check(world, _pattern("leaky", LEAKY), m.AUDITOR, "GET", entry)


def test_a_leak_through_the_audit_trail_fails_the_matrix(world):
    """The audit trail may show references but never names: a careless log row is caught."""
    access_record(user=world.users[m.COORDINATOR], what="case page of Ottoline Wrenhaven")
    with pytest.raises(MatrixFailure, match="LEAK.*Wrenhaven"):
        check(world, _pattern("audit:index"), m.AUDITOR, "GET")


def test_unknown_kwarg_fails_with_instructions(world):
    from django.urls import path

    from .checker import Pattern

    p = path("x/<int:panel_slot>/", lambda r, panel_slot: None, name="x")
    pattern = Pattern("x", None, "x/<int:panel_slot>/", p, ("panel_slot",), 0)
    with pytest.raises(AssertionError, match="Add 'panel_slot': lambda w: <value> to KWARGS"):
        check(world, pattern, m.COORDINATOR, "GET", m.page(ok=m.SIGNED_IN))


def test_find_leaks_is_case_insensitive_and_unescapes_html(world):
    class Response:
        streaming = False
        content = b"<p>ZEPHYRINE QUILLFEATHER &amp; Marigold&#45;Ferret</p>"
        headers = {}

    leaks = find_leaks(response_text(Response()), world.forbidden_identifiers(m.AUDITOR))
    assert any("Quillfeather" in leak for leak in leaks)
    assert any("Marigold-Ferret" in leak for leak in leaks)


@pytest.mark.urls(LEAKY)
def test_a_refusal_that_is_not_logged_fails_the_matrix(world):
    with pytest.raises(MatrixFailure, match="no access-log row with allowed=False"):
        check(world, _pattern("quiet", LEAKY), m.AUDITOR, "GET", m.case_object(ok={m.COORDINATOR}))

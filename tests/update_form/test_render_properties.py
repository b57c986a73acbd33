"""Property tests of the panel rendering itself (HTML and the PDF's extracted text), not only the engine.

For generated parties (names with hyphens, apostrophes, particles, non-ASCII letters; phones, emails,
addresses) stored as a real case, and generated free text that plants their identifiers in every disguise a
reader would still recognise, no known identifier of the case reaches the anonymised HTML or PDF; and the
words around them that are not identifiers are left as written (so the renderer cannot pass by blanking).
The generators and the independent oracle are the engine's (tests/oversight/test_anonymise_properties.py).
"""

import html as html_lib
import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from oversight.update_form import render, services
from tests.factories.cases import CivilianVictimFactory, PoliceSuspectFactory, TriagedCaseFactory
from tests.factories.directory import StaffMemberFactory
from tests.factories.oversight import AcceptedAllocationFactory
from tests.oversight.test_anonymise_properties import (
    FILLER,
    Planted,
    assert_nothing_survives,
    disguise_word,
    oracle_parts,
    people,
    plantings,
)

pytestmark = pytest.mark.django_db

HTML_EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PDF_EXAMPLES = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@st.composite
def suspect_plantings(draw, suspect):
    """What the case knows of a police suspect is their staff record: names and work email (no home details)."""
    choice = draw(st.sampled_from(["first", "last", "full", "email"]))
    if choice == "email":
        return Planted(
            "email", suspect.email.lower(), draw(st.sampled_from([str.upper, str.lower, str]))(suspect.email)
        )
    value = {"first": suspect.first, "last": suspect.last, "full": f"{suspect.first} {suspect.last}"}[choice]
    return Planted("name", oracle_parts(value), draw(disguise_word(value)))


@st.composite
def cases_with_text(draw):
    victim, suspect = draw(people("Victim A")), draw(people("Suspect A"))
    pieces = []
    for _ in range(draw(st.integers(2, 10))):
        if draw(st.integers(0, 2)) == 0:
            pieces.append(("filler", draw(st.sampled_from(FILLER))))
        else:
            pieces.append(("planted", draw(st.one_of(plantings(victim), suspect_plantings(suspect)))))
    # Filler words framing the text, so there is always something that must survive.
    pieces = [("filler", "update"), *pieces, ("filler", "ends")]
    text = " ".join(p.text if kind == "planted" else p for kind, p in pieces)
    return victim, suspect, text, pieces


def _case_for(victim, suspect):
    """The generated people as a real case: a civilian victim and a police suspect (a staff record)."""
    case = TriagedCaseFactory(status="active")
    CivilianVictimFactory(
        case=case,
        first_name=victim.first,
        last_name=victim.last,
        normalised_name="",
        phone=f"0{victim.phone[:4]} {victim.phone[4:]}",
        email=victim.email,
        address=f"{victim.street}\n{victim.town}\n{victim.postcode}",
    )
    staff = StaffMemberFactory(first_name=suspect.first, last_name=suspect.last, work_email=suspect.email)
    PoliceSuspectFactory(case=case, staff=staff)
    allocation = AcceptedAllocationFactory(case=case)
    return case, allocation.soo.user


def _visible_text(page: str) -> str:
    """What a reader of the page sees: tags removed, entities decoded (an escaped apostrophe is still one)."""
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page))


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _render(victim, suspect, text):
    case, soo = _case_for(victim, suspect)
    services.investigation_save(case=case, user=soo, progress=text[:2000])
    services.concerns_save(
        case=case, user=soo, lack_of_updates=True, investigator_change=False, delay=False, details=text[:2000]
    )
    return render.panel_form(case, notify=False)


@HTML_EXAMPLES
@given(cases_with_text())
def test_no_identifier_reaches_the_panel_html_and_other_words_stay(generated):
    victim, suspect, text, pieces = generated
    form = _render(victim, suspect, text)
    visible = _visible_text(render.panel_html(form))
    assert_nothing_survives(visible, pieces)
    for person in (victim, suspect):
        assert person.email.lower() not in visible.lower()
    # Not blanked: the redactor caught every disguise itself (so the fail-closed check had nothing to
    # withhold), and the filler words read as written, in order.
    assert not form.withheld, [s.slug for s in form.withheld]
    fillers = [p for kind, p in pieces if kind == "filler"]
    words = visible.split()
    position = 0
    for word in fillers:
        assert word in words[position:], (word, visible)
        position = words.index(word, position) + 1


@PDF_EXAMPLES
@given(cases_with_text())
def test_no_identifier_reaches_the_panel_pdf(generated):
    victim, suspect, text, pieces = generated
    form = _render(victim, suspect, text)
    extracted = _pdf_text(render.panel_pdf(form))
    assert_nothing_survives(extracted, pieces)

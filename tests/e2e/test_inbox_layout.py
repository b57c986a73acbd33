"""Issue 16's layout findings, each pinned where it was found: the inbox table clipped by a narrower scroll box at
desktop widths, the filter panel covering the page at 768 px and below, and the allocation page's override
reasons, which must show only for the chosen person's exclusions with JavaScript off too."""

import pytest

from cases.models import CaseAccessDeclaration
from ppda.roles import Role
from tests.e2e.journey import overflows, sign_in, with_authenticator
from tests.factories.cases import CaseFactory, PoliceSuspectFactory
from tests.factories.directory import StaffMemberFactory, UserFactory
from tests.factories.oversight import soo_with_user, triaged_case_with_parties

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _coordinator():
    return with_authenticator(UserFactory(username="e2e.layout", roles=[Role.COORDINATOR]))


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.evaluate(
        """e => { const r = e.getBoundingClientRect();
                  return {left: r.left, right: r.right, width: r.width, scrollWidth: e.scrollWidth,
                          clientWidth: e.clientWidth, position: getComputedStyle(e).position}; }"""
    )


@pytest.mark.parametrize("width", [1280, 1920])
def test_the_inbox_table_is_whole_inside_its_scroll_box_at_desktop_widths(live_server, page, width):
    coordinator = _coordinator()
    for _ in range(3):
        PoliceSuspectFactory(case=CaseFactory(), staff=StaffMemberFactory(last_name="Longsurname-Doublebarrelled"))
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, coordinator)
    page.goto(f"{live_server.url}/cases/")
    scroll = _box(page, ".ppda-table-scroll")
    # The box does not scroll (nothing hidden to its right) and spans the content column, not a narrow part of it.
    assert scroll["scrollWidth"] <= scroll["clientWidth"] + 1, scroll
    main = _box(page, "main")
    assert scroll["width"] >= 0.9 * main["width"], (scroll, main)
    for name in ("Deadline", "Triage"):
        header = page.get_by_role("columnheader", name=name).bounding_box()
        assert header["x"] >= scroll["left"] and header["x"] + header["width"] <= scroll["right"] + 1, name
    assert not overflows(page)


@pytest.mark.parametrize("width", [768, 640, 320])
def test_the_inbox_filter_waits_behind_a_button_and_never_covers_the_page_when_small(live_server, page, width):
    coordinator = _coordinator()
    CaseFactory()
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server.url, coordinator)
    page.goto(f"{live_server.url}/cases/")
    reference = page.get_by_label("Reference")
    assert not reference.is_visible()  # hidden until asked for
    assert page.locator("h1").is_visible() and page.locator(".ppda-table-scroll").is_visible()
    page.get_by_role("button", name="Show filter").click()
    assert reference.is_visible()
    panel = _box(page, ".moj-filter")
    # In the flow of the page, within the screen, not laid over it.
    assert panel["position"] not in ("fixed", "absolute"), panel
    assert panel["left"] >= 0 and panel["right"] <= width + 1, panel
    label = page.locator("label[for=id_q]").bounding_box()
    assert label["x"] >= 0 and label["x"] + label["width"] <= width + 1
    assert not overflows(page)
    page.get_by_role("button", name="Hide filter").click()
    assert not reference.is_visible()


def test_override_reasons_show_only_for_the_chosen_person_without_javascript(live_server, page):
    coordinator = _coordinator()
    case = triaged_case_with_parties()
    soo_with_user(first_name="Avery", last_name="Suitable")
    soo_with_user(first_name="Drew", last_name="Local", district=case.incident_district)
    CaseAccessDeclaration.objects.create(case=case, user=coordinator, kind=CaseAccessDeclaration.Kind.NO_CONFLICT)
    context = page.context.browser.new_context(locale="en-GB", java_script_enabled=False)
    nojs = context.new_page()
    nojs.set_default_timeout(10_000)
    try:
        nojs.set_viewport_size({"width": 1280, "height": 900})
        sign_in(nojs, live_server.url, coordinator)
        nojs.goto(f"{live_server.url}/oversight/cases/{case.public_id}/allocate/")
        # No script ran (static/js/app.js marks the body when it does): the reveal is the CSS alone.
        assert "js-enabled" not in (nojs.locator("body").get_attribute("class") or "")
        district_box = nojs.get_by_label("Based in the district where the abuse happened")
        assert district_box.count() == 1 and not district_box.is_visible()
        nojs.get_by_label("Choose Drew Local").check()
        assert district_box.is_visible()
        nojs.get_by_label("Choose Avery Suitable").check()
        assert not district_box.is_visible()
    finally:
        context.close()

"""Every identified page about one case, other than the case page itself, leads back to it: the GOV.UK
breadcrumb trail ends with "Case <reference>" (includes/breadcrumbs.html). Issue 16 found case pages with no way
back; the PSD's investigation pages, the update form, closure and retention had none until this test.

It walks the permission matrix's URL patterns and opens each as the first role the matrix lets see it with a
200, in the matrix's world. Panel pages are anonymised (no case page for their readers) and are left out."""

import re

import pytest
from django.urls import reverse

from cases.models import Case

from . import matrix as m
from .checker import url_for, walk_patterns

pytestmark = pytest.mark.django_db
READERS = (m.COORDINATOR, m.SOO, m.PSD)
SKIP = ("panels:", "admin:", "api:")
# Pages about a case that are not inside it.
NOT_INSIDE = {
    "cases:declare": "asked before the case opens: the trail would lead to the page that sends the user here",
    "cases:intake_done": "the confirmation after recording a case: a panel with its next steps, as GOV.UK's",
}


def _pages():
    for p in walk_patterns():
        found = m.lookup(p.key)
        if found is None or found[1].get is None or p.key.startswith(SKIP) or not p.names_an_object:
            continue
        if p.key in NOT_INSIDE:
            continue
        role = next((r for r in READERS if found[1].get[r] is m.OK), None)
        if role is not None:
            yield pytest.param(p, found[1], role, id=f"{p.key}|{role}")


PAGES = list(_pages())


def test_the_walk_finds_the_case_pages():
    keys = {param.values[0].key for param in PAGES}
    assert {"cases:detail", "contacts:detail", "update_form:detail", "cases:investigation"} <= keys, sorted(keys)


@pytest.mark.parametrize(("pattern", "entry", "role"), PAGES)
def test_a_case_page_leads_back_to_the_case(world, pattern, entry, role):
    response = world.client(role).get(url_for(world, pattern, entry))
    assert response.status_code == 200
    if response["Content-Type"] == "application/pdf":
        return  # a download (the allocation pack, the panel PDF): no page to lead anywhere
    case = response.context.get("case")
    assert isinstance(case, Case), f"{pattern.key}: names a case but shows none"
    body = response.content.decode()
    trail = re.search(r'<nav class="govuk-breadcrumbs".*?</nav>', body, re.S)
    assert trail, f"{pattern.key}: no breadcrumb trail"
    if pattern.key == "cases:detail":
        assert "Case " + case.reference not in trail.group(0)  # the page itself is not a crumb
    else:
        assert f'href="{reverse("cases:detail", args=[case.public_id])}"' in trail.group(0), pattern.key
    if pattern.key.startswith("update_form:") and pattern.key != "update_form:detail":
        # A section, the history or the panel view: below the form, which the trail leads back to.
        assert f'href="{reverse("update_form:detail", args=[case.public_id])}">Update form<' in trail.group(0)


def test_the_pages_not_inside_a_case_are_still_pages():
    keys = {p.key for p in walk_patterns()}
    assert set(NOT_INSIDE) <= keys

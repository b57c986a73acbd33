"""'Your declarations' for a party, a party's line manager and a coordinator who declared a conflict on first opening
case A (issue 17, defect 2): each sees their declarations only as they made them, never a party of case A nor
anything that identifies it. The matrix checks every page for leaks; this checks the rows are really there, so the
leak check on this page cannot pass on an empty table."""

import pytest
from django.urls import reverse

from cases.models import ConflictDeclaration

from . import matrix as m
from .checker import find_leaks, response_text

PLACEHOLDER = {
    m.PARTY: "Recorded for you by a coordinator",
    m.LINE_MANAGER: "Someone in a case you declared a conflict on opening",
    m.CONFLICTED: "Someone in a case you declared a conflict on opening",
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(PLACEHOLDER))
def test_the_declarations_page_shows_the_rows_but_nothing_of_case_a(world, role):
    user = world.users[role]
    declared = ConflictDeclaration.objects.filter(declarer_id=user.staff_id)
    assert declared.exists(), "the world must give this actor declarations about case A's people"
    response = world.client(role).get(reverse("oversight:declarations"))
    assert response.status_code == 200
    text = response_text(response)
    assert text.count(PLACEHOLDER[role]) == declared.count()
    assert not find_leaks(text, world.forbidden_identifiers(role))

"""The admin's delete pages never reveal case membership (issue 17): a staff record or an account is never deleted
there (both are marked inactive instead), so no page lists what a deletion would touch."""

import pytest
from django.urls import reverse

from cases.models import Party
from ppda.models import StaffMember, User
from ppda.roles import Role
from tests.factories.cases import PoliceSuspectFactory, PoliceVictimFactory, TriagedCaseFactory
from tests.factories.directory import DistrictFactory, StaffMemberFactory, UserFactory

pytestmark = pytest.mark.django_db
REFUSED = "never deleted"


@pytest.fixture
def admin(verified_client, superuser_no_role):
    return verified_client(superuser_no_role)


@pytest.fixture
def party():
    """A police victim with an account, and the case's suspect, who has none."""
    case = TriagedCaseFactory(reference="DA/2026/000901")
    victim = PoliceVictimFactory(case=case, staff=StaffMemberFactory()).staff
    PoliceSuspectFactory(case=case)
    return UserFactory(staff=victim, roles=[Role.SOO])


def _revealing(text: str) -> list[str]:
    # A party row reads "Victim on <case id>"; a case grant row names the case.
    words = [f"{label} on" for _, label in Party.Role.choices] + ["DA/2026/000901"]
    return [w for w in words if w.lower() in text.lower()]


@pytest.mark.parametrize("model", ["staffmember", "user"])
def test_the_delete_page_of_a_party_reveals_nothing_and_deletes_nothing(admin, party, model):
    obj = party.staff if model == "staffmember" else party
    url = reverse(f"admin:ppda_{model}_delete", args=[obj.pk])
    response = admin.get(url, follow=True)
    text = response.content.decode()
    assert not _revealing(text), text
    assert REFUSED in text
    response = admin.post(url, {"post": "yes"}, follow=True)
    assert not _revealing(response.content.decode()) and REFUSED in response.content.decode()
    assert StaffMember.objects.filter(pk=party.staff_id).exists() and User.objects.filter(pk=party.pk).exists()


@pytest.mark.parametrize("model", ["staffmember", "user"])
def test_someone_in_no_case_gets_the_very_same_answer(admin, model):
    """The refusal is the same for everyone: it does not tell a party from anyone else."""
    user = UserFactory(staff=StaffMemberFactory(), roles=[Role.SOO])
    obj = user.staff if model == "staffmember" else user
    response = admin.get(reverse(f"admin:ppda_{model}_delete", args=[obj.pk]), follow=True)
    assert REFUSED in response.content.decode()
    assert StaffMember.objects.filter(pk=user.staff_id).exists()


@pytest.mark.parametrize("model", ["staffmember", "user"])
def test_no_delete_button_or_bulk_delete_action(admin, party, model):
    obj = party.staff if model == "staffmember" else party
    change = admin.get(reverse(f"admin:ppda_{model}_change", args=[obj.pk])).content.decode()
    assert reverse(f"admin:ppda_{model}_delete", args=[obj.pk]) not in change
    changelist = admin.get(reverse(f"admin:ppda_{model}_changelist")).content.decode()
    assert 'value="delete_selected"' not in changelist


def test_a_district_still_referred_to_names_none_of_the_referring_rows(admin):
    """A case's incident district (and a party's home district) are PROTECT: the page must not list those rows."""
    district = DistrictFactory(name="Wolds")
    TriagedCaseFactory(reference="DA/2026/000902", incident_district=district)
    text = admin.get(reverse("admin:ppda_district_delete", args=[district.pk])).content.decode()
    assert "not listed here" in text
    assert "DA/2026/000902" not in text and "Case:" not in text

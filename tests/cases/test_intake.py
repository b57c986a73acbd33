"""Intake through the form: every route and category, clear errors, nothing half-written."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Party, SafeContact, normalise_name
from ppda.models import AccessLog
from tests.cases.conftest import intake_post
from tests.factories.cases import CaseFactory

pytestmark = pytest.mark.django_db
URL = "/cases/new/"


def counts():
    return Case.objects.count(), Party.objects.count(), SafeContact.objects.count()


def errors_of(response) -> list[str]:
    return [message for _, message in response.context["error_summary"]]


@pytest.mark.parametrize("route", Case.Route.values)
def test_each_route_through_intake(coordinator_client, district, suspect_staff, route):
    response = coordinator_client.post(URL, intake_post(district=district, suspect_staff=suspect_staff, route=route))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:intake_done", args=[case.public_id])
    assert case.route == route
    assert case.status == Case.Status.RECEIVED


@pytest.mark.parametrize(
    ("category", "victim_police", "suspect_police"),
    [("police_victim", True, False), ("police_perpetrator", False, True), ("both", True, True)],
)
def test_each_category_through_intake(
    coordinator_client, district, suspect_staff, victim_staff, category, victim_police, suspect_police
):
    overrides = {"category": category}
    if victim_police:
        overrides.update({"party-0-is_police": "yes", "party-0-employee_number": victim_staff.employee_number})
    if not suspect_police:
        overrides.update({"party-1-is_police": "no", "party-1-first_name": "Sam", "party-1-last_name": "Placeholder"})
    response = coordinator_client.post(URL, intake_post(district=district, suspect_staff=suspect_staff, **overrides))
    assert response.status_code == 302, errors_of(response)
    case = Case.objects.get()
    assert case.category == category
    victim = case.parties.get(role=Party.Role.VICTIM)
    suspect = case.parties.get(role=Party.Role.SUSPECT)
    assert (victim.staff_id is not None) == victim_police
    assert (suspect.staff_id is not None) == suspect_police


def test_category_must_match_the_parties(coordinator_client, district, suspect_staff):
    response = coordinator_client.post(
        URL, intake_post(district=district, suspect_staff=suspect_staff, category="police_victim")
    )
    assert response.status_code == 200
    assert "A 'police victim' case needs a victim from the staff directory" in errors_of(response)
    assert counts() == (0, 0, 0)


def test_intake_records_parties_safe_contact_and_normalised_name(
    coordinator, coordinator_client, district, suspect_staff
):
    coordinator_client.post(URL, intake_post(district=district, suspect_staff=suspect_staff))
    case = Case.objects.get()
    victim = case.parties.get(role=Party.Role.VICTIM)
    suspect = case.parties.get(role=Party.Role.SUSPECT)
    assert victim.normalised_name == "zoe o brien smith"
    assert victim.date_of_birth == dt.date(1990, 5, 17)
    assert victim.home_district == district
    assert victim.safe_contact.codeword == "Heron"
    assert victim.safe_contact.texts_ok is True
    assert victim.safe_contact.voicemail_ok is False
    assert suspect.staff == suspect_staff
    assert not SafeContact.objects.filter(party=suspect).exists()
    assert case.created_by == coordinator
    assert AccessLog.objects.filter(
        user=coordinator, action="change", what="case intake", case_reference=case.reference
    ).exists()
    # simple-history records the intake as the coordinator's.
    assert case.history.get().history_user == coordinator
    assert victim.history.count() == 1


def test_normalise_name():
    assert normalise_name("  Zoë ", "O'Brien-SMITH ") == "zoe o brien smith"
    assert normalise_name("José", "Álvarez  García") == "jose alvarez garcia"
    assert normalise_name("STRASSE") == normalise_name("straße")


def test_reference_is_normalised_and_validated(coordinator_client, district, suspect_staff):
    coordinator_client.post(
        URL, intake_post(district=district, suspect_staff=suspect_staff, reference=" da/2026/000777 ")
    )
    assert Case.objects.get().reference == "DA/2026/000777"
    response = coordinator_client.post(
        URL, intake_post(district=district, suspect_staff=suspect_staff, reference="12345")
    )
    assert "Enter the force reference in the force's format, like DA/2026/000123" in errors_of(response)


def test_reference_pattern_is_configurable(settings, coordinator_client, district, suspect_staff):
    settings.CASE_REFERENCE_PATTERN = r"^CR-\d{8}$"
    response = coordinator_client.post(URL, intake_post(district=district, suspect_staff=suspect_staff))
    assert response.status_code == 200
    response = coordinator_client.post(
        URL, intake_post(district=district, suspect_staff=suspect_staff, reference="CR-12345678")
    )
    assert response.status_code == 302
    assert Case.objects.get().reference == "CR-12345678"


def test_duplicate_reference_is_refused_and_writes_nothing(coordinator_client, district, suspect_staff):
    CaseFactory(reference="DA/2026/000001")
    before = counts()
    response = coordinator_client.post(URL, intake_post(district=district, suspect_staff=suspect_staff))
    assert response.status_code == 200
    assert errors_of(response) == ["A case with this reference already exists"]
    assert response.context["error_summary"][0][0] == "#id_reference"
    assert b"govuk-error-summary" in response.content
    assert counts() == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"party-0-role": "suspect"}, "Add at least one victim"),
        ({"party-1-role": "victim"}, "Add at least one suspect"),
        ({"party-1-employee_number": "E000000"}, "No one in the staff directory has this employee number"),
        ({"party-1-employee_number": ""}, "Add at least one suspect"),
        ({"party-1-is_police": "no", "party-1-first_name": "Sam"}, "Enter the last name"),
        ({"party-0-last_name": ""}, "Enter the last name"),
        ({"party-0-date_of_birth": "2099-01-01"}, "Date of birth must be in the past"),
        ({"party-0-date_of_birth": "1990-02-31"}, "Enter the date of birth as a real date"),
        ({"received_at": "2099-01-01T10:00"}, "The date the case was received must be today or in the past"),
        ({"received_at": "yesterday"}, "Enter the date and time received as a real date and time"),
        ({"route": ""}, "Select how the case came in"),
        ({"route": "carrier-pigeon"}, "Select how the case came in"),
        ({"incident_district": "Atlantis"}, "Select a district from the list"),
        (
            {"party-0-sc-safe_email": "not-an-email"},
            "Enter the safe email address in the correct format, like name@example.com",
        ),
    ],
)
def test_bad_input_gives_a_clear_error_and_writes_nothing(
    coordinator_client, district, suspect_staff, overrides, message
):
    response = coordinator_client.post(URL, intake_post(district=district, suspect_staff=suspect_staff, **overrides))
    assert response.status_code == 200
    assert message in errors_of(response)
    assert counts() == (0, 0, 0)


def test_no_parties_at_all(coordinator_client, district, suspect_staff):
    data = intake_post(district=district, suspect_staff=suspect_staff)
    data = {k: v for k, v in data.items() if not k.startswith("party-")}
    response = coordinator_client.post(URL, data)
    assert {"Add at least one victim", "Add at least one suspect"} <= set(errors_of(response))
    assert counts() == (0, 0, 0)


def test_add_another_person_rerenders_without_saving(coordinator_client, district, suspect_staff):
    data = intake_post(district=district, suspect_staff=suspect_staff)
    data.pop("save")
    data["add_party"] = "1"
    response = coordinator_client.post(URL, data)
    assert response.status_code == 200
    assert response.context["party_count"] == 3
    assert response.context["error_summary"] == []
    assert counts() == (0, 0, 0)
    # The third, blank row is skipped on save.
    data.pop("add_party")
    data.update({"save": "1", "party_count": "3"})
    assert coordinator_client.post(URL, data).status_code == 302
    assert Party.objects.count() == 2


def test_two_victims_each_get_safe_contact(coordinator_client, district, suspect_staff):
    data = intake_post(
        district=district,
        suspect_staff=suspect_staff,
        party_count="3",
        **{
            "party-2-role": "victim",
            "party-2-is_police": "no",
            "party-2-first_name": "Robin",
            "party-2-last_name": "Example",
            "party-2-sc-codeword": "Wren",
        },
    )
    assert coordinator_client.post(URL, data).status_code == 302
    assert sorted(SafeContact.objects.values_list("codeword", flat=True)) == ["Heron", "Wren"]


def test_intake_confirmation_shows_history(coordinator, coordinator_client, district, suspect_staff):
    earlier = CaseFactory(reference="DA/2024/000001", received_at=timezone.now() - dt.timedelta(days=700))
    Party.objects.create(case=earlier, role=Party.Role.SUSPECT, staff=suspect_staff)
    response = coordinator_client.post(URL, intake_post(district=district, suspect_staff=suspect_staff), follow=True)
    # First the declaration, then the confirmation with the history.
    case = Case.objects.get(reference="DA/2026/000001")
    assert response.redirect_chain[-1][0].startswith(reverse("cases:declare", args=[case.public_id]))
    response = coordinator_client.post(
        reverse("cases:declare", args=[case.public_id]),
        {"kind": "none", "next": reverse("cases:intake_done", args=[case.public_id])},
        follow=True,
    )
    assert response.status_code == 200
    assert [h.reference for h in response.context["history"]] == ["DA/2024/000001"]
    assert b"DA/2024/000001" in response.content
    assert AccessLog.objects.filter(what="intake confirmation", case_reference=case.reference).exists()


@pytest.mark.parametrize("relation", ["party", "line_manager"])
def test_a_coordinator_may_not_record_a_case_about_themself_or_their_report(
    verified_client, district, suspect_staff, relation
):
    """Issue 17, defect 5: refused with a clear message, nothing written, the other coordinators told (reference)."""
    from ppda.models import Notification
    from ppda.roles import Role
    from tests.factories.directory import StaffMemberFactory, UserFactory

    me = UserFactory(staff=StaffMemberFactory(), roles=[Role.COORDINATOR])
    other = UserFactory(roles=[Role.COORDINATOR])
    if relation == "party":
        suspect = me.staff
    else:
        suspect_staff.line_manager = me.staff
        suspect_staff.save()
        suspect = suspect_staff
    before = counts()
    response = verified_client(me).post(URL, intake_post(district=district, suspect_staff=suspect))
    assert response.status_code == 200
    assert any("you cannot record it" in message for message in errors_of(response))
    assert counts() == before
    note = Notification.objects.get(kind="intake_refused_conflict")
    assert note.recipient == other and note.case_reference == "DA/2026/000001"
    assert suspect.last_name not in note.message and suspect.employee_number not in note.message
    assert not Notification.objects.filter(recipient=me).exists()

"""Intake through the form: every route and category, clear errors, nothing half-written."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Party, SafeContact, normalise_name
from ppda.date_input import date_post
from ppda.models import AccessLog
from tests.cases.conftest import intake_post
from tests.factories.cases import CaseFactory

pytestmark = pytest.mark.django_db
URL = "/cases/new/"


def counts():
    return Case.objects.count(), Party.objects.count(), SafeContact.objects.count()


def errors_of(response) -> list[str]:
    return [message for _, message in response.context["error_summary"]]


def _parts(name: str, day: str, month: str, year: str) -> dict[str, str]:
    """A date as typed in the three boxes, which need not be a real date."""
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


def _dob(day, month, year):
    return _parts("party-0-date_of_birth", day, month, year)


def _received(day, month, year):
    return _parts("received_on", day, month, year)


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
        (date_post("party-0-date_of_birth", "2099-01-01"), "Date of birth must be in the past"),
        (_dob("31", "2", "1990"), "The date of birth must be a real date"),
        (_dob("17", "", "1990"), "The date of birth must include a month"),
        (_dob("17", "5", "90"), "The year must include 4 numbers"),
        (date_post("received_on", "2099-01-01"), "The date the case was received must be today or in the past"),
        (_received("31", "2", "2026"), "The date the case was received must be a real date"),
        (_received("", "", "2026"), "The date the case was received must include a day and month"),
        (_received("", "", ""), "Enter the date the case was received"),
        ({"received_time": ""}, "Enter the time the case was received"),
        ({"received_time": "25:00"}, "Enter the time the case was received as a real time, like 14:30"),
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


# -- Dates and times: the GOV.UK date input (day, month, year) and a 24-hour time box ---------------------


def test_the_date_and_time_received_start_as_now_and_the_date_of_birth_empty(coordinator_client):
    with time_machine.travel(dt.datetime(2026, 7, 1, 13, 5, tzinfo=dt.UTC), tick=False):
        response = coordinator_client.get(URL)
    form = response.context["case_form"]
    assert form["received_on"].parts == {"day": "1", "month": "7", "year": "2026"}
    assert form["received_time"].value() == "14:05"  # UK time (BST)
    for party_form, _ in response.context["party_rows"]:
        assert party_form["date_of_birth"].parts == {"day": "", "month": "", "year": ""}
    html = response.content.decode()
    assert 'name="received_on_day"' in html and 'name="party-0-date_of_birth_year"' in html
    assert 'type="date"' not in html and 'type="datetime-local"' not in html


def test_the_time_received_is_uk_time_stored_as_utc(coordinator_client, district, suspect_staff):
    data = intake_post(
        district=district, suspect_staff=suspect_staff, **date_post("received_on", "2026-07-01"), received_time="0930"
    )
    with time_machine.travel(dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)):
        assert coordinator_client.post(URL, data).status_code == 302
    assert Case.objects.get().received_at == dt.datetime(2026, 7, 1, 8, 30, tzinfo=dt.UTC)


def test_a_time_the_clocks_skipped_is_a_clear_error(coordinator_client, district, suspect_staff):
    data = intake_post(
        district=district, suspect_staff=suspect_staff, **date_post("received_on", "2026-03-29"), received_time="01:30"
    )
    response = coordinator_client.post(URL, data)
    assert (
        "#id_received_time",
        "That time did not exist because the clocks went forward. Enter a time after 02:00.",
    ) in (response.context["error_summary"])
    assert counts() == (0, 0, 0)


def test_date_errors_link_to_the_day_box_and_mark_only_the_missing_part(coordinator_client, district, suspect_staff):
    response = coordinator_client.post(
        URL, intake_post(district=district, suspect_staff=suspect_staff, **_dob("17", "", "1990"))
    )
    assert ("#id_party-0-date_of_birth_day", "The date of birth must include a month") in response.context[
        "error_summary"
    ]
    html = response.content.decode()
    # The box left empty is marked, the others keep what was typed; the identity details open to show it.
    assert 'govuk-input--width-2 govuk-input--error" id="id_party-0-date_of_birth_month"' in html
    assert 'govuk-input--width-2" id="id_party-0-date_of_birth_day" name="party-0-date_of_birth_day"' in html
    assert 'value="17"' in html and 'value="1990"' in html
    assert '<details class="govuk-details" open>' in html
    response = coordinator_client.post(
        URL, intake_post(district=district, suspect_staff=suspect_staff, **_received("31", "2", "2026"))
    )
    assert ("#id_received_on_day", "The date the case was received must be a real date") in response.context[
        "error_summary"
    ]
    assert response.content.decode().count('govuk-input--error" id="id_received_on_') == 3


def test_a_service_error_on_the_date_received_is_shown_on_its_day_box(coordinator_client, district, suspect_staff):
    response = coordinator_client.post(
        URL, intake_post(district=district, suspect_staff=suspect_staff, **date_post("received_on", "2099-01-01"))
    )
    assert response.context["case_form"].errors["received_on"] == [
        "The date the case was received must be today or in the past"
    ]
    assert response.context["error_summary"][0][0] == "#id_received_on_day"


def test_a_row_with_only_a_date_of_birth_typed_is_in_use(coordinator_client, district, suspect_staff):
    data = intake_post(
        district=district,
        suspect_staff=suspect_staff,
        party_count="3",
        **_parts("party-2-date_of_birth", "", "", "1980"),
    )
    response = coordinator_client.post(URL, data)
    assert "The date of birth must include a day and month" in errors_of(response)
    assert counts() == (0, 0, 0)


def test_adding_a_person_shows_no_date_errors_yet(coordinator_client, district, suspect_staff):
    data = intake_post(district=district, suspect_staff=suspect_staff, **_dob("31", "2", "1990"))
    data.pop("save")
    data["add_party"] = "1"
    html = coordinator_client.post(URL, data).content.decode()
    assert "must be a real date" not in html and "govuk-input--error" not in html
    assert 'value="31"' in html  # what was typed is kept

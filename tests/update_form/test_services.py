"""Section services: each section saved on its own, with history (who), the state it starts from checked."""

import pytest

from cases.models import Case
from oversight.update_form import services
from oversight.update_form.models import Concerns, Investigation, Overview, Support, SupportStatus
from ppda.errors import ApplicationError
from tests.factories.directory import UserFactory
from tests.factories.oversight import soo_with_user
from tests.factories.update_form import ALL_SUPPORT_OFFERED, declared_coordinator, form_case, pending_form_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_soo():
    return form_case()


def test_overview_save_creates_the_section_with_history_naming_the_soo(case_soo):
    case, soo = case_soo
    saved = services.overview_save(case=case, user=soo, relationship=Overview.Relationship.EX_PARTNER)
    assert (saved.version, saved.complete, saved.updated_by) == (1, True, soo)
    services.overview_save(case=case, user=soo, relationship=Overview.Relationship.PARTNER, expected_version=1)
    rows = list(Overview.history.filter(case_id=case.pk).order_by("history_date"))
    assert [r.relationship for r in rows] == ["ex_partner", "partner"]
    assert [r.history_user for r in rows] == [soo, soo]
    assert [r.history_type for r in rows] == ["+", "~"]


def test_overview_refuses_an_unknown_relationship(case_soo):
    case, soo = case_soo
    with pytest.raises(ApplicationError) as e:
        services.overview_save(case=case, user=soo, relationship="neighbour")
    assert e.value.field == "relationship"
    assert not Overview.objects.filter(case=case).exists()


def test_support_needs_an_answer_for_every_kind_and_reports_each_missing_one(case_soo):
    case, soo = case_soo
    with pytest.raises(ApplicationError) as e:
        services.support_save(case=case, user=soo, support={"idva": (SupportStatus.ACCEPTED, "")})
    assert set(e.value.errors) == {
        "wellbeing_status",
        "da_services_status",
        "survivors_network_status",
        "reasonable_adjustments_status",
        "occupational_health_status",
    }
    assert "Wellbeing service" in e.value.errors["wellbeing_status"][0]
    saved = services.support_save(case=case, user=soo, support=ALL_SUPPORT_OFFERED)
    assert saved.complete and saved.idva_status == SupportStatus.OFFERED
    assert Support.history.get(case_id=case.pk).history_user == soo


def test_free_text_that_names_a_party_is_counted_as_redactions(case_soo):
    case, soo = case_soo
    support = dict(ALL_SUPPORT_OFFERED, idva=(SupportStatus.ACCEPTED, "Rosalind met the IDVA; call 07700 900582."))
    saved = services.support_save(case=case, user=soo, support=support)
    assert saved.redactions == 2 and not saved.withheld
    clean = dict(ALL_SUPPORT_OFFERED, idva=(SupportStatus.ACCEPTED, "The victim met the IDVA on Tuesday."))
    assert services.support_save(case=case, user=soo, support=clean).redactions == 0


def test_investigation_is_complete_only_with_a_note(case_soo):
    case, soo = case_soo
    assert not services.investigation_save(case=case, user=soo, progress="   ").complete
    saved = services.investigation_save(case=case, user=soo, progress="File with CPS for a charging decision.")
    assert saved.complete and saved.version == 2
    assert Investigation.history.filter(case_id=case.pk).count() == 2


def test_ticked_concerns_need_details(case_soo):
    case, soo = case_soo
    with pytest.raises(ApplicationError) as e:
        services.concerns_save(
            case=case, user=soo, lack_of_updates=True, investigator_change=False, delay=False, details=""
        )
    assert e.value.field == "details"
    none = services.concerns_save(
        case=case, user=soo, lack_of_updates=False, investigator_change=False, delay=False, details=""
    )
    assert none.complete  # "no concerns" is an answer
    assert Concerns.objects.get(case=case).version == 1


def test_feedback_is_complete_once_any_is_recorded(case_soo):
    case, soo = case_soo
    blank = {
        "investigation_good_practice": "",
        "investigation_improvements": "",
        "line_manager_good_practice": "",
        "line_manager_improvements": "",
    }
    assert not services.feedback_save(case=case, user=soo, **blank).complete
    given = dict(blank, line_manager_good_practice="Adjusted shifts the same week.")
    assert services.feedback_save(case=case, user=soo, **given).complete


def test_a_save_over_a_newer_save_is_refused(case_soo):
    case, soo = case_soo
    services.investigation_save(case=case, user=soo, progress="First.")
    services.investigation_save(case=case, user=soo, progress="Second.", expected_version=1)
    with pytest.raises(ApplicationError, match="saved this section after you opened it"):
        services.investigation_save(case=case, user=soo, progress="Stale tab.", expected_version=1)
    assert Investigation.objects.get(case=case).progress == "Second."


@pytest.mark.parametrize("who", ["coordinator", "other_soo", "no_staff", "pending_soo"])
def test_only_the_accepted_soo_may_write(case_soo, who):
    case, _ = case_soo
    if who == "coordinator":
        user = declared_coordinator(case)
    elif who == "other_soo":
        user = soo_with_user().user
    elif who == "no_staff":
        user = UserFactory(staff=None)
    else:
        case, user = pending_form_case()
    with pytest.raises(ApplicationError, match="Only the senior oversight officer allocated"):
        services.investigation_save(case=case, user=user, progress="Not mine to write.")
    assert not Investigation.objects.filter(case=case).exists()


def test_a_closed_case_form_cannot_change(case_soo):
    case, soo = case_soo
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    case.refresh_from_db()
    with pytest.raises(ApplicationError, match="closed"):
        services.investigation_save(case=case, user=soo, progress="After closure.")

import pytest

from oversight.update_form import services
from oversight.update_form.models import Overview, SupportStatus
from tests.factories.update_form import ALL_SUPPORT_OFFERED, declared_coordinator, form_case


@pytest.fixture
def case_soo(db):
    return form_case()


@pytest.fixture
def coordinator_on(db):
    return declared_coordinator


# Free text as an SOO might write it: every kind of identifier of the case, in variants a reader recognises.
NAMING_TEXT = {
    "idva": "ROSALIND agreed to see the IDVA; she asked that Ms hope not be called at work.",
    "progress": "Sgt Ashcombe-Vale (PX61842) interviewed; the victim's number 07700900582 was checked.",
    "details": "Victim emailed r.hope@mail.example from 27 Wexcombe Lane about the delay.",
    "feedback": "Peregrine's line manager was told. The codeword Tamarisk-Owl was used.",
}


def fill_form(case, soo, *, text=NAMING_TEXT):
    """Every section saved once through the services, free text naming the parties."""
    services.overview_save(case=case, user=soo, relationship=Overview.Relationship.EX_PARTNER)
    services.support_save(
        case=case, user=soo, support=dict(ALL_SUPPORT_OFFERED, idva=(SupportStatus.ACCEPTED, text["idva"]))
    )
    services.investigation_save(case=case, user=soo, progress=text["progress"])
    services.concerns_save(
        case=case, user=soo, lack_of_updates=True, investigator_change=False, delay=True, details=text["details"]
    )
    services.feedback_save(
        case=case,
        user=soo,
        investigation_good_practice="The OIC agreed weekly updates.",
        investigation_improvements="",
        line_manager_good_practice=text["feedback"],
        line_manager_improvements="",
    )

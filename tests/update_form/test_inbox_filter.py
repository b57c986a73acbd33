"""The coordinators filter the inbox by update-form state, through the filter oversight registers with cases."""

import pytest
from django.urls import reverse

from cases.models import Case
from oversight.update_form import services
from tests.conftest import login_verified
from tests.factories.cases import CivilianVictimFactory, TriagedCaseFactory
from tests.factories.oversight import AcceptedAllocationFactory
from tests.factories.update_form import declared_coordinator

from .conftest import fill_form

pytestmark = pytest.mark.django_db


def _listed(client, value):
    response = client.get(reverse("cases:inbox"), {"form": value})
    assert response.status_code == 200
    return response.content.decode()


PLAIN = {"idva": "Weekly calls.", "progress": "On track.", "details": "None.", "feedback": "Good."}


def _case_with_form():
    case = TriagedCaseFactory(status=Case.Status.ACTIVE)
    CivilianVictimFactory(case=case, first_name="Rosalind", last_name="Hope")
    return case, AcceptedAllocationFactory(case=case).soo.user


def test_inbox_filters_by_form_state(client):
    untouched, _ = _case_with_form()
    ready, soo = _case_with_form()
    fill_form(ready, soo, text=PLAIN)
    warned, soo2 = _case_with_form()
    services.investigation_save(case=warned, user=soo2, progress="Rosalind Hope called the OIC.")
    coordinator = declared_coordinator(untouched)
    client = login_verified(client, coordinator)
    incomplete = _listed(client, "incomplete")
    assert untouched.reference in incomplete and warned.reference in incomplete
    assert ready.reference not in incomplete
    ready_page = _listed(client, "ready")
    assert ready.reference in ready_page and untouched.reference not in ready_page
    assert warned.reference not in ready_page
    warnings = _listed(client, "warnings")
    assert warned.reference in warnings and untouched.reference not in warnings
    everything = _listed(client, "")
    assert all(c.reference in everything for c in (untouched, ready, warned))
    # An unknown value is ignored, never a 500.
    assert untouched.reference in _listed(client, "bogus")
    assert 'name="form"' in everything and "Ready for panel" in everything

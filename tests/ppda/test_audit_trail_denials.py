"""Denied access is logged: by the view that refuses, or else by DeniedAccessLogMiddleware — once."""

import uuid

import pytest
from django.urls import reverse

from ppda.models import AccessLog
from tests.factories.cases import CaseFactory

pytestmark = pytest.mark.django_db


def _denials(user):
    return list(AccessLog.objects.filter(user=user, allowed=False).order_by("id"))


def test_a_case_the_user_may_not_see_is_logged_once_with_its_reference(soo_user, verified_client):
    case = CaseFactory(reference="DA/2026/000777")
    response = verified_client(soo_user).get(reverse("cases:detail", args=[case.public_id]))
    assert response.status_code == 404
    [row] = _denials(soo_user)
    assert row.action == AccessLog.Action.DENIED
    assert row.object_type == "cases.case"
    assert row.object_id == str(case.public_id)
    assert row.case_reference == "DA/2026/000777"


def test_a_guessed_case_id_is_logged_without_a_reference(soo_user, verified_client):
    guess = uuid.uuid4()
    assert verified_client(soo_user).get(reverse("cases:detail", args=[guess])).status_code == 404
    [row] = _denials(soo_user)
    assert (row.object_id, row.case_reference) == (str(guess), "")


def test_a_view_that_does_not_log_its_refusal_is_covered_by_the_middleware(coordinator, verified_client):
    # The audit trail raises PermissionDenied without logging: the middleware records the attempt.
    assert verified_client(coordinator).get(reverse("audit:index")).status_code == 403
    [row] = _denials(coordinator)
    assert row.what == "refused: audit:index"
    assert row.path == reverse("audit:index")
    assert (row.object_type, row.object_id) == ("", "")


def test_a_refusal_logged_without_a_reference_is_still_found_by_reference(soo_user, auditor, verified_client):
    # The contact log records its refusals by the case's public id only; the auditor asks by reference.
    case = CaseFactory()
    response = verified_client(soo_user).get(reverse("contacts:detail", args=[case.public_id]))
    assert response.status_code == 404
    [row] = _denials(soo_user)
    assert row.object_id == str(case.public_id)
    found = verified_client(auditor).get(reverse("audit:index"), {"reference": case.reference})
    assert [r.pk for r in found.context["page"].object_list] == [row.pk]


def test_anonymous_requests_are_redirected_not_logged(client):
    case = CaseFactory()
    assert client.get(reverse("cases:detail", args=[case.public_id])).status_code == 302
    assert not AccessLog.objects.filter(allowed=False).exists()

"""`next` parameters: found by the fuzz tests, a bare word made redirect() look up a view and fail (500)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from cases.models import CaseAccessDeclaration
from ppda.access import next_url_safe
from ppda.permissions import grant
from tests.factories.cases import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("next_url", "safe"),
    [
        ("/cases/", True),
        ("/cases/?page=2", True),
        ("home", False),
        ("a\x00b", False),
        ("a b", False),
        ("//evil.example/", False),
        ("/\\evil.example/", False),
        ("https://evil.example/", False),
        ("javascript:alert(1)", False),
        ("", False),
    ],
)
def test_next_url_safe_allows_local_paths_only(next_url, safe):
    request = RequestFactory().get("/")
    assert next_url_safe(request=request, url=next_url) == (next_url if safe else None)


@pytest.mark.parametrize("next_url", ["home", "a\x00b", "a b", "//evil.example/", "https://evil.example/"])
def test_declaration_with_a_bad_next_goes_to_the_case(soo_user, verified_client, next_url):
    case = CaseFactory()
    grant(soo_user, "cases.view_case", case, by=None, source="test")
    url = reverse("cases:declare", args=[case.public_id])
    response = verified_client(soo_user).post(url, {"kind": "none", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.public_id])
    assert CaseAccessDeclaration.objects.filter(case=case, user=soo_user).exists()


def test_declaration_follows_a_local_next(soo_user, verified_client):
    case = CaseFactory()
    grant(soo_user, "cases.view_case", case, by=None, source="test")
    target = reverse("contacts:detail", args=[case.public_id])
    response = verified_client(soo_user).post(
        reverse("cases:declare", args=[case.public_id]), {"kind": "none", "next": target}
    )
    assert response["Location"] == target

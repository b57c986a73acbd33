"""A signed-in request reads the user's roles in the user query; a role change shows at the next request."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ppda.models import User
from ppda.roles import Role, has_role, user_roles
from tests.factories.directory import UserFactory

pytestmark = pytest.mark.django_db


def test_a_request_reads_roles_with_the_user_and_runs_no_group_query(verified_client, coordinator):
    client = verified_client(coordinator)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("cases:inbox"))
    assert response.status_code == 200
    assert response.context["user_roles"] == {Role.COORDINATOR}
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert not [sql for sql in sqls if sql.lstrip().startswith('SELECT "auth_group"')]
    user_query = next(sql for sql in sqls if sql.startswith('SELECT "ppda_user"."id"'))
    assert "auth_group" in user_query


def test_a_role_change_takes_effect_at_the_next_request(verified_client):
    user = UserFactory(roles=[Role.COORDINATOR])
    client = verified_client(user)
    assert client.get(reverse("cases:inbox")).status_code == 200
    user.groups.remove(Group.objects.get(name=Role.COORDINATOR))
    assert client.get(reverse("cases:inbox")).status_code == 403
    user.groups.add(Group.objects.get(name=Role.COORDINATOR))
    response = client.get(reverse("cases:inbox"))
    assert response.status_code == 200 and response.context["user_roles"] == {Role.COORDINATOR}


def test_a_user_with_no_role_gets_an_empty_set_not_a_query(verified_client):
    user = UserFactory()
    client = verified_client(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("home"))
    assert not [q for q in ctx.captured_queries if q["sql"].lstrip().startswith('SELECT "auth_group"')]
    assert response.context["user_roles"] == set()
    assert not response.context["role_labels"]


def test_a_user_loaded_elsewhere_costs_one_query_then_none(django_assert_num_queries):
    created = UserFactory(roles=[Role.SOO, Role.AUDITOR])
    user = User.objects.get(pk=created.pk)
    with django_assert_num_queries(1):
        assert user_roles(user) == {Role.SOO, Role.AUDITOR}
    with django_assert_num_queries(0):
        assert has_role(user, Role.SOO) and not has_role(user, Role.COORDINATOR)

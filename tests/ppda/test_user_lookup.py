"""The signed-in user's lookup: one precompiled query, the same user and annotations as the ORM would give."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ppda.accounts.backends import ModelBackendWithNotifications, user_annotated
from ppda.models import Notification, User
from ppda.roles import Role
from tests.factories.directory import UserFactory

pytestmark = pytest.mark.django_db


def _fields(user):
    return {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields} | {
        "unread": user.unread_notifications,
        "roles": sorted(user.ppda_group_names),
        "devices": sorted(user.ppda_totp_confirmed),
    }


def test_the_lookup_is_one_query_and_matches_the_orm():
    user = UserFactory(roles=[Role.SOO, Role.AUDITOR])
    UserFactory(roles=[Role.COORDINATOR])  # another user's roles and devices stay out
    Notification.objects.create(recipient=user, kind="test", message="one", event_key="k1")
    Notification.objects.create(recipient=user, kind="test", message="two", event_key="k2")
    with CaptureQueriesContext(connection) as ctx:
        found = ModelBackendWithNotifications().get_user(user.pk)
    assert len(ctx.captured_queries) == 1
    expected = user_annotated(User.objects.filter(pk=user.pk)).get()
    assert _fields(found) == _fields(expected)
    assert found.unread_notifications == 2 and sorted(found.ppda_group_names) == [Role.AUDITOR, Role.SOO]
    assert len(found.ppda_totp_confirmed) == 1
    assert found._state.adding is False and found._state.db == "default"


def test_the_lookup_follows_changes_and_takes_the_id_as_text():
    user = UserFactory(roles=[Role.SOO])
    backend = ModelBackendWithNotifications()
    assert backend.get_user(str(user.pk)).ppda_group_names == [Role.SOO]
    user.groups.set([Group.objects.get(name=Role.COORDINATOR)])
    assert backend.get_user(user.pk).ppda_group_names == [Role.COORDINATOR]
    user.groups.clear()
    assert backend.get_user(user.pk).ppda_group_names == []


def test_no_user_for_an_unknown_malformed_or_inactive_id():
    user = UserFactory()
    backend = ModelBackendWithNotifications()
    assert backend.get_user(user.pk + 1000) is None
    assert backend.get_user("not a number") is None
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert backend.get_user(user.pk) is None


def test_the_lookup_provides_every_declared_attribute_and_its_readers_use_the_declared_names():
    from ppda import otp_verified, roles
    from ppda.accounts import backends

    user = UserFactory(roles=[Role.SOO])
    found = ModelBackendWithNotifications().get_user(user.pk)
    assert backends.USER_LOOKUP_ATTRIBUTES == (
        backends.UNREAD_NOTIFICATIONS,
        backends.GROUP_NAMES,
        backends.TOTP_CONFIRMED,
        backends.WEBAUTHN_CONFIRMED,
    )
    assert all(hasattr(found, name) for name in backends.USER_LOOKUP_ATTRIBUTES)
    assert roles.GROUP_NAMES is backends.GROUP_NAMES and otp_verified.TOTP_CONFIRMED is backends.TOTP_CONFIRMED
    assert otp_verified.WEBAUTHN_CONFIRMED is backends.WEBAUTHN_CONFIRMED

import pytest
from django.contrib.auth.models import Permission

from ppda.models import StaffMember
from ppda.permissions import objects_for_user, user_has_object_perm

pytestmark = pytest.mark.django_db


def test_superuser_and_global_permission_grant_nothing(superuser_no_role):
    """Guardian's defaults would return every row for a superuser or a global perm: ours return none."""
    superuser_no_role.user_permissions.add(Permission.objects.get(codename="view_staffmember"))
    staff = StaffMember.objects.first()
    assert objects_for_user(superuser_no_role, "ppda.view_staffmember", StaffMember.objects.all()).count() == 0
    assert not user_has_object_perm(superuser_no_role, "ppda.view_staffmember", staff)


def test_direct_filter_matches_guardian_on_mixed_grants(django_assert_num_queries):
    """Our SQL filter for direct foreign-key grants must return exactly what guardian's get_objects_for_user
    returns with superuser and global permissions off, for every user, on a mix of grants: to the user, to
    a group they are in, to a group they are not in, of another permission, on other objects, plus a
    superuser and a global permission that must count for nothing."""
    from django.contrib.auth.models import Group
    from guardian.shortcuts import assign_perm, get_objects_for_user

    from cases.models import Case
    from tests.factories.cases import CaseFactory
    from tests.factories.directory import UserFactory

    cases = CaseFactory.create_batch(7)
    team, other_team = Group.objects.create(name="test team"), Group.objects.create(name="other team")
    alice, bob, carol = UserFactory(), UserFactory(), UserFactory(is_superuser=True)
    dave = UserFactory()  # no grants at all
    team.user_set.add(alice, bob)
    other_team.user_set.add(carol)
    assign_perm("cases.view_case", alice, cases[0])  # user grant
    assign_perm("cases.view_case", team, cases[1])  # group grant, alice and bob
    assign_perm("cases.view_case", alice, cases[1])  # both at once: counted once
    assign_perm("cases.change_case", alice, cases[2])  # another permission
    assign_perm("cases.change_case", team, cases[3])  # another permission to the group
    assign_perm("cases.view_case", other_team, cases[4])  # a group alice and bob are not in
    assign_perm("cases.view_case", bob, cases[5])  # another user's grant
    carol.user_permissions.add(Permission.objects.get(codename="view_case"))  # global: counts for nothing
    dave.user_permissions.add(Permission.objects.get(codename="view_case"))

    expected = {alice: {0, 1}, bob: {1, 5}, carol: {4}, dave: set()}
    for user, indexes in expected.items():
        for perm in ("cases.view_case", "cases.change_case"):
            ours = objects_for_user(user, perm, Case.objects.all())
            theirs = get_objects_for_user(
                user, perm, klass=Case.objects.all(), use_groups=True, with_superuser=False, accept_global_perms=False
            )
            assert sorted(ours.values_list("pk", flat=True)) == sorted(theirs.values_list("pk", flat=True))
        got = set(objects_for_user(user, "cases.view_case", Case.objects.all()).values_list("pk", flat=True))
        assert got == {cases[i].pk for i in indexes}
        for i, case in enumerate(cases):
            assert user_has_object_perm(user, "cases.view_case", case) == (i in indexes)
    # Restricting the queryset keeps the filter (the grant subquery never widens it).
    only = Case.objects.filter(pk=cases[0].pk)
    assert list(objects_for_user(bob, "cases.view_case", only)) == []
    # Anonymous and inactive users see nothing, and the permission id is resolved once per process.
    alice.is_active = False
    assert not objects_for_user(alice, "cases.view_case", Case.objects.all()).exists()
    with django_assert_num_queries(1):
        list(objects_for_user(bob, "cases.view_case", Case.objects.all()))

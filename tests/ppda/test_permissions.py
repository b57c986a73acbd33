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

"""Django's ModelBackend, with what every page needs about the user read in the same query as the user.

The header shows the unread-notification count on every page, and every page's menu and permission checks
need the user's roles (group names, used by ppda.roles.user_roles). Reading both as subqueries of the user
lookup the session already does saves a query per request. Authentication is ModelBackend's.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from ppda.models import Notification


def _unread_count():
    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), 0)


def _group_names():
    return ArraySubquery(Group.objects.filter(user=OuterRef("pk")).order_by().values("name"))


class ModelBackendWithNotifications(ModelBackend):
    def get_user(self, user_id):
        try:
            user = (
                get_user_model()
                ._default_manager.annotate(unread_notifications=_unread_count(), ppda_group_names=_group_names())
                .get(pk=user_id)
            )
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

"""Django's ModelBackend, with what every page needs about the user read in the same query as the user.

The header shows the unread-notification count on every page; every page's menu and permission checks
need the user's roles (group names, used by ppda.roles.user_roles); every page checks that the session's
authenticator is still one of the user's confirmed ones (ppda.otp_verified). Reading them as subqueries of
the user lookup the session already does saves two queries per request. Authentication is ModelBackend's.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django_otp.plugins.otp_totp.models import TOTPDevice

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


def _confirmed_totp_ids():
    return ArraySubquery(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True).order_by().values("pk"))


class ModelBackendWithNotifications(ModelBackend):
    def get_user(self, user_id):
        try:
            user = (
                get_user_model()
                ._default_manager.annotate(
                    unread_notifications=_unread_count(),
                    ppda_group_names=_group_names(),
                    ppda_totp_confirmed=_confirmed_totp_ids(),
                )
                .get(pk=user_id)
            )
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

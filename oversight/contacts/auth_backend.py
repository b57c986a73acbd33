"""Django's ModelBackend, with the user's unread-notification count read in the same query as the user.

The header shows the count on every page; reading it as a subquery of the user lookup the session already
does keeps every page's query count unchanged (pages pin their counts). Authentication is ModelBackend's.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
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


class ModelBackendWithNotifications(ModelBackend):
    def get_user(self, user_id):
        try:
            user = get_user_model()._default_manager.annotate(unread_notifications=_unread_count()).get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

from django.utils.functional import SimpleLazyObject

from ppda.models import Notification


def notifications(request):
    """`notifications_unread`: the signed-in user's unread count, queried only if a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notifications_unread": 0}
    return {
        "notifications_unread": SimpleLazyObject(
            lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        )
    }

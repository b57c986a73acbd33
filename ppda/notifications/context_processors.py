from django.utils.functional import SimpleLazyObject

from .models import Notification


def notifications(request):
    """`notifications_unread`: the signed-in user's unread count for the header.

    The session's user lookup already read it (ModelBackendWithNotifications), so it costs no query; a
    user object loaded some other way falls back to one query, made only if a template shows the count.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notifications_unread": 0}
    known = getattr(user, "unread_notifications", None)
    if known is not None:
        return {"notifications_unread": known}
    return {
        "notifications_unread": SimpleLazyObject(
            lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        )
    }

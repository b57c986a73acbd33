"""Django's ModelBackend, with what every page needs about the user read in the same query as the user.

The header shows the unread-notification count on every page; every page's menu and permission checks
need the user's roles (group names, used by ppda.roles.user_roles); every page checks that the session's
authenticator is still one of the user's confirmed ones (ppda.otp_verified). Reading them as subqueries of
the user lookup the session already does saves two queries per request. Authentication is ModelBackend's.

The lookup's SQL is compiled once per process and run as a raw query with the user's id: building the
annotated queryset on every request cost about 4 ms of CPU, more than the query itself (ppda.caches).

What the lookup adds to the user is declared once, below (USER_LOOKUP_ATTRIBUTES and a constant per
attribute). Code that reads one imports its constant rather than spelling the name: ppda.roles
(GROUP_NAMES), ppda.otp_verified (TOTP_CONFIRMED, WEBAUTHN_CONFIRMED), the notifications context processor
(UNREAD_NOTIFICATIONS). A user loaded any other way has none of them: read with getattr(user, NAME, None)
and fall back to a query.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from ppda.caches import per_process
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


def _confirmed_webauthn_ids():
    return ArraySubquery(WebAuthnCredential.objects.filter(user=OuterRef("pk"), confirmed=True).order_by().values("pk"))


# Stands for the user's id while the SQL is compiled; no real id is negative.
_ID_PLACEHOLDER = -918273645


UNREAD_NOTIFICATIONS = "unread_notifications"  # int: the user's unread notifications
GROUP_NAMES = "ppda_group_names"  # list[str]: the names of the user's groups, i.e. their roles
TOTP_CONFIRMED = "ppda_totp_confirmed"  # list[int]: the ids of the user's confirmed TOTP devices
WEBAUTHN_CONFIRMED = "ppda_webauthn_confirmed"  # list[int]: the ids of the user's confirmed passkeys/security keys

# attribute -> the expression that reads it, as a subquery of the user lookup.
_ANNOTATIONS = {
    UNREAD_NOTIFICATIONS: _unread_count,
    GROUP_NAMES: _group_names,
    TOTP_CONFIRMED: _confirmed_totp_ids,
    WEBAUTHN_CONFIRMED: _confirmed_webauthn_ids,
}
# The attributes every user loaded through this backend carries, besides the model's own fields.
USER_LOOKUP_ATTRIBUTES: tuple[str, ...] = tuple(_ANNOTATIONS)


def user_annotated(queryset):
    """The users of `queryset` with what every page needs: unread count, role names, confirmed authenticators."""
    return queryset.annotate(**{name: expression() for name, expression in _ANNOTATIONS.items()})


@per_process
def _user_lookup_sql() -> tuple[str, tuple, int]:
    """The annotated lookup of one user by id, compiled: (sql, params, index of the id among the params)."""
    query = user_annotated(get_user_model()._default_manager.filter(pk=_ID_PLACEHOLDER)).query
    sql, params = query.sql_with_params()
    if list(params).count(_ID_PLACEHOLDER) != 1:
        raise RuntimeError("The user lookup's id parameter cannot be told apart from its other parameters.")
    return sql, tuple(params), list(params).index(_ID_PLACEHOLDER)


class ModelBackendWithNotifications(ModelBackend):
    def get_user(self, user_id):
        try:
            user_id = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        sql, params, at = _user_lookup_sql()
        params = list(params)
        params[at] = user_id
        found = list(get_user_model()._default_manager.raw(sql, params))
        if not found:
            return None
        return found[0] if self.user_can_authenticate(found[0]) else None

"""Sessions: each sign-in remembered, keys rotated after each factor, all of a user's sessions ended at once.

Every success that changes credentials ends the user's other sessions (the callers in signin and enrolment).
"""

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import logout as auth_logout
from django.contrib.sessions.backends.db import SessionStore as DBSessionStore
from django.db import transaction
from django.utils import timezone

from ppda.audit import access_record
from ppda.models import AccessLog, SignInLockout, UserSession

from ..addresses import client_ip

SIGNED_IN_AT_SESSION_KEY = "ppda_signed_in_at"


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def user_session_record(*, request, user) -> UserSession:
    """Remember the session a user just signed in with (called after Django's login rotated the key)."""
    if request.session.session_key is None:
        request.session.save()
    request.session[SIGNED_IN_AT_SESSION_KEY] = int(timezone.now().timestamp())
    store = _session_store()
    # Sessions that expired or were cleared since: forget them so the table stays small.
    known = UserSession.objects.filter(user=user).values_list("session_key", flat=True)
    dead = [key for key in known if not store().exists(key)]
    if dead:
        UserSession.objects.filter(session_key__in=dead).delete()
    row, _ = UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "created_at": timezone.now(),
            "ip_address": client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
        },
    )
    return row


def session_key_rotate(*, request) -> None:
    """Give the current session a new key (after each factor, and after a credential change)."""
    old_key = request.session.session_key
    request.session.cycle_key()
    if old_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=request.session.session_key)


def user_sessions_end(*, user, keep_session_key: str | None = None) -> int:
    """End every session the user signed in with, except `keep_session_key`. Returns how many ended."""
    store = _session_store()
    keys = list(
        UserSession.objects.filter(user=user)
        .exclude(session_key=keep_session_key or "")
        .values_list("session_key", flat=True)
    )
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


def user_logout(*, request) -> None:
    """Sign out here, and log it. A fully verified session also ends every other session of the account; a
    password-only one ends only itself, or anyone holding just the password could sign the real user out of
    every device, again and again (issue 17)."""
    user = request.user
    if user.is_authenticated:
        verified = getattr(user, "is_verified", lambda: False)()
        access_record(
            request=request,
            user=user,
            action=AccessLog.Action.LOGOUT,
            what="signed out" if verified else "signed out before the second factor",
        )
        if verified:
            user_sessions_end(user=user, keep_session_key=request.session.session_key)
        UserSession.objects.filter(session_key=request.session.session_key or "").delete()
    auth_logout(request)


def session_expired_absolute(*, request) -> bool:
    """True when the session was signed in longer ago than SESSION_MAX_HOURS, however active."""
    signed_in_at = request.session.get(SIGNED_IN_AT_SESSION_KEY)
    if signed_in_at is None:
        return False
    age = timezone.now().timestamp() - signed_in_at
    return age > settings.SESSION_MAX_HOURS * 3600


@transaction.atomic
def user_deactivate(*, user, by=None) -> None:
    """Stop an account from signing in and end all its sessions at once."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    user_sessions_end(user=user)


def signin_records_purge(*, keep_days: int = 1) -> dict[str, int]:
    """Delete what no longer matters: expired sessions, bookkeeping of ended sessions, and failure
    counters that are neither locked nor recent (sprayed account names would otherwise pile up).

    Idempotent; run by beat every hour.
    """
    from django.contrib.sessions.models import Session

    now = timezone.now()
    store = _session_store()
    store.clear_expired()
    if issubclass(store, DBSessionStore):
        live = Session.objects.filter(expire_date__gt=now).values("session_key")
        sessions, _ = UserSession.objects.exclude(session_key__in=live).delete()
    else:
        sessions = 0
    lockouts, _ = (
        SignInLockout.objects.filter(last_failure_at__lt=now - timedelta(days=keep_days))
        .exclude(locked_until__gt=now)
        .delete()
    )
    return {"user_sessions": sessions, "lockouts": lockouts}

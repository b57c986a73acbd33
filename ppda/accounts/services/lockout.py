"""Account lockout: failed attempts counted per account name + address (+ browser), locks, alerts, release.

A browser that completed a sign-in holds a signed token for the account, so its failures are counted
apart from everyone else's at the same address (a shared proxy). Every failure is written to the access log.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from ppda.audit import access_record
from ppda.errors import ApplicationError
from ppda.models import AccessLog, SignInLockout
from ppda.notifications import notification_send
from ppda.roles import Role

from ..addresses import client_ip

_DEVICE_SALT = "ppda.accounts.signin-device"


def username_normalise(username: str) -> str:
    return (username or "").strip().lower()[:150]


def lockout_key(username: str) -> str:
    """What the lockout table stores for a typed account name: the name when it is an account's, otherwise a
    keyed hash. A password typed into the username box (or a guessed name) is never written down, while the
    same mistyped name still counts against itself and an administrator can still release it by name."""
    name = username_normalise(username)
    if get_user_model().objects.filter(username__iexact=name).exists():
        return name
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{_DEVICE_SALT}:unknown:{name}".encode(), hashlib.sha256)
    return f"unknown-{digest.hexdigest()[:24]}"


def signin_device_token_issue(*, user) -> str:
    """A signed token naming this browser, given after a complete sign-in and bound to the account.

    Failures from a browser holding a valid token for the account are counted apart from everyone else's
    at the same address: behind a force's shared proxy, a colleague cannot lock a user out of the browser
    they normally use. The token cannot be forged, so it cannot be rotated to escape a lock.
    """
    payload = {"u": username_normalise(user.get_username()), "d": secrets.token_urlsafe(12)}
    return signing.dumps(payload, salt=_DEVICE_SALT)


def signin_device_id(*, request, username: str) -> str:
    """The id of this browser's token for `username`, or "" with no valid token for that account."""
    raw = request.COOKIES.get(settings.SIGNIN_DEVICE_COOKIE_NAME) if request is not None else None
    if not raw:
        return ""
    try:
        payload = signing.loads(raw, salt=_DEVICE_SALT, max_age=timedelta(days=settings.SIGNIN_DEVICE_DAYS))
    except signing.BadSignature:
        return ""
    if not isinstance(payload, dict) or payload.get("u") != username_normalise(username):
        return ""
    return str(payload.get("d", ""))[:32]


def lockout_until(*, username: str, ip_address: str | None, device: str = "") -> datetime | None:
    """When the lock on this account name from this address (and browser) ends, or None if not locked."""
    row = (
        SignInLockout.objects.filter(
            username=lockout_key(username),
            ip_address=ip_address,
            device=device,
            locked_until__gt=timezone.now(),
        )
        .values_list("locked_until", flat=True)
        .first()
    )
    return row


def lockout_message(locked_until: datetime) -> str:
    """The message a locked-out user sees: why, until when, and who can help."""
    local = timezone.localtime(locked_until)
    return (
        "There have been too many failed sign-in attempts for this account from this device. "
        f"Try again after {local:%H:%M} (UK time), or ask an administrator to release the lock."
    )


def signin_failure_record(
    *, request, username: str, user=None, kind: str = AccessLog.Action.LOGIN_FAILED, what: str = ""
) -> SignInLockout:
    """Count one failed password or second-factor attempt for this account name and address.

    At LOCKOUT_THRESHOLD failures within LOCKOUT_MINUTES the pair is locked for LOCKOUT_MINUTES and
    auditors and coordinators are alerted (no account name or address in the alert). Failures older
    than the window, or from before an expired lock, start the count again. The failure is written
    to the access log whether or not the name belongs to an account.
    """
    ip_address = client_ip(request)
    now = timezone.now()
    window = timedelta(minutes=settings.LOCKOUT_MINUTES)
    with transaction.atomic():
        bucket, _ = SignInLockout.objects.select_for_update().get_or_create(
            username=lockout_key(username),
            ip_address=ip_address,
            device=signin_device_id(request=request, username=username),
        )
        lock_expired = bucket.locked_until is not None and bucket.locked_until <= now
        window_passed = bucket.first_failure_at is None or bucket.first_failure_at <= now - window
        if lock_expired or (bucket.locked_until is None and window_passed):
            bucket.failures = 0
            bucket.first_failure_at = now
            bucket.locked_until = None
        bucket.failures += 1
        bucket.last_failure_at = now
        newly_locked = bucket.locked_until is None and bucket.failures >= settings.LOCKOUT_THRESHOLD
        if newly_locked:
            bucket.locked_until = now + window
            bucket.released_at = None
            bucket.released_by = None
        bucket.save()
        access_record(request=request, user=user, action=kind, what=what or "failed sign-in", allowed=False)
        if newly_locked:
            _lockout_alert(bucket=bucket)
        else:
            _spread_failures_alert(username=bucket.username, now=now, window=window)
    return bucket


def signin_failure_record_or_raise(
    *, request, username: str, user=None, kind: str, what: str, field: str | None = "code"
) -> None:
    """Count one failed attempt (signin_failure_record); if that locked the pair, refuse with the lockout
    message, on `field`. Otherwise return, and the caller refuses with its own message."""
    bucket = signin_failure_record(request=request, username=username, user=user, kind=kind, what=what)
    if bucket.locked_until and bucket.locked_until > timezone.now():
        raise ApplicationError(lockout_message(bucket.locked_until), field=field)


def _spread_failures_alert(*, username: str, now: datetime, window: timedelta) -> None:
    """Per-address locks do not stop guesses spread over many addresses: alert when one account name
    collects LOCKOUT_SPREAD_ALERT failures within the window, whatever the addresses (once a window)."""
    total = (
        SignInLockout.objects.filter(username=username, last_failure_at__gt=now - window).aggregate(
            total=Sum("failures")
        )["total"]
        or 0
    )
    if total < settings.LOCKOUT_SPREAD_ALERT:
        return
    # The event key must not carry the name either: a digest is enough to send it once per window.
    digest = hashlib.sha256(username.encode()).hexdigest()[:16]
    period = int(now.timestamp() // window.total_seconds())
    notification_send(
        recipients=list(_alert_recipients()),
        kind="signin_failures_spread",
        message=(
            f"{total} failed sign-in attempts for one account from several addresses in the last "
            f"{settings.LOCKOUT_MINUTES} minutes. An auditor can see them in the access log."
        ),
        event_key=f"signin_spread:{digest}:{period}",
    )


def _alert_recipients():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[Role.AUDITOR, Role.COORDINATOR])
        .distinct()
        .order_by("pk")
    )


def _lockout_alert(*, bucket: SignInLockout) -> None:
    recipients = _alert_recipients()
    local = timezone.localtime(bucket.last_failure_at)
    notification_send(
        recipients=list(recipients),
        kind="signin_lockout",
        message=(
            f"Sign-in was locked after {bucket.failures} failed attempts at {local:%d %b %Y %H:%M}. "
            "An auditor can see the failed attempts in the access log."
        ),
        event_key=f"signin_lockout:{bucket.pk}:{int(bucket.locked_until.timestamp())}",
    )


def signin_failures_clear(*, username: str, ip_address: str | None, device: str = "") -> None:
    """Forget failures for this account name, address and browser after a complete two-factor sign-in."""
    SignInLockout.objects.filter(username=lockout_key(username), ip_address=ip_address, device=device).delete()


@transaction.atomic
def lockout_release(*, username: str, ip_address: str | None = None, by=None) -> int:
    """Release the locks on an account name (from one address, or all). Returns how many were released."""
    rows = SignInLockout.objects.select_for_update().filter(
        username=lockout_key(username), locked_until__gt=timezone.now()
    )
    if ip_address:
        rows = rows.filter(ip_address=ip_address)
    released = 0
    for row in rows:
        row.locked_until = None
        row.failures = 0
        row.first_failure_at = None
        row.released_at = timezone.now()
        row.released_by = by
        row.save()
        released += 1
    return released


def signin_lock_check(*, request, username: str) -> None:
    """Raise ApplicationError (with the lockout message) while this account name is locked from this address."""
    until = lockout_until(
        username=username,
        ip_address=client_ip(request),
        device=signin_device_id(request=request, username=username),
    )
    if until is not None:
        raise ApplicationError(lockout_message(until), field="code")

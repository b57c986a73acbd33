"""Account lockout: failed attempts counted per browser, per account at an address, and per address.

Every client gets a signed browser token (a cookie) on the sign-in pages. Failures are counted three ways
within LOCKOUT_MINUTES, and what each count does differs, so that nobody at the same address (a force's
shared proxy) can lock a colleague out:

- **one browser, one account name** (LOCKOUT_THRESHOLD): that browser is locked out of that account. Only
  the attacker's own attempts lock it; the victim's browsers have other tokens.
- **one account name, all browsers at one address** (LOCKOUT_ACCOUNT_ADDRESS_BUDGET) and **one address,
  all account names** (LOCKOUT_ADDRESS_BUDGET): a *hold*. Dropping the cookie buys a fresh browser count,
  so these bound the guesses; a hold does not lock anyone out but asks for the password and the second
  factor on one page and says only whether both were right. The real user gets in; a guesser learns
  nothing from a password alone (signin.held_signin).

Every failure is written to the access log; typed names that are no account's are stored as a keyed hash.
"""

import hashlib
import hmac
import logging
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

logger = logging.getLogger(__name__)

_DEVICE_SALT = "ppda.accounts.signin-device"
# Sentinels in the lockout table. No account name, hashed name or browser token id contains "*" (Django's
# username validator allows letters, digits and @.+-_; token ids are URL-safe base64).
ADDRESS_ROW = "*"  # the username of an address's row (all account names)
ALL_BROWSERS = "*"  # the device of an account's row at one address (all browsers)


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


def _key(*, request, username: str) -> str:
    """lockout_key, once per request and name: a sign-in asks for it several times."""
    if request is None:
        return lockout_key(username)
    keys = request.__dict__.setdefault("_ppda_lockout_keys", {})
    name = username_normalise(username)
    if name not in keys:
        keys[name] = lockout_key(name)
    return keys[name]


def signin_browser_id(*, request) -> str:
    """This browser's token id: from its signed cookie, or a new one made now (signin_browser_token_new).

    Every client has one, not only those that signed in before, so one browser's failures never lock
    another's. A token cannot be forged, only fetched afresh; the holds bound what a fresh one buys.
    """
    if request is None:
        return ""
    known = getattr(request, "_ppda_browser_id", None)
    if known is not None:
        return known
    browser = ""
    raw = request.COOKIES.get(settings.SIGNIN_DEVICE_COOKIE_NAME)
    if raw:
        try:
            payload = signing.loads(raw, salt=_DEVICE_SALT, max_age=timedelta(days=settings.SIGNIN_DEVICE_DAYS))
        except signing.BadSignature:
            payload = None
        # Tokens issued before every browser had one also named the account ("u"): the id is what counts.
        if isinstance(payload, dict):
            browser = str(payload.get("d", ""))[:32]
    if not browser:
        browser = secrets.token_urlsafe(12)
        request._ppda_browser_token = signing.dumps({"d": browser}, salt=_DEVICE_SALT)
    request._ppda_browser_id = browser
    return browser


def signin_browser_token_new(*, request) -> str | None:
    """The signed cookie value to send with this response, when this request's browser had no valid token."""
    signin_browser_id(request=request)
    return getattr(request, "_ppda_browser_token", None)


def lockout_until(*, username: str, ip_address: str | None, device: str = "") -> datetime | None:
    """When the lock on this account name for this browser at this address ends, or None if not locked."""
    return _locked_until(username=lockout_key(username), ip_address=ip_address, device=device)


def _locked_until(*, username: str, ip_address: str | None, device: str) -> datetime | None:
    return (
        SignInLockout.objects.filter(
            username=username, ip_address=ip_address, device=device, locked_until__gt=timezone.now()
        )
        .values_list("locked_until", flat=True)
        .first()
    )


def lockout_message(locked_until: datetime) -> str:
    """The message a locked-out user sees: why, until when, and who can help."""
    local = timezone.localtime(locked_until)
    return (
        "There have been too many failed sign-in attempts for this account from this device. "
        f"Try again after {local:%H:%M} (UK time), or ask an administrator to release the lock."
    )


HOLD_MESSAGE = (
    "There have been too many failed sign-in attempts from your network. To sign in, enter the code from "
    "your authenticator app (or a backup code) as well as your username and password."
)


def signin_address_held(*, request) -> bool:
    """Whether password sign-in from this address needs both factors at once (LOCKOUT_ADDRESS_BUDGET)."""
    return _locked_until(username=ADDRESS_ROW, ip_address=client_ip(request), device=ALL_BROWSERS) is not None


def signin_held(*, request, username: str) -> bool:
    """Whether a password sign-in to this account name from this address needs both factors at once: too
    many failures for the name from all browsers here, or for all names from here."""
    return (
        SignInLockout.objects.filter(
            ip_address=client_ip(request), device=ALL_BROWSERS, locked_until__gt=timezone.now()
        )
        .filter(username__in=[ADDRESS_ROW, _key(request=request, username=username)])
        .exists()
    )


def _count_failure(*, username: str, ip_address: str | None, device: str, threshold: int, now, window):
    """Add one failure to a row; returns (row, whether this failure locked it)."""
    row, _ = SignInLockout.objects.select_for_update().get_or_create(
        username=username, ip_address=ip_address, device=device
    )
    lock_expired = row.locked_until is not None and row.locked_until <= now
    window_passed = row.first_failure_at is None or row.first_failure_at <= now - window
    if lock_expired or (row.locked_until is None and window_passed):
        row.failures = 0
        row.first_failure_at = now
        row.locked_until = None
    row.failures += 1
    row.last_failure_at = now
    newly_locked = row.locked_until is None and row.failures >= threshold
    if newly_locked:
        row.locked_until = now + window
        row.released_at = None
        row.released_by = None
    row.save()
    return row, newly_locked


def signin_failure_record(
    *, request, username: str, user=None, kind: str = AccessLog.Action.LOGIN_FAILED, what: str = ""
) -> SignInLockout:
    """Count one failed password or second-factor attempt; returns this browser's row for the account name,
    with `held` set to whether sign-in for the name from this address is now held.

    At LOCKOUT_THRESHOLD failures within LOCKOUT_MINUTES this browser is locked out of the name for
    LOCKOUT_MINUTES; at LOCKOUT_ACCOUNT_ADDRESS_BUDGET for the name from all browsers at the address, or
    LOCKOUT_ADDRESS_BUDGET for all names from the address, sign-in from there is held (both factors at
    once). Auditors and coordinators are alerted when a lock or hold starts (no name or address in the
    alert). Failures older than the window, or from before an expired lock, start the count again. The
    failure is written to the access log whether or not the name belongs to an account.
    """
    ip_address = client_ip(request)
    now = timezone.now()
    window = timedelta(minutes=settings.LOCKOUT_MINUTES)
    key = _key(request=request, username=username)
    browser = signin_browser_id(request=request)
    with transaction.atomic():
        # Always in this order (address, account, browser), so concurrent failures cannot deadlock.
        address, address_held = _count_failure(
            username=ADDRESS_ROW,
            ip_address=ip_address,
            device=ALL_BROWSERS,
            threshold=settings.LOCKOUT_ADDRESS_BUDGET,
            now=now,
            window=window,
        )
        account, account_held = _count_failure(
            username=key,
            ip_address=ip_address,
            device=ALL_BROWSERS,
            threshold=settings.LOCKOUT_ACCOUNT_ADDRESS_BUDGET,
            now=now,
            window=window,
        )
        bucket, newly_locked = _count_failure(
            username=key,
            ip_address=ip_address,
            device=browser,
            threshold=settings.LOCKOUT_THRESHOLD,
            now=now,
            window=window,
        )
        access_record(request=request, user=user, action=kind, what=what or "failed sign-in", allowed=False)
        if newly_locked:
            _lockout_alert(bucket=bucket)
        if account_held:
            _hold_alert(row=account, scope="one account from one address")
        if address_held:
            # Logged without any account name: the attempts were spread over names someone typed.
            access_record(
                request=request,
                user=None,
                action=AccessLog.Action.LOGIN_FAILED,
                what="sign-in held for this address: too many failed attempts across account names",
                allowed=False,
            )
            logger.warning(
                "Password sign-in from one address now needs both factors at once: %s failed attempts "
                "across account names in %s minutes (the address is in the access log)",
                address.failures,
                settings.LOCKOUT_MINUTES,
            )
            _hold_alert(row=address, scope="every account from one address")
        if not (newly_locked or account_held):
            _spread_failures_alert(username=key, now=now, window=window)
    bucket.held = any(row.locked_until is not None and row.locked_until > now for row in (address, account))
    return bucket


def signin_failure_record_or_raise(
    *, request, username: str, user=None, kind: str, what: str, field: str | None = "code"
) -> SignInLockout:
    """Count one failed attempt (signin_failure_record); if that locked this browser out, refuse with the
    lockout message, on `field`. Otherwise return the browser's row, and the caller refuses with its own
    message."""
    bucket = signin_failure_record(request=request, username=username, user=user, kind=kind, what=what)
    if bucket.locked_until and bucket.locked_until > timezone.now():
        raise ApplicationError(lockout_message(bucket.locked_until), field=field)
    return bucket


def _spread_failures_alert(*, username: str, now: datetime, window: timedelta) -> None:
    """Per-address counts do not stop guesses spread over many addresses: alert when one account name
    collects LOCKOUT_SPREAD_ALERT failures within the window, whatever the addresses (once a window)."""
    total = (
        # The all-browsers row of each address holds that address's failures for the name.
        SignInLockout.objects.filter(
            username=username, device=ALL_BROWSERS, last_failure_at__gt=now - window
        ).aggregate(total=Sum("failures"))["total"]
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
    local = timezone.localtime(bucket.last_failure_at)
    notification_send(
        recipients=list(_alert_recipients()),
        kind="signin_lockout",
        message=(
            f"Sign-in was locked after {bucket.failures} failed attempts at {local:%d %b %Y %H:%M}. "
            "An auditor can see the failed attempts in the access log."
        ),
        event_key=f"signin_lockout:{bucket.pk}:{int(bucket.locked_until.timestamp())}",
    )


def _hold_alert(*, row: SignInLockout, scope: str) -> None:
    local = timezone.localtime(row.last_failure_at)
    notification_send(
        recipients=list(_alert_recipients()),
        kind="signin_hold",
        message=(
            f"After {row.failures} failed sign-in attempts by {local:%d %b %Y %H:%M}, signing in to {scope} "
            f"needs the password and the second factor together for {settings.LOCKOUT_MINUTES} minutes. "
            "An auditor can see the failed attempts in the access log."
        ),
        event_key=f"signin_hold:{row.pk}:{int(row.locked_until.timestamp())}",
    )


def signin_failures_clear(*, username: str, ip_address: str | None, device: str = "") -> None:
    """Forget this browser's failures for the account name after a complete two-factor sign-in.

    The holds stay until they expire: the real user proving both factors says nothing about whoever
    else is guessing from the same address."""
    SignInLockout.objects.filter(username=lockout_key(username), ip_address=ip_address, device=device).delete()


def _release(rows, *, by) -> int:
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


@transaction.atomic
def lockout_release(*, username: str, ip_address: str | None = None, by=None) -> int:
    """Release the locks and holds on an account name (from one address, or all). Returns how many rows."""
    rows = SignInLockout.objects.select_for_update().filter(
        username=lockout_key(username), locked_until__gt=timezone.now()
    )
    if ip_address:
        rows = rows.filter(ip_address=ip_address)
    return _release(rows, by=by)


@transaction.atomic
def address_hold_release(*, ip_address: str, by=None) -> int:
    """Release the hold on every account name from one address (LOCKOUT_ADDRESS_BUDGET)."""
    rows = SignInLockout.objects.select_for_update().filter(
        username=ADDRESS_ROW, ip_address=ip_address, locked_until__gt=timezone.now()
    )
    return _release(rows, by=by)


@transaction.atomic
def lockout_rows_release(*, row_ids, by=None) -> int:
    """Release the chosen rows of the lockout table (the admin's action): locks, holds and address holds,
    whatever the row stands for (a hashed name cannot be released by its stored key)."""
    rows = SignInLockout.objects.select_for_update().filter(pk__in=list(row_ids), locked_until__gt=timezone.now())
    return _release(rows, by=by)


def signin_lock_check(*, request, username: str) -> None:
    """Raise ApplicationError (with the lockout message) while this browser is locked out of the account name."""
    until = _locked_until(
        username=_key(request=request, username=username),
        ip_address=client_ip(request),
        device=signin_browser_id(request=request),
    )
    if until is not None:
        raise ApplicationError(lockout_message(until), field="code")

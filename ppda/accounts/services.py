"""Sign-in rules: two factors, hashed backup codes, lockouts per account+address, and session control.

Views call these; nothing here renders. Every failure is written to the access log, every success that
changes credentials ends the user's other sessions.
"""

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.sessions.backends.db import SessionStore as DBSessionStore
from django.core import signing
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from ppda.audit import access_record
from ppda.models import AccessLog, BackupCode, EnrolmentPermit, SignInLockout, UserSession
from ppda.notifications import notification_send
from ppda.roles import Role

from .addresses import client_ip

SIGNED_IN_AT_SESSION_KEY = "ppda_signed_in_at"
ENROLMENT_CLOSED_MESSAGE = (
    "The time to set up two-factor authentication for this account has ended. "
    "Ask an administrator to reset your two-factor authentication, then sign in again."
)
# Unambiguous characters only (no 0/o, 1/l/i): codes are copied from paper.
BACKUP_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
BACKUP_CODE_LENGTH = 12
_BACKUP_CODE_RE = re.compile(rf"^[{BACKUP_CODE_ALPHABET}]{{{BACKUP_CODE_LENGTH}}}$")
_TOTP_RE = re.compile(r"^\d{6}$")
_DEVICE_SALT = "ppda.accounts.signin-device"


class SignInError(Exception):
    """A refused credential. `field` names the form field the message belongs to."""

    def __init__(self, message: str, *, field: str = "code"):
        super().__init__(message)
        self.message = message
        self.field = field


# --- addresses and safe redirects -------------------------------------------------------------


def next_url_safe(*, request, url: str | None) -> str | None:
    """`url` if it is a path on this site (never another host or scheme), else None."""
    # A local path only: redirect() would try a bare word ("home", "a b") as a view name and fail with a 500.
    if (
        url
        and url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    ):
        return url
    return None


# --- backup codes -----------------------------------------------------------------------------


class _BackupCodeHasher(PBKDF2PasswordHasher):
    """PBKDF2 with its own work factor: ten codes are hashed in one request, so Argon2's 0.2 s each is
    too slow, but a plain digest would let a stolen table be brute-forced (the lookup prefix is stored)."""

    algorithm = "pbkdf2_sha256_backup"

    def __init__(self):
        self.iterations = settings.BACKUP_CODE_HASH_ITERATIONS


def backup_code_normalise(code: str) -> str:
    """What the user typed, without spaces or hyphens, lower case."""
    return re.sub(r"[\s-]", "", code or "").lower()


def backup_code_format(code: str) -> str:
    """Group a code in fours for reading: abcd-efgh-jkmn."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


@transaction.atomic
def backup_codes_generate(*, user) -> list[str]:
    """Replace the user's backup codes with fresh ones and return them, formatted, to show once.

    Only a salted, slow hash (PBKDF2) of each code is stored; the codes cannot be shown again.
    """
    now = timezone.now()
    BackupCode.objects.filter(user=user).delete()
    codes = []
    lookups = set()
    while len(codes) < settings.BACKUP_CODE_COUNT:
        code = "".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(BACKUP_CODE_LENGTH))
        if code[:4] in lookups:
            continue  # keep the lookup unique per user so a check hashes one candidate
        lookups.add(code[:4])
        codes.append(code)
    hasher = _BackupCodeHasher()
    BackupCode.objects.bulk_create(
        BackupCode(user=user, lookup=code[:4], code_hash=hasher.encode(code, hasher.salt()), created_at=now)
        for code in codes
    )
    return [backup_code_format(code) for code in codes]


def backup_code_use(*, user, code: str) -> bool:
    """Spend one unused backup code. A code works once: the claim is a conditional update."""
    code = backup_code_normalise(code)
    if not _BACKUP_CODE_RE.match(code):
        return False
    hasher = _BackupCodeHasher()
    for candidate in BackupCode.objects.filter(user=user, lookup=code[:4], used_at__isnull=True):
        if hasher.verify(code, candidate.code_hash):
            claimed = BackupCode.objects.filter(pk=candidate.pk, used_at__isnull=True).update(used_at=timezone.now())
            return claimed == 1
    return False


def backup_codes_remaining(*, user) -> int:
    """How many unused backup codes the user has."""
    return BackupCode.objects.filter(user=user, used_at__isnull=True).count()


# --- lockout ----------------------------------------------------------------------------------


def username_normalise(username: str) -> str:
    return (username or "").strip().lower()[:150]


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
            username=username_normalise(username),
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
            username=username_normalise(username),
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
    SignInLockout.objects.filter(username=username_normalise(username), ip_address=ip_address, device=device).delete()


@transaction.atomic
def lockout_release(*, username: str, ip_address: str | None = None, by=None) -> int:
    """Release the locks on an account name (from one address, or all). Returns how many were released."""
    rows = SignInLockout.objects.select_for_update().filter(
        username=username_normalise(username), locked_until__gt=timezone.now()
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
    """Raise SignInError (with the lockout message) while this account name is locked from this address."""
    until = lockout_until(
        username=username,
        ip_address=client_ip(request),
        device=signin_device_id(request=request, username=username),
    )
    if until is not None:
        raise SignInError(lockout_message(until))


# --- sessions ---------------------------------------------------------------------------------


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
    """Sign out here and everywhere else, and log it."""
    user = request.user
    if user.is_authenticated:
        access_record(request=request, user=user, action=AccessLog.Action.LOGOUT, what="signed out")
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


# --- second factor ----------------------------------------------------------------------------


def totp_device_confirmed(*, user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def enrolment_allowed(*, user) -> bool:
    """May this account set up an authenticator now?

    Only within ENROLMENT_WINDOW_DAYS of the account's creation or of a permit (issued when an
    administrator or the user resets two-factor). Later, a stolen password alone must not be enough
    to bind the thief's authenticator to a dormant account.
    """
    now = timezone.now()
    permit = EnrolmentPermit.objects.filter(user=user).first()
    if permit is not None:
        return permit.expires_at > now
    return user.date_joined > now - timedelta(days=settings.ENROLMENT_WINDOW_DAYS)


def enrolment_permit_issue(*, user, by=None) -> EnrolmentPermit:
    """Open (or reopen) the window in which the user may set up a new authenticator."""
    now = timezone.now()
    permit, _ = EnrolmentPermit.objects.update_or_create(
        user=user,
        defaults={
            "issued_at": now,
            "expires_at": now + timedelta(days=settings.ENROLMENT_WINDOW_DAYS),
            "issued_by": by,
        },
    )
    return permit


def totp_device_pending(*, user) -> TOTPDevice:
    """The user's unconfirmed authenticator, created on first use of the enrolment page."""
    if not enrolment_allowed(user=user):
        raise SignInError(ENROLMENT_CLOSED_MESSAGE)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def totp_secret_display(*, device) -> str:
    """The device key in base32, grouped in fours, for typing into an app that cannot scan."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def _totp_check(*, device_pk: int, token: str) -> tuple[bool, str]:
    """Check a code under a row lock, so concurrent guesses cannot slip past the device's throttle."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device_pk)
        allowed, data = device.verify_is_allowed()
        if not allowed:
            return False, _throttle_message(locked_until=(data or {}).get("locked_until"))
        if device.verify_token(token):
            return True, ""
    return False, "The security code is not correct. Check your authenticator app and try again."


def _throttle_message(*, locked_until: datetime | None) -> str:
    """The device doubles its wait after each wrong code: say how long, in words that stay true."""
    wait = (locked_until - timezone.now()).total_seconds() if locked_until else 0
    if wait <= 60:
        return "You entered too many wrong codes. Wait a minute, then try again."
    local = timezone.localtime(locked_until)
    return f"You entered too many wrong codes. Try again after {local:%H:%M} (UK time)."


@dataclass
class SecondFactor:
    device: TOTPDevice
    backup_code_used: bool


def second_factor_check(*, request, user, code: str, allow_backup: bool = True) -> SecondFactor:
    """Accept a current authenticator code or, if allowed, an unused backup code; refuse anything else.

    Refused outright while the account+address is locked. Each wrong code counts towards the lockout,
    is logged as OTP_FAILED, and (for authenticator codes) increases the device's own throttle.
    """
    signin_lock_check(request=request, username=user.get_username())
    device = totp_device_confirmed(user=user)
    if device is None:
        raise SignInError("Set up your authenticator app first.")
    raw = (code or "").strip().replace(" ", "")
    if _TOTP_RE.match(raw):
        ok, message = _totp_check(device_pk=device.pk, token=raw)
        if ok:
            return SecondFactor(device=device, backup_code_used=False)
        what = "authenticator code"
    elif allow_backup and _BACKUP_CODE_RE.match(backup_code_normalise(code)):
        if backup_code_use(user=user, code=code):
            return SecondFactor(device=device, backup_code_used=True)
        message = "That backup code is not correct or has already been used."
        what = "backup code"
    else:
        hint = " or a 12-character backup code" if allow_backup else ""
        raise SignInError(f"Enter the 6-digit code from your authenticator app{hint}.")
    bucket = signin_failure_record(
        request=request, username=user.get_username(), user=user, kind=AccessLog.Action.OTP_FAILED, what=what
    )
    if bucket.locked_until and bucket.locked_until > timezone.now():
        raise SignInError(lockout_message(bucket.locked_until))
    raise SignInError(message)


def _signin_complete(*, request, user, device) -> None:
    otp_login(request, device)
    # django_otp.login does not rotate the session key (PITFALLS.md): do it here.
    session_key_rotate(request=request)
    signin_failures_clear(
        username=user.get_username(),
        ip_address=client_ip(request),
        device=signin_device_id(request=request, username=user.get_username()),
    )
    access_record(request=request, user=user, action=AccessLog.Action.LOGIN, what="signed in with two factors")


def password_failure_record(*, request, username: str) -> None:
    """Count a wrong password (or unknown account name); raise SignInError if that locked the pair."""
    account = get_user_model().objects.filter(username=username).first()
    bucket = signin_failure_record(
        request=request, username=username, user=account, kind=AccessLog.Action.LOGIN_FAILED, what="password"
    )
    if bucket.locked_until and bucket.locked_until > timezone.now():
        raise SignInError(lockout_message(bucket.locked_until), field="__all__")


def otp_verify(*, request, code: str) -> SecondFactor:
    """The second sign-in step: check the code (or a backup code), then mark the session verified."""
    factor = second_factor_check(request=request, user=request.user, code=code)
    _signin_complete(request=request, user=request.user, device=factor.device)
    return factor


def otp_enrol_confirm(*, request, code: str) -> list[str]:
    """Confirm the pending authenticator with its first code, finish sign-in, and issue backup codes.

    Any other authenticator the user had is removed and their other sessions end (a device change).
    Returns the new backup codes, to be shown once.
    """
    user = request.user
    signin_lock_check(request=request, username=user.get_username())
    device = totp_device_pending(user=user)
    raw = (code or "").strip().replace(" ", "")
    if not _TOTP_RE.match(raw):
        raise SignInError("Enter the 6-digit code from your authenticator app.")
    ok, message = _totp_check(device_pk=device.pk, token=raw)
    if not ok:
        bucket = signin_failure_record(
            request=request,
            username=user.get_username(),
            user=user,
            kind=AccessLog.Action.OTP_FAILED,
            what="authenticator code (set-up)",
        )
        if bucket.locked_until and bucket.locked_until > timezone.now():
            raise SignInError(lockout_message(bucket.locked_until))
        raise SignInError(message)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        EnrolmentPermit.objects.filter(user=user).delete()
        device.confirmed = True
        codes = backup_codes_generate(user=user)
        _signin_complete(request=request, user=user, device=device)
        user_sessions_end(user=user, keep_session_key=request.session.session_key)
        access_record(request=request, user=user, action=AccessLog.Action.CHANGE, obj=user, what="authenticator set up")
    return codes


def backup_codes_regenerate(*, request, code: str) -> list[str]:
    """New backup codes for a signed-in user who proves the second factor again with an authenticator code."""
    second_factor_check(request=request, user=request.user, code=code, allow_backup=False)
    with transaction.atomic():
        codes = backup_codes_generate(user=request.user)
        access_record(
            request=request,
            user=request.user,
            action=AccessLog.Action.CHANGE,
            obj=request.user,
            what="backup codes replaced",
        )
    return codes


def authenticator_reset(*, request, code: str) -> None:
    """Remove the user's authenticator after they prove the second factor (code or backup code).

    Their other sessions end and this session drops back to password-only, so the next page is set-up.
    """
    user = request.user
    second_factor_check(request=request, user=user, code=code)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        enrolment_permit_issue(user=user, by=user)
        user_sessions_end(user=user, keep_session_key=request.session.session_key)
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        session_key_rotate(request=request)
        access_record(request=request, user=user, action=AccessLog.Action.CHANGE, obj=user, what="authenticator reset")


def password_change(*, request, current_password: str, code: str, new_password: str) -> None:
    """Change the password after the current password and a second-factor code are both proved.

    The new password has passed Django's validators in the form. Other sessions end; this one keeps
    going under a new key.
    """
    user = request.user
    signin_lock_check(request=request, username=user.get_username())
    if not user.check_password(current_password):
        bucket = signin_failure_record(
            request=request,
            username=user.get_username(),
            user=user,
            kind=AccessLog.Action.LOGIN_FAILED,
            what="password (change page)",
        )
        if bucket.locked_until and bucket.locked_until > timezone.now():
            raise SignInError(lockout_message(bucket.locked_until), field="current_password")
        raise SignInError("Your current password is not correct.", field="current_password")
    second_factor_check(request=request, user=user, code=code)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        old_key = request.session.session_key
        # Keeps this session signed in (Django cycles the key inside); follow the new key.
        update_session_auth_hash(request, user)
        UserSession.objects.filter(session_key=old_key).update(session_key=request.session.session_key)
        user_sessions_end(user=user, keep_session_key=request.session.session_key)
        access_record(request=request, user=user, action=AccessLog.Action.CHANGE, obj=user, what="password changed")


@transaction.atomic
def second_factor_reset_by_admin(*, user, by, request=None) -> None:
    """An administrator removes a user's authenticator and backup codes (lost phone and codes).

    The user's sessions all end; at the next sign-in they set up a new authenticator.
    """
    TOTPDevice.objects.filter(user=user).delete()
    BackupCode.objects.filter(user=user).delete()
    enrolment_permit_issue(user=user, by=by)
    user_sessions_end(user=user)
    access_record(request=request, user=by, action=AccessLog.Action.CHANGE, obj=user, what="two-factor reset by admin")


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

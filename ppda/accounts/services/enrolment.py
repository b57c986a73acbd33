"""Enrolment: setting up, replacing and resetting the second factor (authenticator and backup codes).

An authenticator may be set up only within the enrolment window; each change proves the second factor
again (or is made by an administrator) and ends the user's other sessions.
"""

import base64
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from ppda.audit import access_record
from ppda.errors import ApplicationError
from ppda.models import AccessLog, BackupCode, EnrolmentPermit

from .backup_codes import backup_codes_generate
from .lockout import signin_failure_record_or_raise, signin_lock_check
from .sessions import session_key_rotate, user_sessions_end
from .signin import _TOTP_RE, _signin_complete, _totp_check, second_factor_check

ENROLMENT_CLOSED_MESSAGE = (
    "The time to set up two-factor authentication for this account has ended. "
    "Ask an administrator to reset your two-factor authentication, then sign in again."
)


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
        raise ApplicationError(ENROLMENT_CLOSED_MESSAGE, field="code")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def totp_secret_display(*, device) -> str:
    """The device key in base32, grouped in fours, for typing into an app that cannot scan."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


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
        raise ApplicationError("Enter the 6-digit code from your authenticator app.", field="code")
    ok, message = _totp_check(device_pk=device.pk, token=raw)
    if not ok:
        signin_failure_record_or_raise(
            request=request,
            username=user.get_username(),
            user=user,
            kind=AccessLog.Action.OTP_FAILED,
            what="authenticator code (set-up)",
        )
        raise ApplicationError(message, field="code")
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


def security_keys_of(*, user) -> list:
    """The user's confirmed passkeys and security keys, newest first."""
    from django_otp_webauthn.models import WebAuthnCredential

    return list(WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("-created_at"))


def security_key_remove(*, request, key_id: int) -> None:
    """Remove one of the user's own keys: logged, and the user's other sessions end (a credential changed)."""
    from django_otp_webauthn.models import WebAuthnCredential

    from .sessions import user_sessions_end

    with transaction.atomic():
        deleted, _ = WebAuthnCredential.objects.filter(user=request.user, pk=key_id).delete()
        if not deleted:
            raise ApplicationError("No such security key.")
        user_sessions_end(user=request.user, keep_session_key=request.session.session_key)
        access_record(request=request, user=request.user, action=AccessLog.Action.CHANGE, what="security key removed")

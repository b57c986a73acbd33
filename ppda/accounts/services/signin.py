"""Sign-in: the password step's failures, the second factor (authenticator or backup code), safe redirects,
and the password change that proves both factors again.

Every refusal is an ApplicationError whose `field` names the form field it belongs to; every wrong
credential counts towards the lockout (lockout.signin_failure_record_or_raise).
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, update_session_auth_hash
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from ppda.audit import access_record
from ppda.errors import ApplicationError
from ppda.models import AccessLog, UserSession

from ..addresses import client_ip
from .backup_codes import _BACKUP_CODE_RE, backup_code_normalise, backup_code_use
from .lockout import (
    HOLD_MESSAGE,
    signin_browser_id,
    signin_failure_record_or_raise,
    signin_failures_clear,
    signin_lock_check,
)
from .sessions import session_key_rotate, user_sessions_end

_TOTP_RE = re.compile(r"^\d{6}$")


def totp_device_confirmed(*, user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


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
        raise ApplicationError("Set up your authenticator app first.", field="code")
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
        raise ApplicationError(f"Enter the 6-digit code from your authenticator app{hint}.", field="code")
    signin_failure_record_or_raise(
        request=request, username=user.get_username(), user=user, kind=AccessLog.Action.OTP_FAILED, what=what
    )
    raise ApplicationError(message, field="code")


def _signin_complete(*, request, user, device) -> None:
    otp_login(request, device)
    # django_otp.login does not rotate the session key (PITFALLS.md): do it here.
    session_key_rotate(request=request)
    signin_failures_clear(
        username=user.get_username(),
        ip_address=client_ip(request),
        device=signin_browser_id(request=request),
    )
    access_record(request=request, user=user, action=AccessLog.Action.LOGIN, what="signed in with two factors")


def password_signin_allowed(*, username: str) -> bool:
    """Passwords work for everyone, or (PASSWORD_SIGNIN_ENABLED=false) for the listed break-glass accounts only."""
    return settings.PASSWORD_SIGNIN_ENABLED or username in settings.PASSWORD_SIGNIN_BREAK_GLASS


def password_failure_record(*, request, username: str) -> None:
    """Count a wrong password (or unknown account name); raise ApplicationError if that locked this browser
    out, or (HOLD_MESSAGE) if it started a hold, so the form asks for the second factor at once."""
    account = get_user_model().objects.filter(username=username).first()
    bucket = signin_failure_record_or_raise(
        request=request,
        username=username,
        user=account,
        kind=AccessLog.Action.LOGIN_FAILED,
        what="password",
        field=None,  # the whole form
    )
    if bucket.held:
        raise ApplicationError(HOLD_MESSAGE, field="code")


HELD_REFUSAL = "Enter a correct username, password and security code."


def held_signin_check(*, request, username: str, password: str, code: str):
    """Sign-in while held (lockout.signin_held): the password and the second factor on one page.

    Refuses with one message whatever was wrong, so a guesser learns nothing from a right password; the
    code is only checked after the right password, so nobody without it can run up the real user's device
    throttle. Wrong attempts count as usual; a lock of this browser is said as such (field None).
    Returns (user, SecondFactor); the caller signs the user in, then calls signin_complete.
    """
    if not code:
        # Nothing is checked, so nothing is learnt: the form asks for the code.
        raise ApplicationError(HOLD_MESSAGE, field="code")
    raw = code.strip().replace(" ", "")
    if not (_TOTP_RE.match(raw) or _BACKUP_CODE_RE.match(backup_code_normalise(code))):
        # Refused before the password is checked: every attempt that is checked counts the same, so the
        # moment a lock starts cannot tell a right password from a wrong one.
        raise ApplicationError("Enter the 6-digit code from your authenticator app, or a backup code.", field="code")
    user = authenticate(request, username=username, password=password)
    if user is None or totp_device_confirmed(user=user) is None:
        account = get_user_model().objects.filter(username=username).first()
        signin_failure_record_or_raise(
            request=request,
            username=username,
            user=account,
            kind=AccessLog.Action.LOGIN_FAILED,
            what="password (held sign-in)",
            field=None,
        )
        raise ApplicationError(HELD_REFUSAL, field="code")
    try:
        factor = second_factor_check(request=request, user=user, code=code)
    except ApplicationError:
        # Its own messages ("the code is not correct") would say the password was right.
        try:
            signin_lock_check(request=request, username=username)
        except ApplicationError as locked:
            raise ApplicationError(locked.message) from None
        raise ApplicationError(HELD_REFUSAL, field="code") from None
    return user, factor


def signin_complete(*, request, factor: SecondFactor) -> None:
    """Mark the signed-in session verified with this second factor (after held_signin_check and Django's login)."""
    _signin_complete(request=request, user=request.user, device=factor.device)


def otp_verify(*, request, code: str) -> SecondFactor:
    """The second sign-in step: check the code (or a backup code), then mark the session verified."""
    factor = second_factor_check(request=request, user=request.user, code=code)
    _signin_complete(request=request, user=request.user, device=factor.device)
    return factor


def password_change(*, request, current_password: str, code: str, new_password: str) -> None:
    """Change the password after the current password and a second-factor code are both proved.

    The new password has passed Django's validators in the form. Other sessions end; this one keeps
    going under a new key.
    """
    user = request.user
    signin_lock_check(request=request, username=user.get_username())
    if not user.check_password(current_password):
        signin_failure_record_or_raise(
            request=request,
            username=user.get_username(),
            user=user,
            kind=AccessLog.Action.LOGIN_FAILED,
            what="password (change page)",
            field="current_password",
        )
        raise ApplicationError("Your current password is not correct.", field="current_password")
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

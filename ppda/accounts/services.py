"""Second-factor enrolment and verification."""

from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_device_pending(*, user) -> TOTPDevice:
    """The user's unconfirmed authenticator, created on first use of the enrolment page."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def otp_verify(*, request, device, token: str) -> tuple[bool, str]:
    """Check a code against a device, respecting the device's throttle. Rotates the session on success."""
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return False, "Too many wrong codes. Wait a little and try again."
    if not device.verify_token(token):
        return False, "The security code is not correct. Check your app and try again."
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    otp_login(request, device)
    # django_otp.login does not rotate the session key (PITFALLS.md).
    request.session.cycle_key()
    return True, ""

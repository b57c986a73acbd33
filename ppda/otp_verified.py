"""django-otp's OTPMiddleware, deciding "verified" from the user query instead of a device query.

The session names the device that verified it (DEVICE_ID_SESSION_KEY). django-otp loads that device on
every request to check that it still exists, is confirmed and belongs to the user. The user query
(ppda/accounts/backends.py) already reads the ids of the user's confirmed authenticators
(TOTP_CONFIRMED; WEBAUTHN_CONFIRMED for passkeys and security keys), so the same check needs no query
of its own: a deleted, unconfirmed or other user's device leaves the request unverified, and its id is
dropped from the session, as django-otp does.
The device row itself is loaded only if something reads request.user.otp_device.

A session whose second factor was the force's identity provider (its ID token said MFA was done:
ppda.accounts.services.sso) carries the user's id under IDP_MFA_SESSION_KEY; it is verified for that user only,
with IDP_FACTOR standing for the device.

Anything else (a user loaded another way, another device type) goes through django-otp unchanged.
"""

import functools

from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware as DjangoOTPMiddleware
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from ppda.accounts.backends import TOTP_CONFIRMED, WEBAUTHN_CONFIRMED
from ppda.accounts.services.sso import IDP_MFA_SESSION_KEY


class _IdentityProviderFactor:
    """Stands for the device when the force's identity provider did the second factor."""

    persistent_id = "ppda.idp_mfa"
    name = "the force's identity provider"
    confirmed = True

    def __repr__(self):
        return "<IdentityProviderFactor>"


IDP_FACTOR = _IdentityProviderFactor()


def _device_pk(persistent_id: str | None, model) -> int | None:
    label, _, pk = (persistent_id or "").rpartition("/")
    if label != model.model_label() or not pk.isdigit():
        return None
    return int(pk)


def totp_device_pk(persistent_id: str | None) -> int | None:
    """The primary key in a TOTP device's persistent id ("otp_totp.totpdevice/42"), or None."""
    return _device_pk(persistent_id, TOTPDevice)


# The device kinds whose confirmed ids the user query reads: (model, the user attribute holding the ids).
_FROM_USER_QUERY = ((TOTPDevice, TOTP_CONFIRMED), (WebAuthnCredential, WEBAUTHN_CONFIRMED))


class OTPMiddleware(DjangoOTPMiddleware):
    def _verify_user_sync(self, request, user):
        if user.is_authenticated and IDP_MFA_SESSION_KEY in request.session:
            self._init_user_fields(user)
            if request.session[IDP_MFA_SESSION_KEY] == user.pk:
                user.otp_device = IDP_FACTOR
            else:
                del request.session[IDP_MFA_SESSION_KEY]
            return user
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY) if user.is_authenticated else None
        for model, attribute in _FROM_USER_QUERY:
            confirmed = getattr(user, attribute, None)
            pk = _device_pk(persistent_id, model)
            if confirmed is None or pk is None:
                continue
            self._init_user_fields(user)
            if pk in confirmed:
                user.otp_device = SimpleLazyObject(functools.partial(model.objects.get, pk=pk, user_id=user.pk))
            else:
                del request.session[DEVICE_ID_SESSION_KEY]
            return user
        return super()._verify_user_sync(request, user)

"""Passkeys and security keys (WebAuthn) as a second factor, through django-otp-webauthn, with ppda's rules.

The library does the ceremonies (challenge kept in the session for one use, origin and relying-party checks,
signature counter) and its credential is a django-otp device. Tightened here:
- **Registration** only from a session that already passed a second factor (TOTP, a key, or the IdP's MFA):
  the library would let a password-only session of an account with no device register one, which would get
  round the enrolment window (services.enrolment). Registration never marks the session verified.
- **Assertion** is the second sign-in step: refused while the account+address is locked, a failure counts
  towards the lockout, and success finishes the sign-in as a code does (key rotation, access log).
- **No passwordless sign-in** (OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False): a key never replaces the first factor.
"""

from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import exceptions
from django_otp_webauthn import views as library

from ppda.access import next_url_safe
from ppda.audit import access_record
from ppda.errors import ApplicationError
from ppda.models import AccessLog

from .services.lockout import signin_failure_record_or_raise, signin_lock_check
from .services.signin import _signin_complete


class _Locked(exceptions.OTPWebAuthnApiError):
    status_code = 403
    code = "locked"


class _MustBeVerified:
    def check_can_register(self):
        if not self.request.user.is_verified():
            raise exceptions.NotVerified(detail="Sign in with your second factor before you add a security key.")


class RegistrationBegin(_MustBeVerified, library.BeginCredentialRegistrationView):
    pass


class RegistrationComplete(_MustBeVerified, library.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            access_record(
                request=self.request,
                user=self.request.user,
                action=AccessLog.Action.CHANGE,
                what="security key added",
            )
        return response


class _SecondStepOnly:
    """A key is the second step of a signed-in (password-only) session, refused while the account is locked."""

    def check_can_authenticate(self):
        if not self.request.user.is_authenticated:
            raise exceptions.PasswordlessLoginDisabled()
        try:
            signin_lock_check(request=self.request, username=self.request.user.get_username())
        except ApplicationError as error:
            raise _Locked(detail=error.message) from None
        super().check_can_authenticate()


class AuthenticationBegin(_SecondStepOnly, library.BeginCredentialAuthenticationView):
    pass


class AuthenticationComplete(_SecondStepOnly, library.CompleteCredentialAuthenticationView):
    def post(self, *args, **kwargs):
        try:
            return super().post(*args, **kwargs)
        except exceptions.OTPWebAuthnApiError as error:
            if isinstance(error, _Locked):
                raise
            try:
                signin_failure_record_or_raise(
                    request=self.request,
                    username=self.request.user.get_username(),
                    user=self.request.user,
                    kind=AccessLog.Action.OTP_FAILED,
                    what="security key",
                )
            except ApplicationError as locked:
                raise _Locked(detail=locked.message) from None
            raise

    def check_device_usable(self, device):
        super().check_device_usable(device)
        if device.user_id != self.request.user.pk:
            raise exceptions.CredentialNotFound()

    def complete_auth(self, device):
        _signin_complete(request=self.request, user=self.request.user, device=device)

    def get_redirect_url(self):
        return next_url_safe(request=self.request, url=self.request.GET.get("next")) or ""


# Under the library's namespace: its JavaScript finds these URLs by their names there.
app_name = "otp_webauthn"
urlpatterns = [
    path("registration/begin/", RegistrationBegin.as_view(), name="credential-registration-begin"),
    path("registration/complete/", RegistrationComplete.as_view(), name="credential-registration-complete"),
    path("authentication/begin/", AuthenticationBegin.as_view(), name="credential-authentication-begin"),
    path("authentication/complete/", AuthenticationComplete.as_view(), name="credential-authentication-complete"),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]), name="js-i18n-catalog"),
]

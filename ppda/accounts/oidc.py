"""OpenID Connect sign-in through mozilla-django-oidc, tightened where its defaults are loose.

mozilla-django-oidc runs the authorization-code flow (with PKCE), keeps state and nonce in the session (one use
each: a replayed state is refused), fetches the token, finds the signing key in the provider's JWKS and checks the
signature, algorithm and nonce. It does not check the issuer or the audience, and an expired token would raise an
error it does not catch: `_verify_jws` below has PyJWT check signature, expiry, issuer and audience together and
turns every failure into SuspiciousOperation. Who the person is, and what their token's MFA means, is decided by
ppda.accounts.services.sso.

The backend is always listed in AUTHENTICATION_BACKENDS but does nothing unless single sign-on is configured and
the call comes from the callback (with a nonce): a password sign-in never reaches the provider.
"""

import logging
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from ppda.access import next_url_safe

from . import services
from .services.sso import SSORefused

logger = logging.getLogger(__name__)

# The session's user is loaded by our own backend (the annotated user lookup), whichever way they signed in.
_SESSION_BACKEND = "ppda.accounts.backends.ModelBackendWithNotifications"
# Clock skew allowed between the provider and us when checking exp/iat/nbf.
_LEEWAY_SECONDS = 60


class StaffOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        if settings.OIDC_ENABLED:
            super().__init__(*args, **kwargs)

    def authenticate(self, request, **kwargs):
        if not settings.OIDC_ENABLED or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def _verify_jws(self, payload, key):
        try:
            header = jwt.get_unverified_header(payload)
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation("The ID token is not a JWT.") from error
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("The ID token's algorithm is not the one configured.")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_ISSUER,
                leeway=_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.InvalidTokenError as error:
            # Bad signature, expired, not yet valid, wrong issuer or audience, missing claim.
            raise SuspiciousOperation(f"ID token refused: {type(error).__name__}") from error

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        audiences = payload.get("aud")
        if isinstance(audiences, list) and len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("ID token refused: issued to another party (azp).")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        """The matched account, or None with the refusal kept on the request for the callback page."""
        userinfo = self.get_userinfo(access_token, id_token, payload) if self.OIDC_OP_USER_ENDPOINT else {}
        if userinfo and userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The userinfo response is about another subject.")
        # Claims from the signed ID token win over userinfo; the MFA decision reads the ID token only.
        claims = {**userinfo, **payload}
        try:
            user = services.sso_user_match(claims=claims)
        except SSORefused as refusal:
            self.request.ppda_sso_refusal = refusal
            return None
        self.request.ppda_sso_mfa = services.idp_mfa_asserted(id_token_claims=payload)
        return user

    def get_user(self, user_id):
        return auth.load_backend(_SESSION_BACKEND).get_user(user_id)


def _refused(request, refusal: SSORefused, *, status: int = 403):
    services.sso_refusal_record(request=request, refusal=refusal)
    return render(request, "accounts/sso_refused.html", {"message": refusal.message}, status=status)


class SSOStartView(OIDCAuthenticationRequestView):
    """Off to the force's identity provider (state, nonce and PKCE verifier kept in the session)."""

    def get(self, request):
        response = super().get(request)
        # mozilla-django-oidc keeps `next` only if it is safe for this host; ours is stricter (a local path).
        request.session["oidc_login_next"] = next_url_safe(request=request, url=request.session.get("oidc_login_next"))
        return response


class SSOCallbackView(OIDCAuthenticationCallbackView):
    """Back from the provider: the library checks state, token and nonce; then ppda's rules (services.sso)."""

    def get(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation as error:
            # An unknown or replayed state, a bad signature, an expired token, a wrong nonce, issuer or audience.
            logger.warning("single sign-on token refused: %s", error)
            return _refused(request, SSORefused("token"), status=400)
        except requests.RequestException:
            logger.exception("single sign-on: the identity provider could not be reached")
            return _refused(request, SSORefused("provider_error"), status=502)

    def login_failure(self):
        refusal = getattr(self.request, "ppda_sso_refusal", None)
        if refusal is None:
            refusal = SSORefused("provider_error" if self.request.GET.get("error") else "token")
        return _refused(self.request, refusal, status=400 if refusal.reason == "token" else 403)

    def login_success(self):
        auth.login(self.request, self.user, backend=_SESSION_BACKEND)
        mfa = bool(getattr(self.request, "ppda_sso_mfa", False))
        services.sso_signin_complete(request=self.request, user=self.user, mfa=mfa)
        next_url = self.request.session.pop("oidc_login_next", None)
        if mfa:
            return redirect(next_url or "home")
        step = "accounts:otp_verify" if services.totp_device_confirmed(user=self.user) else "accounts:otp_enrol"
        url = reverse(step)
        return redirect(f"{url}?{urlencode({'next': next_url})}" if next_url else url)


def _sso_only(view):
    def wrapped(request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


sso_start_view = _sso_only(SSOStartView.as_view())
sso_callback_view = _sso_only(SSOCallbackView.as_view())

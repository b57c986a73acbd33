"""Deny by default: every page needs a password and a verified second factor, except an allow-list."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control

# URL names reachable before the second factor is verified.
OPEN_URL_NAMES = {
    "accounts:login",
    "accounts:logout",
    "accounts:sso_start",
    "accounts:sso_callback",
    "health",
    # The JSON intake API authenticates each sending system by its own token (cases/api.py), and its
    # OpenAPI description carries no case data.
    "api_case_intake",
    "api_openapi",
}
PASSWORD_ONLY_URL_NAMES = {
    "accounts:otp_verify",
    "accounts:otp_enrol",
    "accounts:otp_enrol_qr",
    # A security key as the second step (ppda/accounts/webauthn.py); registering one needs a verified session.
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
}


class RequireOTPMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(settings.STATIC_URL):
            return None
        match = request.resolver_match
        name = match.view_name if match else ""
        user = request.user
        if user.is_authenticated and _session_too_old(request):
            # However active, a session ends SESSION_MAX_HOURS after sign-in.
            logout(request)
            messages.info(request, "Your session has ended. Sign in again to continue.")
            return redirect_to_login(request.get_full_path())
        if name in OPEN_URL_NAMES:
            return None
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if user.is_verified():
            return None
        if name in PASSWORD_ONLY_URL_NAMES:
            return None
        from ppda.accounts.services import totp_device_confirmed

        step = "accounts:otp_verify" if totp_device_confirmed(user=user) else "accounts:otp_enrol"
        url = reverse(step)
        if request.method == "GET":
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        return redirect(url)


def _session_too_old(request) -> bool:
    from ppda.accounts.services import session_expired_absolute

    return session_expired_absolute(request=request)


class NoStoreMiddleware:
    """Every response to a signed-in user (fully or half signed in) says `Cache-Control: no-store`: pages hold
    personal data, and no browser history, back button or shared proxy may keep a copy (issue 17)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if signed_in or request.user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response

"""Deny by default: every page needs a password and a verified second factor, except an allow-list."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

# URL names reachable before the second factor is verified.
OPEN_URL_NAMES = {
    "accounts:login",
    "accounts:logout",
    "health",
    # The JSON intake API authenticates each sending system by its own token (cases/api.py), and its
    # OpenAPI description carries no case data.
    "api_case_intake",
    "api_openapi",
}
PASSWORD_ONLY_URL_NAMES = {"accounts:otp_verify", "accounts:otp_enrol", "accounts:otp_enrol_qr"}


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
        if name in OPEN_URL_NAMES:
            return None
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        if user.is_verified():
            return None
        if name in PASSWORD_ONLY_URL_NAMES:
            return None
        from django_otp import devices_for_user

        if any(True for _ in devices_for_user(user, confirmed=True)):
            return redirect("accounts:otp_verify")
        return redirect("accounts:otp_enrol")

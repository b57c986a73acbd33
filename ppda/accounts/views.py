"""Sign-in, second factor and account security pages. Thin: forms validate, services decide."""

from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ppda.access import next_url_safe
from ppda.errors import ApplicationError, apply_to_form
from ppda.models import UserSession

from . import services
from .forms import CodeForm, PasswordChangeForm, SignInForm


def _next(request) -> str | None:
    return next_url_safe(request=request, url=request.POST.get("next") or request.GET.get("next"))


def _with_next(url_name: str, next_url: str | None) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _with_browser_token(request, response):
    """Give a browser without a valid token its own (services.signin_browser_id): its failed sign-ins are
    then counted apart from every other browser's, whatever the address."""
    token = services.signin_browser_token_new(request=request)
    if token:
        response.set_cookie(
            settings.SIGNIN_DEVICE_COOKIE_NAME,
            token,
            max_age=settings.SIGNIN_DEVICE_DAYS * 24 * 3600,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


def _backup_code_warning(request) -> None:
    left = services.backup_codes_remaining(user=request.user)
    messages.warning(
        request,
        f"You signed in with a backup code. You have {left} left. "
        "Make new ones from your account security page if you are running out.",
    )


class LoginView(auth_views.LoginView):
    """Step one: username and password. Django's login rotates the session key here.

    While sign-in from here is held the form also takes the second factor, and signs in fully at once."""

    template_name = "accounts/login.html"
    form_class = SignInForm
    redirect_authenticated_user = False

    def dispatch(self, request, *args, **kwargs):
        return _with_browser_token(request, super().dispatch(request, *args, **kwargs))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = settings.OIDC_ENABLED
        context["sso_provider_name"] = settings.OIDC_PROVIDER_NAME
        context["password_signin_enabled"] = settings.PASSWORD_SIGNIN_ENABLED
        return context

    def form_valid(self, form):
        user = form.get_user()
        auth_login(self.request, user)
        services.user_session_record(request=self.request, user=user)
        if form.second_factor is not None:
            services.signin_complete(request=self.request, factor=form.second_factor)
            if form.second_factor.backup_code_used:
                _backup_code_warning(self.request)
            return redirect(_next(self.request) or "home")
        step = "accounts:otp_verify" if services.totp_device_confirmed(user=user) else "accounts:otp_enrol"
        return redirect(_with_next(step, _next(self.request)))


@method_decorator(never_cache, name="dispatch")
class LogoutView(auth_views.LogoutView):
    """Signing out ends this session, and every other session of the account when this one passed both factors."""

    http_method_names = ["post", "options"]

    def post(self, request, *args, **kwargs):
        services.user_logout(request=request)
        messages.success(request, "You have signed out.")
        return redirect("accounts:login")


@never_cache
def otp_verify_view(request):
    """Step two for an enrolled user: an authenticator code, or a backup code."""
    next_url = _next(request)
    if request.user.is_verified():
        return redirect(next_url or "home")
    if services.totp_device_confirmed(user=request.user) is None:
        return redirect(_with_next("accounts:otp_enrol", next_url))
    form = CodeForm(request.POST or None, allow_backup=True)
    if request.method == "POST" and form.is_valid():
        try:
            factor = services.otp_verify(request=request, code=form.cleaned_data["code"])
        except ApplicationError as error:
            apply_to_form(form, error)
        else:
            if factor.backup_code_used:
                _backup_code_warning(request)
            return _with_browser_token(request, redirect(next_url or "home"))
    return render(
        request,
        "accounts/otp_verify.html",
        {"form": form, "next": next_url or "", "security_keys": services.security_keys_of(user=request.user)},
    )


@never_cache
def otp_enrol_view(request):
    """Step two for a user without an authenticator: scan, confirm with a code, receive backup codes."""
    next_url = _next(request)
    if services.totp_device_confirmed(user=request.user) is not None:
        return redirect(_with_next("accounts:otp_verify", next_url))
    if not services.enrolment_allowed(user=request.user):
        return render(request, "accounts/otp_enrol_closed.html", {"message": services.ENROLMENT_CLOSED_MESSAGE})
    device = services.totp_device_pending(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.otp_enrol_confirm(request=request, code=form.cleaned_data["code"])
        except ApplicationError as error:
            apply_to_form(form, error)
        else:
            # Shown in this response only: the codes are never stored in a readable form.
            response = render(
                request,
                "accounts/backup_codes.html",
                {"codes": codes, "next": next_url or reverse("home"), "first_time": True},
            )
            return _with_browser_token(request, response)
    return render(
        request,
        "accounts/otp_enrol.html",
        {"form": form, "secret": services.totp_secret_display(device=device), "next": next_url or ""},
    )


@never_cache
def otp_enrol_qr_view(request):
    """The QR code of the pending authenticator (only while the user has none confirmed)."""
    if services.totp_device_confirmed(user=request.user) is not None or not services.enrolment_allowed(
        user=request.user
    ):
        raise Http404
    device = services.totp_device_pending(user=request.user)
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5, title="QR code for your authenticator app")
    return HttpResponse(svg, content_type="image/svg+xml")


@never_cache
def security_view(request):
    """The signed-in user's own account security: backup codes left, sessions, links to changes."""
    sessions = list(UserSession.objects.filter(user=request.user).order_by("-created_at")[:20])
    return render(
        request,
        "accounts/security.html",
        {
            "security_keys": services.security_keys_of(user=request.user),
            "backup_codes_left": services.backup_codes_remaining(user=request.user),
            "sessions": sessions,
            "current_session_key": request.session.session_key,
        },
    )


@require_POST
def security_key_remove_view(request, key_id: int):
    """Remove one of the user's own passkeys or security keys (404 for anyone else's)."""
    try:
        services.security_key_remove(request=request, key_id=key_id)
    except ApplicationError:
        raise Http404 from None
    messages.success(request, "The security key has been removed. Your other sessions have been signed out.")
    return redirect("accounts:security")


@require_POST
def sessions_end_others_view(request):
    """Sign out of every other session of this account."""
    ended = services.user_sessions_end(user=request.user, keep_session_key=request.session.session_key)
    messages.success(request, f"You signed out of {ended} other session{'s' if ended != 1 else ''}.")
    return redirect("accounts:security")


@never_cache
def password_change_view(request):
    form = PasswordChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                request=request,
                current_password=form.cleaned_data["current_password"],
                code=form.cleaned_data["code"],
                new_password=form.cleaned_data["new_password1"],
            )
        except ApplicationError as error:
            apply_to_form(form, error)
        else:
            messages.success(request, "Your password has been changed. Your other sessions have been signed out.")
            return redirect("accounts:security")
    return render(request, "accounts/password_change.html", {"form": form})


@never_cache
def backup_codes_regenerate_view(request):
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.backup_codes_regenerate(request=request, code=form.cleaned_data["code"])
        except ApplicationError as error:
            apply_to_form(form, error)
        else:
            return render(
                request,
                "accounts/backup_codes.html",
                {"codes": codes, "next": reverse("accounts:security"), "first_time": False},
            )
    return render(request, "accounts/backup_codes_regenerate.html", {"form": form})


@never_cache
def authenticator_reset_view(request):
    form = CodeForm(request.POST or None, allow_backup=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.authenticator_reset(request=request, code=form.cleaned_data["code"])
        except ApplicationError as error:
            apply_to_form(form, error)
        else:
            messages.success(request, "Your old authenticator has been removed. Set up your new one now.")
            return redirect("accounts:otp_enrol")
    return render(request, "accounts/authenticator_reset.html", {"form": form})

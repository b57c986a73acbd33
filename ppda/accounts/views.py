import segno
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django_otp import devices_for_user

from .forms import TokenForm
from .services import otp_verify, totp_device_pending


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = False


class LogoutView(auth_views.LogoutView):
    pass


@never_cache
def otp_verify_view(request):
    devices = list(devices_for_user(request.user, confirmed=True))
    if not devices:
        return redirect("accounts:otp_enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, message = otp_verify(request=request, device=devices[0], token=form.cleaned_data["token"])
        if ok:
            return redirect("home")
        form.add_error("token", message)
    return render(request, "accounts/otp_verify.html", {"form": form})


@never_cache
def otp_enrol_view(request):
    if any(True for _ in devices_for_user(request.user, confirmed=True)):
        return redirect("accounts:otp_verify")
    device = totp_device_pending(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, message = otp_verify(request=request, device=device, token=form.cleaned_data["token"])
        if ok:
            return redirect("home")
        form.add_error("token", message)
    return render(request, "accounts/otp_enrol.html", {"form": form, "secret": _b32(device)})


@never_cache
def otp_enrol_qr_view(request):
    device = totp_device_pending(user=request.user)
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5)
    return HttpResponse(svg, content_type="image/svg+xml")


def _b32(device) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")

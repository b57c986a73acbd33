"""Helpers for sign-in tests: real codes from a device, and the real two-step sign-in."""

import time

from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories.directory import TEST_PASSWORD


def totp_code(device: TOTPDevice) -> str:
    """The code the user's app shows right now (time_machine moves time.time too)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def device_of(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=True)


def password_step(client: Client, user, *, password: str = TEST_PASSWORD, ip: str = "10.0.0.1", next_url=None):
    data = {"username": user.username, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data, REMOTE_ADDR=ip)


def code_step(client: Client, code: str, *, ip: str = "10.0.0.1", next_url=None):
    data = {"code": code}
    if next_url is not None:
        data["next"] = next_url
    return client.post(reverse("accounts:otp_verify"), data, REMOTE_ADDR=ip)


def sign_in(client: Client, user, *, ip: str = "10.0.0.1", password: str = TEST_PASSWORD) -> Client:
    """Both factors through the real pages."""
    response = password_step(client, user, ip=ip, password=password)
    assert response.status_code == 302, response.content
    response = code_step(client, totp_code(device_of(user)), ip=ip)
    assert response.status_code == 302 and response.url == reverse("home"), response.content
    return client

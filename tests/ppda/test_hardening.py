"""Deployment hardening: check --deploy, production settings, security headers, cookies, admin, error pages."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.views.defaults import server_error

from tests.factories.directory import UserFactory

from .accounts_support import code_step, device_of, password_step, totp_code

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**extra) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ppda.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "ppda.example.test",
    }
    env.update(extra)
    return env


def _run(args, env):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_check_deploy_is_clean_under_production_settings():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({k: getattr(s, k) for k in [
    "DEBUG", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE", "X_FRAME_OPTIONS",
    "SECURE_CONTENT_TYPE_NOSNIFF", "SESSION_COOKIE_AGE", "SESSION_SAVE_EVERY_REQUEST",
    "SIGNIN_DEVICE_COOKIE_NAME", "CSRF_COOKIE_NAME", "SESSION_ENGINE", "SESSION_TOUCH_SECONDS"]}))
"""


def test_production_is_never_debug_and_sets_secure_cookies():
    result = _run(["-c", PRINT_SETTINGS], _production_env(DEBUG="true"))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax" and values["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert values["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert values["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert values["SIGNIN_DEVICE_COOKIE_NAME"].startswith("__Host-")
    assert values["X_FRAME_OPTIONS"] == "DENY" and values["SECURE_CONTENT_TYPE_NOSNIFF"]
    # Idle expiry without a write per request: the store stamps each save, active sessions are re-saved each minute.
    assert values["SESSION_COOKIE_AGE"] == 30 * 60 and not values["SESSION_SAVE_EVERY_REQUEST"]
    assert values["SESSION_ENGINE"] == "ppda.session_store" and values["SESSION_TOUCH_SECONDS"] == 60


@pytest.mark.parametrize(
    ("override", "message"),
    [({"SECRET_KEY": "short"}, "SECRET_KEY"), ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS")],
)
def test_production_refuses_to_start_with_unsafe_values(override, message):
    result = _run(["-c", PRINT_SETTINGS], _production_env(**override))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_csp_header_forbids_inline_script(client, db):  # the sign-in page reads whether its address is held
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_no_template_has_inline_script_or_style():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(f"{path.name}: {tag}")
        if re.search(r"\sstyle\s*=", text) or re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{path.name}: inline style or event handler")
    assert offenders == []


PRODUCTION_LIKE = {
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SECURE_SSL_REDIRECT": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SESSION_COOKIE_NAME": "__Host-sessionid",
    "CSRF_COOKIE_NAME": "__Host-csrftoken",
}


@pytest.mark.django_db
@override_settings(**PRODUCTION_LIKE)
def test_https_responses_carry_hsts_and_secure_httponly_samesite_cookies():
    client = Client()
    insecure = client.get(reverse("accounts:login"))
    assert insecure.status_code == 301 and insecure.url.startswith("https://")
    page = client.get(reverse("accounts:login"), secure=True)
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    csrf = page.cookies["__Host-csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax" and csrf["path"] == "/"
    user = UserFactory()
    response = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": "correct horse battery staple 42"},
        secure=True,
        headers={"referer": "https://testserver/accounts/login/"},
    )
    assert response.status_code == 302
    session = response.cookies["__Host-sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert not session["domain"]


@pytest.mark.django_db
class TestAdmin:
    def test_anonymous_admin_goes_to_our_sign_in(self, client):
        response = client.get("/admin/")
        assert response.url.startswith(reverse("accounts:login"))
        response = client.get("/admin/login/?next=/admin/")
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))

    def test_password_only_superuser_is_sent_to_the_second_step(self, client):
        user = UserFactory(is_superuser=True, is_staff=True)
        password_step(client, user)
        response = client.get("/admin/")
        assert response.url.startswith(reverse("accounts:otp_verify"))

    def test_staff_without_superuser_is_refused(self, verified_client):
        staff = UserFactory(is_staff=True)
        client = verified_client(staff)
        response = client.get("/admin/", follow=True)
        assert response.status_code == 403
        assert b"You do not have permission" in response.content

    def test_verified_superuser_reaches_the_admin_through_our_sign_in(self, client):
        user = UserFactory(is_superuser=True, is_staff=True)
        password_step(client, user, next_url="/admin/")
        response = code_step(client, totp_code(device_of(user)), next_url="/admin/")
        assert response.url == "/admin/"
        assert client.get("/admin/").status_code == 200
        assert client.get("/admin/login/").url == reverse("admin:index")


def test_no_identifiable_case_data_or_secrets_in_the_admin():
    from django.apps import apps
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from ppda.models import BackupCode, UserSession

    forbidden = [apps.get_model("cases", "Party"), apps.get_model("cases", "SafeContact"), TOTPDevice, BackupCode]
    forbidden += [UserSession]
    registered = set(admin.site._registry)
    for model in forbidden:
        assert model not in registered, model
        history = getattr(model, "history", None)
        if history is not None:
            assert history.model not in registered


@pytest.mark.django_db
def test_error_pages_are_generic(verified_client, coordinator):
    assert django_settings.DEBUG is False
    client = verified_client(coordinator)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content and b"Traceback" not in response.content
    request = RequestFactory().get("/")
    response = server_error(request)
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.content


@pytest.mark.django_db
def test_csrf_failure_page_is_generic():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "someone", "password": "something"})
    assert response.status_code == 403
    assert b"Your form has expired" in response.content and b"CSRF" not in response.content


@pytest.mark.django_db
def test_bad_request_page_is_generic():
    client = Client()
    response = client.get(reverse("accounts:login"), headers={"host": "evil.example"})
    assert response.status_code == 400
    assert b"Sorry, there is a problem with the service" in response.content
    assert b"evil.example" not in response.content


@pytest.mark.django_db
def test_admin_sign_out_is_post_only_and_ends_the_session(verified_client, superuser_no_role):
    from ppda.models import AccessLog

    client = verified_client(superuser_no_role)
    assert client.get(reverse("admin:logout")).status_code == 405
    response = client.post(reverse("admin:logout"))
    assert response.url == reverse("accounts:login")
    assert client.get(reverse("admin:index")).url.startswith(reverse("accounts:login"))
    assert AccessLog.objects.filter(user=superuser_no_role, action=AccessLog.Action.LOGOUT).exists()

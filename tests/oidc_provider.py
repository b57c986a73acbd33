"""A real OpenID Connect provider process on loopback for the single sign-on tests (oidc-provider-mock).

The provider signs ID tokens with its own RSA key (published at /jwks), checks the redirect URI, keeps
authorization codes for one use, and puts each user's claims (set with PUT /users/<sub>) in the ID token and the
userinfo response. `sign_in_at_provider` does what a person does on its sign-in page: choose the account.
"""

import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass

import pytest
import requests


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen

    def user(self, **claims) -> str:
        """A new account at the provider with these claims; returns its subject."""
        sub = f"sub-{uuid.uuid4().hex[:12]}"
        response = requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=5)
        response.raise_for_status()
        return sub

    def settings(self) -> dict:
        return {
            "OIDC_ISSUER": self.issuer,
            "OIDC_ENABLED": True,
            "OIDC_PROVIDER_NAME": "Test Force account",
            "OIDC_RP_CLIENT_ID": "ppda-test",
            "OIDC_RP_CLIENT_SECRET": "ppda-test-secret",
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.issuer}/oauth2/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.issuer}/oauth2/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.issuer}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.issuer}/jwks",
        }


def provider_start(*extra_args: str) -> Provider:
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and a fixed module
        [sys.executable, "-m", "oidc_provider_mock", "--port", str(port), "--require-nonce", "true", *extra_args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the OIDC provider exited: {process.stderr.read().decode()[-2000:]}")
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                return Provider(issuer=issuer, process=process)
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the OIDC provider did not start within 20 s")


def provider_stop(provider: Provider) -> None:
    provider.process.terminate()
    try:
        provider.process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        provider.process.kill()


@pytest.fixture(scope="session")
def oidc_provider():
    provider = provider_start()
    yield provider
    provider_stop(provider)


@pytest.fixture
def sso(settings, oidc_provider):
    """Single sign-on configured against the real provider process."""
    for name, value in oidc_provider.settings().items():
        setattr(settings, name, value)
    return oidc_provider


def sign_in_at_provider(authorize_url: str, sub: str) -> str:
    """The person picks their account on the provider's page; returns where the provider sends the browser."""
    response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]
    return response.headers["Location"]

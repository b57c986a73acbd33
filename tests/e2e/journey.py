"""Helpers for the user journeys: real sign-in (password and authenticator code), and the checks every page
visited must pass: axe-core (no serious or critical violation) and, at phone width, no sideways scroll
(WCAG 1.4.10 reflow). Each checked page is also saved as a PNG under .run/screenshots/ (gitignored); the few
pages README shows are also saved cropped to a 1280 px viewport under .run/screenshots/docs/ (`docs_shot`), from
which docs/img/ is refreshed by hand."""

import hashlib
import hmac
import re
import time
from pathlib import Path

from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.e2e.conftest import axe_violations
from tests.factories.directory import TEST_PASSWORD

KEY = "3132333435363738393031323334353637383930"  # the RFC 6238 test key; a test-only device
SHOTS = Path(__file__).resolve().parents[2] / ".run" / "screenshots"
WIDTHS = [1280, 320]


def totp_now(key_hex: str = KEY, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 TOTP, computed as an authenticator app would."""
    counter = int(time.time() // step).to_bytes(8, "big")
    digest = hmac.new(bytes.fromhex(key_hex), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def with_authenticator(user):
    """Give the user the test authenticator (replacing the factory's), so the browser can enter real codes."""
    TOTPDevice.objects.filter(user=user).delete()
    TOTPDevice.objects.create(user=user, name="Authenticator app", key=KEY, confirmed=True)
    return user


def sign_in(page, base_url: str, user) -> None:
    """Sign in through the login and code pages, as the user would."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/accounts/verify/**")
    page.locator("input[name=code]").fill(totp_now())
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base_url}/")


def open_section(page, name: str) -> None:
    """Follow a link of the service navigation, opening the Menu first where it is collapsed (phone width)."""
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible() and menu.get_attribute("aria-expanded") != "true":
        menu.click()
    page.locator("#navigation").get_by_role("link", name=name).click()


def switch_user(page, base_url: str, user) -> None:
    """The next person at the browser: the session cookie goes (as at sign-out), then they sign in."""
    page.context.clear_cookies()
    sign_in(page, base_url, user)


def overflows(page) -> bool:
    """The page scrolls sideways (a table too wide for its scroll box does not count: that box scrolls)."""
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")


def too_wide(page) -> list[str]:
    """The innermost elements that reach past the right edge of the screen (what to fix when a page overflows)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                && ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1)
                && !e.closest('.ppda-table-scroll, .govuk-visually-hidden'))
            .slice(0, 5)
            .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '')
                + ' (' + Math.round(e.getBoundingClientRect().right) + ' px)')"""
    )


def check(page, axe_source: str, name: str) -> None:
    """The checks for every page a journey visits; saves a screenshot named after the page and the width."""
    width = page.viewport_size["width"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}-{width}.png", full_page=True)
    violations = axe_violations(page, axe_source)
    assert violations == [], f"{name} at {width} px: {violations}"
    if width <= 320:
        assert not overflows(page), f"{name} scrolls sideways at {width} px: {too_wide(page)}"
        assert cut_captions(page) == [], f"{name}: table captions cut off at {width} px"


def cut_captions(page) -> list[str]:
    """Captions of tables in a scroll box that reach past the screen (a table wider than the phone takes its
    caption with it unless the caption wraps to the screen)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.ppda-table-scroll caption')]
            .filter(c => c.getBoundingClientRect().right > window.innerWidth + 1)
            .map(c => c.textContent.trim().slice(0, 60))"""
    )


def docs_shot(page, name: str, *, top: str | None = None, height: int = 900) -> None:
    """A README picture at 1280 px only: the viewport (`height` px tall), scrolled so that the element `top`
    (a selector) starts it, as a reader would scroll to the part that matters."""
    if page.viewport_size["width"] != 1280:
        return
    (SHOTS / "docs").mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    page.set_viewport_size({"width": 1280, "height": height})
    if top:
        page.locator(top).first.evaluate("e => window.scrollTo(0, e.getBoundingClientRect().top + scrollY - 15)")
    page.screenshot(path=SHOTS / "docs" / f"{name}.png")
    page.evaluate("window.scrollTo(0, 0)")
    page.set_viewport_size(before)

"""Print the current TOTP code of a demo user, so a newcomer can sign in through the real OTP step."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def current_code(device: TOTPDevice, at: float | None = None) -> tuple[str, int]:
    """The device's code now (or at `at`), and the seconds it stays valid."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    remaining = device.step - int(totp.time - device.t0) % device.step
    return f"{totp.token():0{device.digits}d}", remaining


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo user (development and demo only)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--quiet", action="store_true", help="Print the code only.")

    def handle(self, *args, username, quiet, **options):
        if settings.PPDA_PROFILE == "production":
            raise CommandError("demo_otp reads authenticator secrets: refused in production.")
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).order_by("pk").first()
        if device is None:
            raise CommandError(f"No confirmed authenticator for {username!r}. Run 'manage.py seed_demo' first.")
        code, remaining = current_code(device)
        if quiet:
            self.stdout.write(code)
        else:
            self.stdout.write(f"{code}  (valid for {remaining}s more; each code works once)")

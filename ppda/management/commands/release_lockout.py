"""Release a sign-in lockout: `manage.py release_lockout USERNAME [--ip ADDRESS]`."""

from django.core.management.base import BaseCommand

from ppda.accounts.services import lockout_release


class Command(BaseCommand):
    help = "Release the sign-in lockout of an account name, from every address or from one."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--ip", dest="ip_address", default=None, help="Only the lock from this address.")

    def handle(self, *args, username, ip_address, **options):
        released = lockout_release(username=username, ip_address=ip_address)
        self.stdout.write(f"Released {released} lockout(s) for {username}.")

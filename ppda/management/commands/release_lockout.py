"""Release a sign-in lockout: `manage.py release_lockout USERNAME [--ip ADDRESS]`, or an address's hold:
`manage.py release_lockout --address-hold ADDRESS`."""

from django.core.management.base import BaseCommand, CommandError

from ppda.accounts.services import address_hold_release, lockout_release


class Command(BaseCommand):
    help = "Release the sign-in lockout of an account name (from every address or one), or an address's hold."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?")
        parser.add_argument("--ip", dest="ip_address", default=None, help="Only the lock from this address.")
        parser.add_argument(
            "--address-hold",
            dest="address_hold",
            default=None,
            help="Release the hold on every name from this address.",
        )

    def handle(self, *args, username, ip_address, address_hold, **options):
        if address_hold:
            released = address_hold_release(ip_address=address_hold)
            self.stdout.write(f"Released {released} address hold(s).")
            return
        if not username:
            raise CommandError("Give a username, or --address-hold ADDRESS.")
        released = lockout_release(username=username, ip_address=ip_address)
        self.stdout.write(f"Released {released} lockout(s) for {username}.")

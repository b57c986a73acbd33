"""Register another force system for the JSON intake API and print its token once."""

from django.core.management.base import BaseCommand, CommandError

from cases.models import IntakeSystem
from cases.services import intake_system_create


class Command(BaseCommand):
    help = "Register a sending system for POST /api/v1/cases/ and print its token (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="A name for the sending system, e.g. 'Control room CAD'.")

    def handle(self, *args, name, **options):
        if not name.strip():
            raise CommandError("Give the system a name.")
        if IntakeSystem.objects.filter(name=name.strip()).exists():
            raise CommandError(f"A sending system called {name.strip()!r} already exists.")
        system, token = intake_system_create(name=name)
        self.stdout.write(f"Registered {system.name}. Its token (store it now; it is not kept):")
        self.stdout.write(token)

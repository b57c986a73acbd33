"""Seed the demo force: the staff directory and demo accounts, then the later seeding steps of other apps."""

import importlib
import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ppda.demo import DEMO_PASSWORD, DEMO_SEED, DEMO_STEPS, seed_directory

# Later steps, in order: registered by the apps built on ppda (ppda.demo.demo_step_register in their
# AppConfig.ready), so the foundation names none of them. Each is `function(*, stdout, rng)` and idempotent;
# a module not written yet is skipped.
LATER_STEPS = DEMO_STEPS


def load_step(module_name: str, function_name: str):
    """The step's function, or None when its module does not exist (an import error inside it is raised)."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    return getattr(module, function_name)


class Command(BaseCommand):
    help = "Create the synthetic demo force (fictional people) and demo logins. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEMO_SEED, help="Random seed (same seed, same force).")

    def handle(self, *args, seed, **options):
        if settings.PPDA_PROFILE == "production":
            raise CommandError("seed_demo creates accounts with a published password: refused in production.")
        started = time.monotonic()
        result = seed_directory(rng=random.Random(seed))
        self.stdout.write(f"Directory and accounts: {result.summary()}.")
        for offset, (module_name, function_name) in enumerate(LATER_STEPS, start=1):
            step = load_step(module_name, function_name)
            if step is None:
                self.stdout.write(f"Skipped {module_name}.{function_name} (not written yet).")
                continue
            # Each step gets its own seeded generator, so steps stay stable when another changes.
            with transaction.atomic():
                step(stdout=self.stdout, rng=random.Random(seed + offset))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo force ready in {time.monotonic() - started:.1f}s. Password for every demo login: "
                f"{DEMO_PASSWORD}; code: manage.py demo_otp USERNAME."
            )
        )
